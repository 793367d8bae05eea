// The Defender (Microsoft Graph security) side of the state model: incidents, alerts and
// comments, their enum vocabularies, PATCH validation and JSON rendering. Pure: no locks, no I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "time_text.h"

namespace xdrsync::emulator {

struct GraphComment {
  std::string comment;
  std::string created_by;
  TimePoint created{};
};

struct GraphAlert {
  std::string id;
  std::string tenant_id;
  std::string incident_id;
  std::string title;
  std::string description;
  std::string category;
  std::string severity = "medium";
  std::string status = "new";
  std::optional<std::string> classification;
  std::optional<std::string> determination;
  std::optional<std::string> assigned_to;
  std::string service_source = "microsoftDefenderForEndpoint";
  std::string detection_source = "microsoftDefenderForEndpoint";
  std::string product_name = "Microsoft Defender for Endpoint";
  std::vector<std::string> mitre_techniques;
  std::string detector_id;          // the detection rule; a GUID-like id per alert
  std::string recommended_actions;  // free text, "" when none
  bool excluded_from_correlation = false;
  TimePoint created{};
  TimePoint last_update{};
};

struct GraphIncident {
  std::string id;
  std::string tenant_id;
  std::string display_name;
  std::string status = "active";
  std::string severity = "medium";
  std::optional<std::string> assigned_to;
  std::optional<std::string> classification;
  std::optional<std::string> determination;
  std::optional<std::string> redirect_incident_id;
  std::optional<std::string> description;
  std::optional<std::string> summary;
  std::optional<std::string> resolving_comment;
  std::optional<std::string> last_modified_by;
  std::optional<int> priority_score;
  std::vector<std::string> custom_tags;
  std::vector<std::string> system_tags;
  std::vector<GraphComment> comments;
  std::vector<std::string> alert_ids;
  TimePoint created{};
  TimePoint last_update{};
  // The twin in an onboarded workspace, when there is one.
  std::string workspace;
  std::string arm_name;
  // Eventual consistency: until visible_at, list results show `stale` (or nothing).
  std::shared_ptr<const GraphIncident> stale;
  TimePoint visible_at{};
  // Bumped before every change; keys the rendered-JSON cache of list pages.
  uint64_t version = 0;
};

struct GraphRender {
  bool include_unknown_enum_members = false;
  bool expand_alerts = false;
};

// Canonical spelling of an enum member (case-insensitive match), or nullopt when not a member.
std::optional<std::string> GraphIncidentStatus(const std::string& value);
std::optional<std::string> GraphSeverity(const std::string& value);
std::optional<std::string> GraphClassification(const std::string& value);
std::optional<std::string> GraphDetermination(const std::string& value);
std::optional<std::string> GraphAlertStatus(const std::string& value);
std::optional<std::string> GraphServiceSource(const std::string& value);

// Applies a PATCH body to `incident`. Returns "" on success, else the error message (400).
// Only writable properties are accepted; unsent properties keep their values.
std::string ApplyGraphPatch(const nlohmann::json& body, GraphIncident* incident);

nlohmann::json RenderGraphComment(const GraphComment& comment);
nlohmann::json RenderGraphAlert(const GraphAlert& alert, const GraphRender& how);
// `alerts` is only read when how.expand_alerts.
nlohmann::json RenderGraphIncident(const GraphIncident& incident, const GraphRender& how,
                                   const std::vector<const GraphAlert*>& alerts);

}  // namespace xdrsync::emulator
