// Translation of canonical field values between the Defender and Sentinel vocabularies (spec §4).
// Pure: no I/O, no clock. A value that cannot be translated (an unknown enum value, an owner that
// maps to nobody under copy-as-is) yields nullopt: the caller writes nothing for it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xdrsync/domain/fields.h"

namespace xdrsync::domain {

struct OwnerMap {
  struct Entry {
    std::string defender;            // UPN or group name as Defender shows it
    std::string sentinel;            // UPN on the Sentinel side
    std::string sentinel_object_id;  // optional Entra object id, written when known
  };
  enum class Unmapped { kCopyAsIs, kKeepUnassigned };
  std::vector<Entry> entries;
  // Domain rewrite rules, Defender domain -> Sentinel domain, applied in both directions.
  std::vector<std::pair<std::string, std::string>> domains;
  Unmapped unmapped = Unmapped::kCopyAsIs;
};

struct MappingPolicy {
  OwnerMap owners;
  std::string title_prefix;                    // e.g. "[contoso] "
  std::string unknown_severity = "Medium";     // Sentinel severity for Defender unknown
};

// Result of one translation. `note` explains a lossy step an analyst should see (an unmapped
// owner under keep-unassigned), empty otherwise.
struct Mapped {
  std::string value;
  std::string note;
};

std::optional<Mapped> MapToSentinel(Field f, const std::string& defender_value, const MappingPolicy& p);
// `defender_current` is what Defender holds now: it decides which determination survives a
// Sentinel classification change (kept if it fits the new classification, else `other`).
std::optional<Mapped> MapToDefender(Field f, const std::string& sentinel_value,
                                    const std::string& defender_current, const MappingPolicy& p);

// True when the two sides hold the same thing after mapping in either direction. Lossy mappings
// make this wider than equality: truePositive/malware agrees with TruePositive/SuspiciousActivity.
bool Agree(Field f, const std::string& defender_value, const std::string& sentinel_value, const MappingPolicy& p);

}  // namespace xdrsync::domain
