#include "graph_model.h"

#include <algorithm>
#include <cctype>

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

std::optional<std::string> Member(const std::vector<std::string>& members, const std::string& v) {
  for (const auto& m : members) {
    if (m.size() == v.size() &&
        std::equal(m.begin(), m.end(), v.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return m;
    }
  }
  return std::nullopt;
}

json Nullable(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

// Evolvable enums: members after unknownFutureValue are only sent to clients that opt in.
std::string Evolvable(const std::string& value, const std::vector<std::string>& late_members,
                      const GraphRender& how) {
  if (how.include_unknown_enum_members) return value;
  return std::find(late_members.begin(), late_members.end(), value) != late_members.end()
             ? "unknownFutureValue"
             : value;
}

const std::vector<std::string> kLateDetectionSources = {
    "microsoftDefenderForCloud", "microsoftDefenderForIoT", "microsoftDefenderForServers",
    "microsoftDefenderForStorage", "microsoftDefenderForDNS", "microsoftDefenderForDatabases",
    "microsoftDefenderForContainers", "microsoftDefenderForNetwork",
    "microsoftDefenderForAppService", "microsoftDefenderForKeyVault",
    "microsoftDefenderForResourceManager", "microsoftDefenderForApiManagement", "nrtAlerts",
    "scheduledAlerts", "microsoftDefenderThreatIntelligenceAnalytics", "builtInMl",
    "microsoftInsiderRiskManagement", "microsoftThreatIntelligence",
    "microsoftDefenderForAIServices", "securityCopilot", "microsoftSentinel"};
const std::vector<std::string> kLateServiceSources = {
    "microsoftDefenderForCloud", "microsoftSentinel", "microsoftInsiderRiskManagement",
    "microsoftThreatIntelligence"};

}  // namespace

std::optional<std::string> GraphIncidentStatus(const std::string& v) {
  return Member({"active", "resolved", "inProgress", "redirected", "unknownFutureValue",
                 "awaitingAction"}, v);
}
std::optional<std::string> GraphSeverity(const std::string& v) {
  return Member({"unknown", "informational", "low", "medium", "high", "unknownFutureValue"}, v);
}
std::optional<std::string> GraphClassification(const std::string& v) {
  return Member({"unknown", "falsePositive", "truePositive", "informationalExpectedActivity",
                 "unknownFutureValue"}, v);
}
std::optional<std::string> GraphDetermination(const std::string& v) {
  return Member({"unknown", "apt", "malware", "securityPersonnel", "securityTesting",
                 "unwantedSoftware", "other", "multiStagedAttack", "compromisedAccount",
                 "phishing", "maliciousUserActivity", "notMalicious", "notEnoughDataToValidate",
                 "confirmedActivity", "lineOfBusinessApplication", "unknownFutureValue"}, v);
}
std::optional<std::string> GraphAlertStatus(const std::string& v) {
  return Member({"unknown", "new", "inProgress", "resolved", "unknownFutureValue"}, v);
}
std::optional<std::string> GraphServiceSource(const std::string& v) {
  std::vector<std::string> members = {
      "unknown", "microsoftDefenderForEndpoint", "microsoftDefenderForIdentity",
      "microsoftDefenderForCloudApps", "microsoftDefenderForOffice365", "microsoft365Defender",
      "azureAdIdentityProtection", "microsoftAppGovernance", "dataLossPrevention", "unknownFutureValue"};
  members.insert(members.end(), kLateServiceSources.begin(), kLateServiceSources.end());
  return Member(members, v);
}

std::string ApplyGraphPatch(const json& body, GraphIncident* incident) {
  if (!body.is_object()) return "The request body must be a JSON object.";
  GraphIncident next = *incident;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& key = it.key();
    const json& value = it.value();
    auto text = [&](std::optional<std::string>* field) -> std::string {
      if (value.is_null()) {
        field->reset();
      } else if (value.is_string()) {
        *field = value.get<std::string>();
      } else {
        return "Invalid value for property '" + key + "': a string is expected.";
      }
      return "";
    };
    auto enumerated = [&](std::optional<std::string>* field, auto parse) -> std::string {
      if (value.is_null()) {
        field->reset();
        return "";
      }
      auto parsed = value.is_string() ? parse(value.get<std::string>()) : std::nullopt;
      if (!parsed) return "Requested value '" + value.dump() + "' was not found for property '" + key + "'.";
      *field = *parsed;
      return "";
    };
    std::string error;
    if (key == "@odata.type") {
      continue;
    } else if (key == "assignedTo") {
      error = text(&next.assigned_to);
    } else if (key == "description") {
      error = text(&next.description);
    } else if (key == "summary") {
      error = text(&next.summary);
    } else if (key == "resolvingComment") {
      error = text(&next.resolving_comment);
    } else if (key == "displayName") {
      if (!value.is_string()) return "Invalid value for property 'displayName'.";
      next.display_name = value.get<std::string>();
    } else if (key == "classification") {
      error = enumerated(&next.classification, GraphClassification);
    } else if (key == "determination") {
      error = enumerated(&next.determination, GraphDetermination);
    } else if (key == "status" || key == "severity") {
      auto parsed = !value.is_string() ? std::nullopt
                    : key == "status"  ? GraphIncidentStatus(value.get<std::string>())
                                       : GraphSeverity(value.get<std::string>());
      if (!parsed || *parsed == "unknownFutureValue") {
        return "Requested value '" + value.dump() + "' was not found for property '" + key + "'.";
      }
      // Merges and Defender Experts set these; an API client cannot.
      if (*parsed == "redirected" || *parsed == "awaitingAction") {
        return "The status '" + *parsed + "' cannot be set through this API.";
      }
      (key == "status" ? next.status : next.severity) = *parsed;
    } else if (key == "customTags") {
      if (!value.is_array()) return "Invalid value for property 'customTags': an array is expected.";
      std::vector<std::string> tags;
      for (const auto& tag : value) {
        if (!tag.is_string()) return "Invalid value in 'customTags'.";
        tags.push_back(tag.get<std::string>());
      }
      next.custom_tags = tags;
    } else {
      return "The property '" + key +
             "' does not exist on type 'microsoft.graph.security.incident' or is not writable.";
    }
    if (!error.empty()) return error;
  }
  *incident = next;
  return "";
}

json RenderGraphComment(const GraphComment& c) {
  return {{"@odata.type", "microsoft.graph.security.alertComment"},
          {"comment", c.comment},
          {"createdByDisplayName", c.created_by},
          {"createdDateTime", FormatTime(c.created)}};
}

json RenderGraphAlert(const GraphAlert& a, const GraphRender& how) {
  json comments = json::array();
  return {{"@odata.type", "#microsoft.graph.security.alert"},
          {"id", a.id},
          {"providerAlertId", a.id},
          {"incidentId", a.incident_id},
          {"status", a.status},
          {"severity", a.severity},
          {"classification", Nullable(a.classification)},
          {"determination", Nullable(a.determination)},
          {"serviceSource", Evolvable(a.service_source, kLateServiceSources, how)},
          {"detectionSource", Evolvable(a.detection_source, kLateDetectionSources, how)},
          {"productName", a.product_name},
          {"title", a.title},
          {"description", a.description},
          {"category", a.category},
          {"assignedTo", Nullable(a.assigned_to)},
          {"mitreTechniques", a.mitre_techniques},
          {"tenantId", a.tenant_id},
          {"alertWebUrl", "https://security.microsoft.com/alerts/" + a.id + "?tid=" + a.tenant_id},
          {"incidentWebUrl",
           "https://security.microsoft.com/incidents/" + a.incident_id + "?tid=" + a.tenant_id},
          {"createdDateTime", FormatTime(a.created)},
          {"lastUpdateDateTime", FormatTime(a.last_update)},
          {"firstActivityDateTime", FormatTime(a.created)},
          {"lastActivityDateTime", FormatTime(a.last_update)},
          {"resolvedDateTime", a.status == "resolved" ? json(FormatTime(a.last_update)) : json(nullptr)},
          {"actorDisplayName", nullptr},
          {"threatDisplayName", nullptr},
          {"threatFamilyName", nullptr},
          {"detectorId", a.detector_id.empty() ? json(nullptr) : json(a.detector_id)},
          {"alertPolicyId", nullptr},
          {"recommendedActions", a.recommended_actions},
          {"customDetails", json::object()},
          {"additionalData", json::object()},
          {"systemTags", json::array()},
          {"comments", comments},
          {"evidence", json::array()}};
}

json RenderGraphIncident(const GraphIncident& i, const GraphRender& how,
                         const std::vector<const GraphAlert*>& alerts) {
  json comments = json::array();
  for (const auto& c : i.comments) comments.push_back(RenderGraphComment(c));
  json out = {
      {"id", i.id},
      {"tenantId", i.tenant_id},
      {"status", Evolvable(i.status, {"awaitingAction"}, how)},
      {"incidentWebUrl", "https://security.microsoft.com/incidents/" + i.id + "?tid=" + i.tenant_id},
      {"redirectIncidentId", Nullable(i.redirect_incident_id)},
      {"displayName", i.display_name},
      {"createdDateTime", FormatTime(i.created)},
      {"lastUpdateDateTime", FormatTime(i.last_update)},
      {"assignedTo", Nullable(i.assigned_to)},
      {"classification", Nullable(i.classification)},
      {"determination", Nullable(i.determination)},
      {"severity", i.severity},
      {"customTags", i.custom_tags},
      {"systemTags", i.system_tags},
      {"description", Nullable(i.description)},
      {"summary", Nullable(i.summary)},
      {"resolvingComment", Nullable(i.resolving_comment)},
      {"lastModifiedBy", Nullable(i.last_modified_by)},
      {"priorityScore", i.priority_score ? json(*i.priority_score) : json(nullptr)},
      {"comments", comments}};
  if (how.expand_alerts) {
    json list = json::array();
    for (const GraphAlert* a : alerts) list.push_back(RenderGraphAlert(*a, how));
    out["alerts"] = list;
  }
  return out;
}

}  // namespace xdrsync::emulator
