// The enum vocabularies of both APIs. Parsing is lenient: case-insensitive, every documented alias
// folded, and an unknown value kept verbatim (Lenient::raw) and flagged instead of rejected.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xdrsync::domain {

// A parsed enum value that remembers the exact wire text. value == E::kUnrecognized means the API
// sent something we do not know; raw then holds it verbatim so it can be logged and round-tripped.
template <typename E>
struct Lenient {
  E value = E::kUnrecognized;
  std::string raw;
  bool known() const { return value != E::kUnrecognized; }
  bool operator==(const Lenient& o) const { return value == o.value && (known() || raw == o.raw); }
};

// ---- Defender (Microsoft Graph security incident) ----
enum class DStatus { kActive, kInProgress, kAwaitingAction, kResolved, kRedirected, kUnknownFutureValue, kUnrecognized };
enum class DSeverity { kUnknown, kInformational, kLow, kMedium, kHigh, kUnknownFutureValue, kUnrecognized };
enum class DClassification { kUnknown, kFalsePositive, kTruePositive, kInformationalExpectedActivity, kUnknownFutureValue, kUnrecognized };
enum class DDetermination {
  kUnknown, kApt, kMalware, kSecurityPersonnel, kSecurityTesting, kUnwantedSoftware, kOther,
  kMultiStagedAttack, kCompromisedAccount, kPhishing, kMaliciousUserActivity, kNotMalicious,
  kNotEnoughDataToValidate, kConfirmedActivity, kLineOfBusinessApplication, kUnknownFutureValue,
  kUnrecognized
};

// ---- Sentinel (ARM Microsoft.SecurityInsights incident) ----
enum class SStatus { kNew, kActive, kClosed, kUnrecognized };
enum class SSeverity { kInformational, kLow, kMedium, kHigh, kUnrecognized };
enum class SClassification { kUndetermined, kTruePositive, kBenignPositive, kFalsePositive, kUnrecognized };
enum class SReason { kSuspiciousActivity, kSuspiciousButExpected, kIncorrectAlertLogic, kInaccurateData, kUnrecognized };
enum class SOwnerType { kUnknown, kUser, kGroup, kUnrecognized };

// Parse: case-insensitive, aliases folded; unknown text gives kUnrecognized with raw kept.
Lenient<DStatus> ParseDStatus(std::string_view s);
Lenient<DSeverity> ParseDSeverity(std::string_view s);
Lenient<DClassification> ParseDClassification(std::string_view s);
// Accepts the metadata spellings and the doc/legacy aliases: compromisedUser, clean,
// insufficientData, noEnoughDataToValidate, confirmedUserActivity, notAvailable, ...
Lenient<DDetermination> ParseDDetermination(std::string_view s);
Lenient<SStatus> ParseSStatus(std::string_view s);
Lenient<SSeverity> ParseSSeverity(std::string_view s);
Lenient<SClassification> ParseSClassification(std::string_view s);
Lenient<SReason> ParseSReason(std::string_view s);
Lenient<SOwnerType> ParseSOwnerType(std::string_view s);

// Wire spelling (Graph: camelCase metadata spelling; ARM: PascalCase). kUnrecognized gives "".
std::string_view ToWire(DStatus v);
std::string_view ToWire(DSeverity v);
std::string_view ToWire(DClassification v);
std::string_view ToWire(DDetermination v);
std::string_view ToWire(SStatus v);
std::string_view ToWire(SSeverity v);
std::string_view ToWire(SClassification v);
std::string_view ToWire(SReason v);
std::string_view ToWire(SOwnerType v);

// The wire text of a lenient value: the canonical spelling when known, else the raw text.
template <typename E>
std::string WireText(const Lenient<E>& v) {
  return v.known() ? std::string(ToWire(v.value)) : v.raw;
}

// True when determination d belongs to classification c (spec §4: kept if compatible, else other).
// unknown and other belong to every classification.
bool DeterminationFits(DClassification c, DDetermination d);

}  // namespace xdrsync::domain
