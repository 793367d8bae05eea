#include "world_index.h"

#include "../integration/twin_id.h"
#include "canon.h"

namespace xdrsync::chaos {

using nlohmann::json;

bool CarriesMarker(const json& item, const std::string& uuid) {
  const std::string tag = "xdrsync:" + uuid;
  // Graph incidents hold title and tags at the top; ARM ones under properties.
  const json& p = item.contains("properties") ? item["properties"] : item;
  for (const char* key : {"displayName", "title", "description"}) {
    if (StrAt(p, key).find(tag) != std::string::npos) return true;
  }
  for (const auto& t : p.value("customTags", json::array())) {
    if (t.is_string() && t.get<std::string>() == tag) return true;
  }
  for (const auto& l : p.value("labels", json::array())) {
    if (StrAt(l, "labelName") == tag) return true;
  }
  return false;
}

WorldIndex::WorldIndex(const json& world) {
  const json tenants = world.value("tenants", json::object());
  const json workspaces = world.value("workspaces", json::object());
  for (const auto& link : Links()) {
    LinkView& v = views_[link.name];
    v.link = &link;
    const json mine = tenants.contains(link.tenant) ? tenants[link.tenant].value("incidents", json::array()) : json::array();
    for (const auto& d : mine) {
      const std::string id = StrAt(d, "id");
      v.defender[id] = d;
      v.marker_of[id] = integration::TwinName(link.tenant, id);
      v.twins[id];
    }
    // Marker -> Defender id, so each Sentinel incident is looked at once.
    std::map<std::string, std::string> by_marker;
    for (const auto& [id, uuid] : v.marker_of) by_marker[uuid] = id;
    const json arm = workspaces.contains(link.workspace) ? workspaces[link.workspace].value("incidents", json::array())
                                                         : json::array();
    for (const auto& s : arm) {
      const std::string name = StrAt(s, "name");
      for (const auto& [uuid, id] : by_marker) {
        if ((link.way == "arm" && name == uuid) || CarriesMarker(s, uuid)) {
          v.twins[id].push_back(s);
          break;
        }
      }
    }
    if (link.way == "defender-alert" && tenants.contains(link.home)) {
      for (const auto& h : tenants[link.home].value("incidents", json::array())) {
        for (const auto& [uuid, id] : by_marker) {
          if (CarriesMarker(h, uuid)) {
            ++v.home_twins[id];
            v.home_ids[StrAt(h, "id")] = id;
            break;
          }
        }
      }
    }
  }
}

const json* WorldIndex::Twin(const ChaosLink& link, const std::string& defender_id) const {
  const LinkView& v = views_.at(link.name);
  auto it = v.twins.find(defender_id);
  return it == v.twins.end() || it->second.size() != 1 ? nullptr : &it->second.front();
}

const json* WorldIndex::Defender(const ChaosLink& link, const std::string& defender_id) const {
  const LinkView& v = views_.at(link.name);
  auto it = v.defender.find(defender_id);
  return it == v.defender.end() ? nullptr : &it->second;
}

}  // namespace xdrsync::chaos
