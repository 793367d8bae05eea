// Control-API operations: changes made "as an analyst" in the portals. They skip the API's
// write restrictions (any status, system tags, backdating) but are stamped and recorded the same.
#include "mirror.h"
#include "world.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

Actor AnalystFrom(const json& spec) {
  std::string who = spec.is_object() ? spec.value("author", "analyst@contoso.com") : "analyst@contoso.com";
  return {"analyst", who, "00000000-0000-0000-0000-00000000a11e"};
}

// Splits a control spec into the API-writable part (validated by ApplyGraphPatch) and the rest.
std::string ApplyAnalystGraph(const json& spec, GraphIncident* incident) {
  json writable = json::object();
  for (const char* key : {"assignedTo", "classification", "determination", "customTags",
                          "displayName", "description", "severity", "summary", "resolvingComment"}) {
    if (spec.contains(key)) writable[key] = spec[key];
  }
  std::string error = ApplyGraphPatch(writable, incident);
  if (!error.empty()) return error;
  if (spec.contains("status")) {
    auto status = spec["status"].is_string() ? GraphIncidentStatus(spec["status"].get<std::string>()) : std::nullopt;
    if (!status) return "invalid status";
    incident->status = *status;
  }
  if (spec.contains("priorityScore")) {
    incident->priority_score = spec["priorityScore"].is_number_integer()
                                   ? std::optional<int>(spec["priorityScore"].get<int>())
                                   : std::nullopt;
  }
  if (spec.contains("systemTags") && spec["systemTags"].is_array()) {
    incident->system_tags = spec["systemTags"].get<std::vector<std::string>>();
  }
  if (spec.contains("redirectIncidentId") && spec["redirectIncidentId"].is_string()) {
    incident->redirect_incident_id = spec["redirectIncidentId"].get<std::string>();
  }
  return "";
}

}  // namespace

ApiResult World::ControlCreateGraphIncident(const std::string& tenant, const json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!tenants_.count(tenant)) return GraphError(404, "NotFound", "unknown tenant '" + tenant + "'");
  if (!spec.is_object()) return GraphError(400, "BadRequest", "body must be a JSON object");
  GraphIncident probe;
  std::string error = ApplyAnalystGraph(spec, &probe);
  if (!error.empty()) return GraphError(400, "BadRequest", error);
  Tenant& t = tenants_[tenant];
  GraphIncident& incident = NewGraphIncident(tenant, t);
  incident.display_name = "Incident " + incident.id;
  (void)ApplyAnalystGraph(spec, &incident);
  if (spec.contains("createdDateTime")) {
    if (auto when = ParseTime(spec.value("createdDateTime", ""))) incident.created = incident.last_update = *when;
  }
  Actor analyst = AnalystFrom(spec);
  incident.last_modified_by = analyst.display_name;
  std::vector<json> alerts;
  if (spec.contains("alerts") && spec["alerts"].is_array()) {
    for (const auto& a : spec["alerts"]) alerts.push_back(a);
  }
  for (int i = 0; i < spec.value("alertCount", 0); ++i) alerts.push_back(json::object());
  for (const auto& a : alerts) {
    GraphAlert alert;
    alert.id = "da" + std::to_string(next_alert_id_++) + "_" + incident.id;
    alert.tenant_id = tenant;
    alert.incident_id = incident.id;
    alert.title = a.value("title", incident.display_name);
    alert.severity = a.value("severity", incident.severity);
    alert.service_source = a.value("serviceSource", alert.service_source);
    alert.detection_source = a.value("detectionSource", alert.detection_source);
    alert.product_name = a.value("productName", alert.product_name);
    alert.category = a.value("category", "Execution");
    alert.detector_id = a.value("detectorId", "");
    alert.recommended_actions = a.value("recommendedActions", "");
    alert.created = alert.last_update = incident.created;
    t.alerts[alert.id] = alert;
    incident.alert_ids.push_back(alert.id);
  }
  if (spec.contains("comments") && spec["comments"].is_array()) {
    for (const auto& c : spec["comments"]) {
      if (c.is_string()) incident.comments.push_back({c.get<std::string>(), analyst.display_name, incident.created});
    }
  }
  MirrorToArm(tenant, &incident);
  Record(analyst, "graph.incident.create", tenant + "/" + incident.id, spec);
  json out = RenderGraphIncident(incident, {true, true}, AlertsOf(t, incident));
  out["_armName"] = incident.arm_name;
  out["_workspace"] = incident.workspace;
  return {201, out};
}

ApiResult World::ControlUpdateGraphIncident(const std::string& tenant, const std::string& id,
                                            const json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& t = tenants_[tenant];
  auto it = t.incidents.find(id);
  if (it == t.incidents.end()) return GraphError(404, "NotFound", "Incident '" + id + "' was not found.");
  GraphIncident probe = it->second;
  std::string error = ApplyAnalystGraph(spec, &probe);
  if (!error.empty()) return GraphError(400, "BadRequest", error);
  Touch(&it->second, false);
  (void)ApplyAnalystGraph(spec, &it->second);
  Actor analyst = AnalystFrom(spec);
  it->second.last_update = clock_->Now();
  it->second.last_modified_by = analyst.display_name;
  MirrorToArm(tenant, &it->second);
  Record(analyst, "graph.incident.update", tenant + "/" + id, spec);
  return {200, RenderGraphIncident(it->second, {true, true}, AlertsOf(t, it->second))};
}

ApiResult World::ControlAddGraphAlert(const std::string& tenant, const json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!tenants_.count(tenant) || !spec.is_object()) return GraphError(404, "NotFound", "unknown tenant");
  Tenant& t = tenants_[tenant];
  std::string incident_id = spec.value("incidentId", "");
  GraphIncident* incident;
  if (incident_id.empty()) {
    incident = &NewGraphIncident(tenant, t);
    incident->display_name = spec.value("title", "Incident " + incident->id);
    incident->severity = spec.value("severity", "medium");
  } else {
    auto it = t.incidents.find(incident_id);
    if (it == t.incidents.end()) return GraphError(404, "NotFound", "Incident '" + incident_id + "' was not found.");
    incident = &it->second;
    Touch(incident, false);
  }
  TimePoint now = clock_->Now();
  int count = std::max(1, spec.value("count", 1));
  json created = json::array();
  for (int i = 0; i < count; ++i) {
    GraphAlert alert;
    alert.id = "da" + std::to_string(next_alert_id_++) + "_" + incident->id;
    alert.tenant_id = tenant;
    alert.incident_id = incident->id;
    alert.title = spec.value("title", incident->display_name);
    alert.severity = spec.value("severity", "medium");
    alert.service_source = spec.value("serviceSource", alert.service_source);
    alert.detection_source = spec.value("detectionSource", alert.detection_source);
    alert.product_name = spec.value("productName", alert.product_name);
    alert.category = spec.value("category", "Execution");
    alert.detector_id = spec.value("detectorId", "");
    alert.recommended_actions = spec.value("recommendedActions", "");
    alert.created = alert.last_update = now;
    t.alerts[alert.id] = alert;
    incident->alert_ids.push_back(alert.id);
    created.push_back(alert.id);
  }
  incident->last_update = now;
  MirrorToArm(tenant, incident);
  Record(AnalystFrom(spec), "graph.alert.create", tenant + "/" + incident->id, {{"alertIds", created}});
  return {201, {{"incidentId", incident->id}, {"alertIds", created}}};
}

ApiResult World::ControlUpdateGraphAlert(const std::string& tenant, const std::string& alert_id,
                                         const json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& t = tenants_[tenant];
  auto it = t.alerts.find(alert_id);
  if (it == t.alerts.end()) return GraphError(404, "NotFound", "Alert '" + alert_id + "' was not found.");
  GraphAlert next = it->second;
  auto set_enum = [&](const char* key, auto parse, std::optional<std::string>* field) -> bool {
    if (!spec.contains(key)) return true;
    if (spec[key].is_null()) {
      field->reset();
      return true;
    }
    auto v = spec[key].is_string() ? parse(spec[key].get<std::string>()) : std::nullopt;
    if (v) *field = *v;
    return v.has_value();
  };
  std::optional<std::string> status = next.status, severity = next.severity;
  if (!set_enum("status", GraphAlertStatus, &status) || !set_enum("severity", GraphSeverity, &severity) ||
      !set_enum("classification", GraphClassification, &next.classification) ||
      !set_enum("determination", GraphDetermination, &next.determination)) {
    return GraphError(400, "BadRequest", "invalid enum value in alert change");
  }
  next.status = status.value_or("new");
  next.severity = severity.value_or("medium");
  if (spec.contains("assignedTo")) {
    next.assigned_to = spec["assignedTo"].is_string() ? std::optional<std::string>(spec["assignedTo"].get<std::string>())
                                                      : std::nullopt;
  }
  next.title = spec.value("title", next.title);
  TimePoint now = clock_->Now();
  next.last_update = now;
  it->second = next;
  // An alert change is an incident change too: its lastUpdateDateTime moves.
  auto incident = t.incidents.find(next.incident_id);
  if (incident != t.incidents.end()) {
    Touch(&incident->second, false);
    incident->second.last_update = now;
    MirrorToArm(tenant, &incident->second);
  }
  Record(AnalystFrom(spec), "graph.alert.update", tenant + "/" + next.incident_id + "/" + alert_id, spec);
  return {200, RenderGraphAlert(next, {true, false})};
}

ApiResult World::ControlGraphComment(const std::string& tenant, const std::string& id, const json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& t = tenants_[tenant];
  auto it = t.incidents.find(id);
  if (it == t.incidents.end()) return GraphError(404, "NotFound", "Incident '" + id + "' was not found.");
  if (!spec.is_object() || !spec.contains("comment") || !spec["comment"].is_string()) {
    return GraphError(400, "BadRequest", "give 'comment'");
  }
  return AddCommentLocked(tenant, it->second, spec["comment"].get<std::string>(), AnalystFrom(spec));
}

}  // namespace xdrsync::emulator
