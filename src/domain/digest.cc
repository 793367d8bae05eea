#include "xdrsync/domain/digest.h"

#include <algorithm>

#include "xdrsync/core/strings.h"
#include "xdrsync/domain/comments.h"

namespace xdrsync::domain {
namespace {

std::vector<DefenderAlert> Sorted(const std::vector<DefenderAlert>& alerts) {
  std::vector<DefenderAlert> out = alerts;
  std::sort(out.begin(), out.end(), [](const DefenderAlert& a, const DefenderAlert& b) {
    return a.created != b.created ? a.created < b.created : a.id < b.id;
  });
  return out;
}

std::string AlertLine(const DefenderAlert& a) {
  return "- " + a.created.ToSecondsString() + " [" + WireText(a.severity) + "] " + a.title + " (" +
         a.service_source + ", " + a.id + ")\n";
}

}  // namespace

std::string RenderTwinDescription(const DefenderIncident& d, const std::vector<DefenderAlert>& alerts) {
  std::string head = "Defender incident " + d.id;
  if (!d.web_url.empty()) head += ": " + d.web_url;
  head += "\nAlerts: " + std::to_string(alerts.size()) + "\n\n";
  const std::string& body_src = !d.description.empty() ? d.description : d.summary;
  // Leave room for at least a few alert lines after the Defender text.
  const size_t body_budget = kTwinDescriptionMaxChars - head.size() - 1'000;
  std::string out = head + TruncateWithNote(body_src, body_budget);
  const std::vector<DefenderAlert> sorted = Sorted(alerts);
  if (sorted.empty()) return out;
  std::string section = "\n\nNewest alerts:\n";
  if (out.size() + section.size() >= kTwinDescriptionMaxChars) return out;
  out += section;
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) {
    const std::string line = AlertLine(*it);
    if (out.size() + line.size() > kTwinDescriptionMaxChars) break;
    out += line;
  }
  return out;
}

std::string RenderAlertTable(const DefenderIncident& d, const std::vector<DefenderAlert>& alerts) {
  const std::vector<DefenderAlert> sorted = Sorted(alerts);
  std::string out = "Alerts of Defender incident " + d.id + "\n";
  const size_t shown = std::min(sorted.size(), kSentinelMaxAlerts);
  for (size_t i = 0; i < shown; ++i) out += AlertLine(sorted[i]);
  if (sorted.size() > kSentinelMaxAlerts) {
    out += "showing " + std::to_string(shown) + " of " + std::to_string(sorted.size());
    if (!d.web_url.empty()) out += "; all alerts: " + d.web_url;
    out += "\n";
  }
  return TruncateWithNote(out, kSentinelCommentMaxChars - 64);
}

bool WantsOverflowLabel(size_t alert_count, bool labelled_now) {
  if (alert_count > kSentinelMaxAlerts) return true;
  if (alert_count <= kOverflowClearAt) return false;
  return labelled_now;
}

}  // namespace xdrsync::domain
