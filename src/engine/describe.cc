// Outbox payloads: what each planned write intends, as one readable JSON object.
#include <nlohmann/json.hpp>

#include "xdrsync/engine/link_runner.h"

namespace xdrsync::engine {
namespace {

using nlohmann::json;

json Changes(const std::vector<reconcile::FieldChange>& changes) {
  json out = json::array();
  for (const auto& c : changes) {
    out.push_back({{"field", domain::FieldName(c.field)}, {"from", c.from}, {"to", c.to}, {"cause", c.cause}});
  }
  return out;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string DescribeWrite(const reconcile::SentinelWrite& w) {
  return Dump({{"op", "sentinel-put"},
               {"defender_id", w.defender_id},
               {"sentinel_id", w.sentinel_id},
               {"etag", w.incident.etag},
               {"changes", Changes(w.changes)},
               {"labels_added", w.labels_added},
               {"labels_removed", w.labels_removed}});
}

std::string DescribeWrite(const reconcile::DefenderWrite& w) {
  return Dump({{"op", "defender-patch"}, {"defender_id", w.defender_id}, {"changes", Changes(w.changes)}});
}

std::string DescribeWrite(const reconcile::CommentWrite& w) {
  return Dump({{"op", w.target == domain::Side::kSentinel ? "sentinel-comment" : "defender-comment"},
               {"defender_id", w.defender_id},
               {"target_incident", w.target_incident},
               {"marker", w.uuid},
               {"purpose", w.purpose},
               {"edit_in_place", w.edit_in_place},
               {"chars", w.text.size()}});
}

std::string DescribeWrite(const reconcile::TwinCreate& w) {
  return Dump({{"op", "create-twin"},
               {"defender_id", w.defender_id},
               {"twin_id", w.twin_id},
               {"title", w.incident.title},
               {"cause", w.cause}});
}

}  // namespace xdrsync::engine
