// Owner translation through a link's owner map: explicit entries first, then domain rewrites (both
// directions), then the unmapped policy. Values are canonical (Defender: lower-case UPN or name;
// Sentinel: OwnerValue parts).
#pragma once

#include <optional>
#include <string>

#include "xdrsync/domain/mapping.h"

namespace xdrsync::domain {

std::optional<Mapped> OwnerToSentinel(const std::string& defender_owner, const OwnerMap& map);
std::optional<Mapped> OwnerToDefender(const std::string& sentinel_owner, const OwnerMap& map);

}  // namespace xdrsync::domain
