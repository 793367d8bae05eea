// The synced fields of a pair, each side's canonical native value of each, and version stamps.
// Each side is compared against its own base in its own vocabulary (spec §4-5); translation happens
// only when a change is propagated (mapping.h).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "xdrsync/core/timestamp.h"
#include "xdrsync/domain/incident.h"

namespace xdrsync::domain {

enum class Side { kDefender, kSentinel };
std::string_view SideName(Side s);  // "defender" / "sentinel"
std::optional<Side> ParseSide(std::string_view s);
inline Side Other(Side s) { return s == Side::kDefender ? Side::kSentinel : Side::kDefender; }

enum class Field { kStatus, kOwner, kClassification, kClosingComment, kSeverity, kTitle, kDescription, kTags };
inline constexpr size_t kFieldCount = 8;
inline constexpr std::array<Field, kFieldCount> kAllFields = {
    Field::kStatus, Field::kOwner, Field::kClassification, Field::kClosingComment,
    Field::kSeverity, Field::kTitle, Field::kDescription, Field::kTags};
std::string_view FieldName(Field f);  // "status", "owner", "classification", "closing_comment", ...
std::optional<Field> ParseField(std::string_view s);

// What identifies one observed version of an incident: Defender lastUpdateDateTime; Sentinel
// lastModifiedTimeUtc + etag.
struct VersionStamp {
  Timestamp time;
  std::string etag;
  bool operator==(const VersionStamp&) const = default;
};
// True when `observed` is strictly newer than `base` (same time with a different etag counts as newer).
bool IsNewer(const VersionStamp& observed, const VersionStamp& base);

// Canonical native values, one string per field. Encodings:
//   Defender: status "active"; owner lower-case UPN or ""; classification "truePositive/malware",
//     "truePositive" (no determination) or ""; severity "medium"; tags sorted, '\n'-joined.
//   Sentinel: status "New"; owner "upn:<lower upn>" | "oid:<objectId>" | "email:<lower>" |
//     "name:<display>" | ""; classification "TruePositive/SuspiciousActivity", "Undetermined" or "";
//     severity "Medium"; tags = User labels minus xdrsync-owned ones, sorted, '\n'-joined.
//   title, description, closing_comment: the text as is.
// Unrecognised enum values stay verbatim (they never equal a known canonical value).
struct FieldValues {
  std::array<std::string, kFieldCount> v;
  const std::string& operator[](Field f) const { return v[static_cast<size_t>(f)]; }
  std::string& operator[](Field f) { return v[static_cast<size_t>(f)]; }
  bool operator==(const FieldValues&) const = default;
};

std::string EncodeSet(const std::set<std::string>& s);
std::set<std::string> DecodeSet(std::string_view encoded);

// Labels xdrsync owns on Sentinel twins: never sent to Defender, never part of the tags field.
inline constexpr std::string_view kLabelRedirected = "Redirected";
inline constexpr std::string_view kLabelOverflow = "150+ alerts";
inline constexpr std::string_view kLabelConflict = "xdrsync:conflict";
inline constexpr std::string_view kLabelIgnore = "xdrsync:ignore";
inline constexpr std::string_view kLabelSourceGone = "xdrsync:source-gone";
inline constexpr std::string_view kLabelCommentsCapped = "xdrsync:comments-capped";
bool IsReservedLabel(std::string_view label);

// The canonical values of one observed incident. The Defender description value is the rendered
// twin description (digest.h), which is what the description field carries to Sentinel; callers
// pass it in because it depends on alert membership, not on the incident alone.
FieldValues CanonicalDefender(const DefenderIncident& d, const std::string& rendered_description);
FieldValues CanonicalSentinel(const SentinelIncident& s);
std::string CanonicalSentinelOwner(const SentinelOwner* owner);

// Value equality within one side's vocabulary. Plain string equality except for the Sentinel owner,
// which is compared by objectId when both values have one, else by UPN, then e-mail, then name,
// and for tags, which are sets. Either value may be a base digest (BaseValue): then the other is
// digested the same way and the digests compared.
bool SameValue(Side side, Field field, std::string_view a, std::string_view b);

// Bases of long free text are kept as digests (docs/performance.md, "The state database"): the
// three-way merge only asks whether a side still holds its base (SameValue), never for the text of
// a title, description or closing comment base. Tags (merged as sets) and the short enum and owner
// values keep their text.
inline constexpr size_t kBaseDigestAboveBytes = 64;
// Title, description and closing comment.
bool DigestibleField(Field field);
// What to keep as the base of `value`: the value itself, or, for a digestible field whose value is
// longer than kBaseDigestAboveBytes, its digest: the byte 0xFF (which UTF-8 text never holds, so
// no real value looks like one) and 32 lower-case hex digits, the first 128 bits of the SHA-256 of
// the value as SameValue compares it (a Sentinel title without a twin marker suffix). Two
// different values share a digest with a chance of 2^-128. A digest given in is returned as is.
std::string BaseValue(Side side, Field field, std::string_view value);
// The digest of `value` (as above) whatever its length; a digest given in is returned as is.
std::string BaseDigest(Side side, Field field, std::string_view value);
bool IsBaseDigest(std::string_view value);

// The parts of a canonical Sentinel owner ("upn:a@b|oid:<guid>|email:..|name:..", parts optional).
struct OwnerParts {
  std::string upn, object_id, email, name;
  bool empty() const { return upn.empty() && object_id.empty() && email.empty() && name.empty(); }
};
OwnerParts ParseOwnerValue(std::string_view canonical);
std::string OwnerValue(const OwnerParts& parts);

// Adds or removes an xdrsync-owned label (type User) on a Sentinel incident model.
void SetReservedLabel(SentinelIncident& s, std::string_view label, bool present);
bool HasLabel(const SentinelIncident& s, std::string_view label);
// The label a finished `defender-alert` twin carries: "xdrsync:<twin id>". The twin id is
// deterministic (the Defender tenant and incident), the incident's name is the service's.
std::string TwinLabel(std::string_view twin_id);
// " [xdrsync:<uuid>]" when a title ends in a twin's marker (defender-alert twins carry it so an
// unrecorded creation is found again), else empty. Canonical titles leave it out; a title written
// to such a twin keeps it.
std::string_view TwinMarkerSuffix(std::string_view title);
// The twin id of the first such label on `s`, if it has one (not xdrsync's other labels).
std::optional<std::string> TwinIdFromLabels(const SentinelIncident& s);

// Applies canonical values of the given fields to native models (the inverse of Canonical*).
// Defender: returns a PATCH carrying exactly those fields.
DefenderPatch DefenderPatchFor(const FieldValues& values, const std::set<Field>& fields);
// Sentinel: a full object for PUT = `current` with those fields replaced. Reserved labels and
// AutoAssigned labels of `current` are kept. Guarantees a valid classification/reason pair when
// the result is Closed (Undetermined when there is none).
SentinelIncident SentinelWithFields(const SentinelIncident& current, const FieldValues& values,
                                    const std::set<Field>& fields);

}  // namespace xdrsync::domain
