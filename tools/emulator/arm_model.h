// The Sentinel (ARM Microsoft.SecurityInsights) side of the state model: incidents and
// comments, PUT validation and JSON rendering. Pure: no locks, no I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "time_text.h"

namespace xdrsync::emulator {

struct WorkspaceRef {
  std::string subscription;
  std::string resource_group;
  std::string name;
  std::string IncidentsPath() const;  // ".../providers/Microsoft.SecurityInsights/incidents"
};

struct ArmComment {
  std::string name;
  std::string message;
  std::string author_object_id;
  std::string author_name;
  std::string author_email;
  std::string etag;
  TimePoint created{};
  TimePoint modified{};
};

struct ArmLabel {
  std::string name;
  std::string type = "User";
};

struct ArmIncident {
  std::string name;
  std::string title;
  std::string description;
  std::string severity = "Medium";
  std::string status = "New";
  std::string classification;  // "" = absent
  std::string classification_reason;
  std::string classification_comment;
  nlohmann::json owner = nlohmann::json::object();
  std::vector<ArmLabel> labels;
  std::string first_activity;  // verbatim as written, "" = absent
  std::string last_activity;
  TimePoint created{};
  TimePoint modified{};
  int number = 0;
  std::string etag;  // quoted, e.g. "\"0a1b...\""
  std::string provider_name = "Azure Sentinel";
  std::string provider_incident_id;
  std::string provider_incident_url;
  std::vector<ArmComment> comments;
  int alerts_count = 0;  // beyond 150 the incident shows 150 (Sentinel's per-incident cap)
  std::vector<std::string> alert_product_names;
  // The Graph twin in an onboarded workspace ("" when Sentinel-only).
  std::string graph_id;
  std::shared_ptr<const ArmIncident> stale;
  TimePoint visible_at{};
  // Bumped before every change; keys the rendered-JSON cache of list pages.
  uint64_t version = 0;
};

// The writable part of a PUT body, validated.
struct ArmIncidentInput {
  std::string etag;  // "" when the body had none
  ArmIncident fields;
};

// Parses and validates a PUT body. On failure returns false and sets *code/*message (400).
bool ParseArmIncidentPut(const nlohmann::json& body, ArmIncidentInput* out, std::string* code,
                         std::string* message);

// Copies the writable fields of a validated PUT into the stored incident (full replace), keeping
// the service-owned AutoAssigned labels.
void ApplyArmInput(const ArmIncident& input, ArmIncident* incident);

std::optional<std::string> ArmSeverity(const std::string& value);
std::optional<std::string> ArmStatus(const std::string& value);
std::optional<std::string> ArmClassification(const std::string& value);
std::optional<std::string> ArmClassificationReason(const std::string& value);

nlohmann::json RenderArmIncident(const ArmIncident& incident, const WorkspaceRef& ws);
nlohmann::json RenderArmComment(const ArmComment& comment, const WorkspaceRef& ws,
                                const std::string& incident_name);

// ARM CloudError body.
nlohmann::json ArmError(const std::string& code, const std::string& message);

}  // namespace xdrsync::emulator
