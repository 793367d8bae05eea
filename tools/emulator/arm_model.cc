#include "arm_model.h"

#include <algorithm>
#include <cctype>

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

std::optional<std::string> Member(std::initializer_list<const char*> members, const std::string& v) {
  for (const char* m : members) {
    std::string s(m);
    if (s.size() == v.size() && std::equal(s.begin(), s.end(), v.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return s;
    }
  }
  return std::nullopt;
}

bool ReasonFits(const std::string& classification, const std::string& reason) {
  if (classification == "TruePositive") return reason == "SuspiciousActivity";
  if (classification == "BenignPositive") return reason == "SuspiciousButExpected";
  if (classification == "FalsePositive") {
    return reason == "IncorrectAlertLogic" || reason == "InaccurateData";
  }
  return false;
}

}  // namespace

std::string WorkspaceRef::IncidentsPath() const {
  return "/subscriptions/" + subscription + "/resourceGroups/" + resource_group +
         "/providers/Microsoft.OperationalInsights/workspaces/" + name +
         "/providers/Microsoft.SecurityInsights/incidents";
}

std::optional<std::string> ArmSeverity(const std::string& v) {
  return Member({"High", "Medium", "Low", "Informational"}, v);
}
std::optional<std::string> ArmStatus(const std::string& v) {
  return Member({"New", "Active", "Closed"}, v);
}
std::optional<std::string> ArmClassification(const std::string& v) {
  return Member({"Undetermined", "TruePositive", "BenignPositive", "FalsePositive"}, v);
}
std::optional<std::string> ArmClassificationReason(const std::string& v) {
  return Member({"SuspiciousActivity", "SuspiciousButExpected", "IncorrectAlertLogic",
                 "InaccurateData"}, v);
}

void ApplyArmInput(const ArmIncident& f, ArmIncident* incident) {
  incident->title = f.title;
  incident->description = f.description;
  incident->severity = f.severity;
  incident->status = f.status;
  incident->classification = f.classification;
  incident->classification_reason = f.classification_reason;
  incident->classification_comment = f.classification_comment;
  incident->owner = f.owner;
  if (!f.first_activity.empty()) incident->first_activity = f.first_activity;
  if (!f.last_activity.empty()) incident->last_activity = f.last_activity;
  std::vector<ArmLabel> labels;
  for (const auto& l : incident->labels) {
    if (l.type == "AutoAssigned") labels.push_back(l);
  }
  for (const auto& l : f.labels) {
    bool dup = std::any_of(labels.begin(), labels.end(), [&](const ArmLabel& x) { return x.name == l.name; });
    if (!dup) labels.push_back({l.name, "User"});
  }
  incident->labels = labels;
}

json ArmError(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

bool ParseArmIncidentPut(const json& body, ArmIncidentInput* out, std::string* code,
                         std::string* message) {
  *code = "BadRequest";
  if (!body.is_object() || !body.contains("properties") || !body["properties"].is_object()) {
    *message = "The request content is missing the 'properties' object.";
    return false;
  }
  if (body.contains("etag") && body["etag"].is_string()) out->etag = body["etag"].get<std::string>();
  const json& p = body["properties"];
  auto str = [&](const char* key) -> std::string {
    auto it = p.find(key);
    return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  ArmIncident& f = out->fields;
  for (const char* required : {"title", "severity", "status"}) {
    if (str(required).empty()) {
      *message = std::string("The '") + required + "' property is required.";
      return false;
    }
  }
  f.title = str("title");
  f.description = str("description");
  f.classification_comment = str("classificationComment");
  f.first_activity = str("firstActivityTimeUtc");
  f.last_activity = str("lastActivityTimeUtc");
  auto severity = ArmSeverity(str("severity"));
  auto status = ArmStatus(str("status"));
  if (!severity) {
    *message = "Error converting value \"" + str("severity") + "\" to type 'IncidentSeverity'.";
    return false;
  }
  if (!status) {
    *message = "Error converting value \"" + str("status") + "\" to type 'IncidentStatus'.";
    return false;
  }
  f.severity = *severity;
  f.status = *status;
  if (!str("classification").empty()) {
    auto c = ArmClassification(str("classification"));
    if (!c) {
      *message = "Error converting value \"" + str("classification") +
                 "\" to type 'IncidentClassification'.";
      return false;
    }
    f.classification = *c;
  }
  if (!str("classificationReason").empty()) {
    auto r = ArmClassificationReason(str("classificationReason"));
    if (!r) {
      *message = "Error converting value \"" + str("classificationReason") +
                 "\" to type 'IncidentClassificationReason'.";
      return false;
    }
    f.classification_reason = *r;
  }
  if (f.status == "Closed" && f.classification.empty()) {
    *message = "Closing an incident requires a classification.";
    return false;
  }
  if (!f.classification.empty() && f.classification != "Undetermined" &&
      !ReasonFits(f.classification, f.classification_reason)) {
    *message = "classification '" + f.classification + "' must have a matching classificationReason";
    return false;
  }
  if (f.classification == "Undetermined" && !f.classification_reason.empty()) {
    *message = "classification 'Undetermined' must not have a classificationReason";
    return false;
  }
  if (p.contains("owner") && p["owner"].is_object()) {
    f.owner = p["owner"];
    if (f.owner.contains("ownerType") && f.owner["ownerType"].is_string()) {
      std::string t = f.owner["ownerType"].get<std::string>();
      if (t != "Unknown" && t != "User" && t != "Group") {
        *message = "Error converting value \"" + t + "\" to type 'OwnerType'.";
        return false;
      }
    }
  }
  if (p.contains("labels") && p["labels"].is_array()) {
    for (const auto& l : p["labels"]) {
      if (!l.is_object() || !l.contains("labelName") || !l["labelName"].is_string()) {
        *message = "Each label requires a 'labelName'.";
        return false;
      }
      ArmLabel label;
      label.name = l["labelName"].get<std::string>();
      if (l.contains("labelType") && l["labelType"].is_string()) {
        label.type = l["labelType"].get<std::string>();
        if (label.type != "User" && label.type != "AutoAssigned") {
          *message = "Error converting value \"" + label.type + "\" to type 'IncidentLabelType'.";
          return false;
        }
      }
      f.labels.push_back(label);
    }
  }
  return true;
}

namespace {

// The service always sends the four owner fields, null when unassigned (the spec's payloads),
// and ownerType only when it is known.
json RenderOwner(const json& stored) {
  json owner = json::object();
  for (const char* key : {"objectId", "email", "assignedTo", "userPrincipalName"}) {
    auto it = stored.find(key);
    owner[key] = it != stored.end() && it->is_string() ? *it : json(nullptr);
  }
  auto type = stored.find("ownerType");
  if (type != stored.end() && type->is_string()) owner["ownerType"] = *type;
  return owner;
}

}  // namespace

json RenderArmIncident(const ArmIncident& i, const WorkspaceRef& ws) {
  std::string id = ws.IncidentsPath() + "/" + i.name;
  json labels = json::array();
  for (const auto& l : i.labels) labels.push_back({{"labelName", l.name}, {"labelType", l.type}});
  json props = {
      {"title", i.title},
      {"severity", i.severity},
      {"status", i.status},
      {"owner", RenderOwner(i.owner)},
      {"labels", labels},
      {"createdTimeUtc", FormatTime(i.created)},
      {"lastModifiedTimeUtc", FormatTime(i.modified)},
      {"incidentNumber", i.number},
      {"incidentUrl", "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident" + id},
      {"providerName", i.provider_name},
      {"providerIncidentId", i.provider_incident_id},
      {"relatedAnalyticRuleIds", json::array()},
      {"additionalData",
       {{"alertsCount", std::min(i.alerts_count, 150)},
        {"bookmarksCount", 0},
        {"commentsCount", i.comments.size()},
        {"alertProductNames", i.alert_product_names},
        {"tactics", json::array()},
        {"providerIncidentUrl", i.provider_incident_url}}}};
  if (!i.description.empty()) props["description"] = i.description;
  if (!i.classification.empty()) props["classification"] = i.classification;
  if (!i.classification_reason.empty()) props["classificationReason"] = i.classification_reason;
  if (!i.classification_comment.empty()) props["classificationComment"] = i.classification_comment;
  if (!i.first_activity.empty()) props["firstActivityTimeUtc"] = i.first_activity;
  if (!i.last_activity.empty()) props["lastActivityTimeUtc"] = i.last_activity;
  return {{"id", id},
          {"name", i.name},
          {"type", "Microsoft.SecurityInsights/incidents"},
          {"etag", i.etag},
          {"properties", props}};
}

json RenderArmComment(const ArmComment& c, const WorkspaceRef& ws, const std::string& incident) {
  return {{"id", ws.IncidentsPath() + "/" + incident + "/comments/" + c.name},
          {"name", c.name},
          {"type", "Microsoft.SecurityInsights/Incidents/Comments"},
          {"etag", c.etag},
          {"properties",
           {{"message", c.message},
            {"createdTimeUtc", FormatTime(c.created)},
            {"lastModifiedTimeUtc", FormatTime(c.modified)},
            {"author",
             {{"objectId", c.author_object_id},
              {"email", c.author_email},
              {"name", c.author_name},
              {"userPrincipalName", c.author_email}}}}}};
}

}  // namespace xdrsync::emulator
