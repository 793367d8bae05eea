// One snapshot of the emulator's world, indexed for the harness: each link's Defender incidents
// and, for each, every Sentinel incident that carries its twin marker (`[xdrsync:<uuid>]` in the
// title or description, the `xdrsync:<uuid>` label or tag, or — `arm` way — the deterministic name).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "topology.h"

namespace xdrsync::chaos {

struct LinkView {
  const ChaosLink* link = nullptr;
  std::map<std::string, nlohmann::json> defender;             // by Defender id
  std::map<std::string, std::vector<nlohmann::json>> twins;   // by Defender id: ARM incidents
  std::map<std::string, size_t> home_twins;                   // defender-alert: hub Graph incidents
  std::map<std::string, std::string> home_ids;                // hub Graph incident id -> Defender id
  std::map<std::string, std::string> marker_of;               // Defender id -> twin uuid
};

class WorldIndex {
 public:
  explicit WorldIndex(const nlohmann::json& world);
  const LinkView& View(const ChaosLink& link) const { return views_.at(link.name); }
  // The one twin of a Defender incident, or null when there is none (or more than one).
  const nlohmann::json* Twin(const ChaosLink& link, const std::string& defender_id) const;
  const nlohmann::json* Defender(const ChaosLink& link, const std::string& defender_id) const;

 private:
  std::map<std::string, LinkView> views_;
};

bool CarriesMarker(const nlohmann::json& item, const std::string& uuid);  // any incident JSON shape

}  // namespace xdrsync::chaos
