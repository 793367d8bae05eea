// The alert digest of a mirrored twin (spec §7): its description (deep link, alert count, the
// Defender description, the newest alerts that fit) and the alert table comment. Rendering is
// deterministic: sorted by creation time then id, absolute UTC times, no "now", no alert status.
#pragma once

#include <string>
#include <vector>

#include "xdrsync/domain/incident.h"

namespace xdrsync::domain {

inline constexpr size_t kTwinDescriptionMaxChars = 4'800;
inline constexpr size_t kSentinelMaxAlerts = 150;
inline constexpr size_t kOverflowClearAt = 140;

// The twin's description. `alerts` may be empty when membership is not known yet.
std::string RenderTwinDescription(const DefenderIncident& d, const std::vector<DefenderAlert>& alerts);
// The body of the xdrsync-owned alert table comment (without its marker line).
std::string RenderAlertTable(const DefenderIncident& d, const std::vector<DefenderAlert>& alerts);
// Whether the twin should carry the "150+ alerts" label, with hysteresis: on above 150, off at 140
// or fewer, unchanged in between.
bool WantsOverflowLabel(size_t alert_count, bool labelled_now);

}  // namespace xdrsync::domain
