#include "xdrsync/domain/vocabulary.h"

#include <array>
#include <utility>

#include "xdrsync/core/strings.h"

namespace xdrsync::domain {
namespace {

template <typename E>
struct Spelling {
  std::string_view text;
  E value;
};

// The first entry per value is its wire spelling; later ones are aliases accepted on read.
template <typename E, size_t N>
Lenient<E> Lookup(const std::array<Spelling<E>, N>& table, std::string_view s) {
  const std::string_view t = Trim(s);
  for (const auto& e : table) {
    if (EqualsIgnoreCase(e.text, t)) return {e.value, std::string(s)};
  }
  return {E::kUnrecognized, std::string(s)};
}

template <typename E, size_t N>
std::string_view Spell(const std::array<Spelling<E>, N>& table, E v) {
  for (const auto& e : table) {
    if (e.value == v) return e.text;
  }
  return {};
}

constexpr std::array<Spelling<DStatus>, 6> kDStatus{{
    {"active", DStatus::kActive},
    {"inProgress", DStatus::kInProgress},
    {"awaitingAction", DStatus::kAwaitingAction},
    {"resolved", DStatus::kResolved},
    {"redirected", DStatus::kRedirected},
    {"unknownFutureValue", DStatus::kUnknownFutureValue},
}};

constexpr std::array<Spelling<DSeverity>, 7> kDSeverity{{
    {"unknown", DSeverity::kUnknown},
    {"informational", DSeverity::kInformational},
    {"low", DSeverity::kLow},
    {"medium", DSeverity::kMedium},
    {"high", DSeverity::kHigh},
    {"unknownFutureValue", DSeverity::kUnknownFutureValue},
    {"UnSpecified", DSeverity::kUnknown},  // legacy Defender XDR API
}};

constexpr std::array<Spelling<DClassification>, 5> kDClassification{{
    {"unknown", DClassification::kUnknown},
    {"falsePositive", DClassification::kFalsePositive},
    {"truePositive", DClassification::kTruePositive},
    {"informationalExpectedActivity", DClassification::kInformationalExpectedActivity},
    {"unknownFutureValue", DClassification::kUnknownFutureValue},
}};

constexpr std::array<Spelling<DDetermination>, 22> kDDetermination{{
    {"unknown", DDetermination::kUnknown},
    {"apt", DDetermination::kApt},
    {"malware", DDetermination::kMalware},
    {"securityPersonnel", DDetermination::kSecurityPersonnel},
    {"securityTesting", DDetermination::kSecurityTesting},
    {"unwantedSoftware", DDetermination::kUnwantedSoftware},
    {"other", DDetermination::kOther},
    {"multiStagedAttack", DDetermination::kMultiStagedAttack},
    {"compromisedAccount", DDetermination::kCompromisedAccount},
    {"phishing", DDetermination::kPhishing},
    {"maliciousUserActivity", DDetermination::kMaliciousUserActivity},
    {"notMalicious", DDetermination::kNotMalicious},
    {"notEnoughDataToValidate", DDetermination::kNotEnoughDataToValidate},
    {"confirmedActivity", DDetermination::kConfirmedActivity},
    {"lineOfBusinessApplication", DDetermination::kLineOfBusinessApplication},
    {"unknownFutureValue", DDetermination::kUnknownFutureValue},
    // Doc-prose and legacy spellings of the same slots.
    {"compromisedUser", DDetermination::kCompromisedAccount},
    {"clean", DDetermination::kNotMalicious},
    {"insufficientData", DDetermination::kNotEnoughDataToValidate},
    {"noEnoughDataToValidate", DDetermination::kNotEnoughDataToValidate},
    {"confirmedUserActivity", DDetermination::kConfirmedActivity},
    {"notAvailable", DDetermination::kUnknown},
}};

constexpr std::array<Spelling<SStatus>, 3> kSStatus{{
    {"New", SStatus::kNew}, {"Active", SStatus::kActive}, {"Closed", SStatus::kClosed}}};

constexpr std::array<Spelling<SSeverity>, 4> kSSeverity{{
    {"Informational", SSeverity::kInformational},
    {"Low", SSeverity::kLow},
    {"Medium", SSeverity::kMedium},
    {"High", SSeverity::kHigh}}};

constexpr std::array<Spelling<SClassification>, 4> kSClassification{{
    {"Undetermined", SClassification::kUndetermined},
    {"TruePositive", SClassification::kTruePositive},
    {"BenignPositive", SClassification::kBenignPositive},
    {"FalsePositive", SClassification::kFalsePositive}}};

constexpr std::array<Spelling<SReason>, 4> kSReason{{
    {"SuspiciousActivity", SReason::kSuspiciousActivity},
    {"SuspiciousButExpected", SReason::kSuspiciousButExpected},
    {"IncorrectAlertLogic", SReason::kIncorrectAlertLogic},
    {"InaccurateData", SReason::kInaccurateData}}};

constexpr std::array<Spelling<SOwnerType>, 3> kSOwnerType{{
    {"Unknown", SOwnerType::kUnknown}, {"User", SOwnerType::kUser}, {"Group", SOwnerType::kGroup}}};

}  // namespace

Lenient<DStatus> ParseDStatus(std::string_view s) { return Lookup(kDStatus, s); }
Lenient<DSeverity> ParseDSeverity(std::string_view s) { return Lookup(kDSeverity, s); }
Lenient<DClassification> ParseDClassification(std::string_view s) { return Lookup(kDClassification, s); }
Lenient<DDetermination> ParseDDetermination(std::string_view s) { return Lookup(kDDetermination, s); }
Lenient<SStatus> ParseSStatus(std::string_view s) { return Lookup(kSStatus, s); }
Lenient<SSeverity> ParseSSeverity(std::string_view s) { return Lookup(kSSeverity, s); }
Lenient<SClassification> ParseSClassification(std::string_view s) { return Lookup(kSClassification, s); }
Lenient<SReason> ParseSReason(std::string_view s) { return Lookup(kSReason, s); }
Lenient<SOwnerType> ParseSOwnerType(std::string_view s) { return Lookup(kSOwnerType, s); }

std::string_view ToWire(DStatus v) { return Spell(kDStatus, v); }
std::string_view ToWire(DSeverity v) { return Spell(kDSeverity, v); }
std::string_view ToWire(DClassification v) { return Spell(kDClassification, v); }
std::string_view ToWire(DDetermination v) { return Spell(kDDetermination, v); }
std::string_view ToWire(SStatus v) { return Spell(kSStatus, v); }
std::string_view ToWire(SSeverity v) { return Spell(kSSeverity, v); }
std::string_view ToWire(SClassification v) { return Spell(kSClassification, v); }
std::string_view ToWire(SReason v) { return Spell(kSReason, v); }
std::string_view ToWire(SOwnerType v) { return Spell(kSOwnerType, v); }

bool DeterminationFits(DClassification c, DDetermination d) {
  if (d == DDetermination::kUnknown || d == DDetermination::kOther) return true;
  switch (c) {
    case DClassification::kTruePositive:
      return d == DDetermination::kMultiStagedAttack || d == DDetermination::kMaliciousUserActivity ||
             d == DDetermination::kCompromisedAccount || d == DDetermination::kMalware ||
             d == DDetermination::kPhishing || d == DDetermination::kUnwantedSoftware ||
             d == DDetermination::kApt;
    case DClassification::kInformationalExpectedActivity:
      return d == DDetermination::kSecurityTesting || d == DDetermination::kLineOfBusinessApplication ||
             d == DDetermination::kConfirmedActivity || d == DDetermination::kSecurityPersonnel;
    case DClassification::kFalsePositive:
      return d == DDetermination::kNotMalicious || d == DDetermination::kNotEnoughDataToValidate;
    default:
      return false;
  }
}

}  // namespace xdrsync::domain
