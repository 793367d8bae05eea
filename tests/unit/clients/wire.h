// Canned wire bodies for the client tests, shaped like what Graph and ARM send.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xdrsync::testing {

using nlohmann::json;

inline constexpr const char* kGraph = "https://graph.example";
inline constexpr const char* kIncidents = "https://graph.example/v1.0/security/incidents";
inline constexpr const char* kArm = "https://arm.example";
inline constexpr const char* kArmIncidents =
    "https://arm.example/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.OperationalInsights/"
    "workspaces/ws-1/providers/Microsoft.SecurityInsights/incidents";
inline constexpr const char* kApiVersion = "api-version=2025-09-01";

inline json GraphAlert(const std::string& id, const std::string& incident_id) {
  return {{"id", id},
          {"incidentId", incident_id},
          {"title", "alert " + id},
          {"severity", "medium"},
          {"status", "new"},
          {"serviceSource", "microsoftDefenderForEndpoint"},
          {"createdDateTime", "2025-06-01T09:00:00Z"}};
}

// An incident as Graph lists it; `alerts` < 0 leaves the alerts member out (no $expand).
inline json GraphIncident(const std::string& id, const std::string& last_update, int alerts = -1) {
  json j = {{"id", id},
            {"tenantId", "t-1"},
            {"displayName", "incident " + id},
            {"status", "active"},
            {"severity", "high"},
            {"assignedTo", nullptr},
            {"createdDateTime", "2025-06-01T08:00:00Z"},
            {"lastUpdateDateTime", last_update},
            {"customTags", json::array()},
            {"comments", json::array()}};
  if (alerts >= 0) {
    json list = json::array();
    for (int i = 0; i < alerts; ++i) list.push_back(GraphAlert(id + "-a" + std::to_string(i), id));
    j["alerts"] = list;
  }
  return j;
}

inline std::string GraphPage(const std::vector<json>& items, const std::string& next_link = "") {
  json page = {{"@odata.context", std::string(kGraph) + "/v1.0/$metadata#security/incidents"}, {"value", items}};
  if (!next_link.empty()) page["@odata.nextLink"] = next_link;
  return page.dump();
}

inline json ArmIncident(const std::string& name, const std::string& last_modified) {
  return {{"id", std::string("/subscriptions/sub-1/.../incidents/") + name},
          {"name", name},
          {"type", "Microsoft.SecurityInsights/incidents"},
          {"etag", "\"etag-" + name + "\""},
          {"properties",
           {{"title", "incident " + name},
            {"severity", "Medium"},
            {"status", "New"},
            {"labels", json::array()},
            {"createdTimeUtc", "2025-06-01T08:00:00Z"},
            {"lastModifiedTimeUtc", last_modified},
            {"incidentNumber", 7},
            {"providerName", "Azure Sentinel"}}}};
}

inline json ArmComment(const std::string& name, const std::string& message) {
  return {{"name", name},
          {"etag", "c-" + name},
          {"properties",
           {{"message", message},
            {"createdTimeUtc", "2025-06-01T08:30:00Z"},
            {"author", {{"name", "Ann"}, {"userPrincipalName", "ann@contoso.com"}}}}}};
}

inline std::string ArmPage(const std::vector<json>& items, const std::string& next_link = "") {
  json page = {{"value", items}};
  if (!next_link.empty()) page["nextLink"] = next_link;
  return page.dump();
}

}  // namespace xdrsync::testing
