// Control-API operations on Sentinel incidents, as an analyst or an analytics rule would make them.
#include "mirror.h"
#include "world.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

Actor AnalystFrom(const json& spec) {
  std::string who = spec.is_object() ? spec.value("author", "analyst@contoso.com") : "analyst@contoso.com";
  return {"analyst", who, "00000000-0000-0000-0000-00000000a11e"};
}

json PropertiesOf(const json& spec) {
  if (spec.contains("properties") && spec["properties"].is_object()) return spec["properties"];
  json props = spec;
  for (const char* key : {"name", "graph_visible", "alertsCount", "author"}) props.erase(key);
  return props;
}

}  // namespace

ApiResult World::ControlCreateArmIncident(const std::string& workspace, const json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  auto wit = workspaces_.find(workspace);
  if (wit == workspaces_.end() || !spec.is_object()) {
    return {404, ArmError("NotFound", "unknown workspace '" + workspace + "'")};
  }
  Workspace& ws = wit->second;
  json props = PropertiesOf(spec);
  if (!props.contains("title")) props["title"] = "Sentinel incident";
  if (!props.contains("severity")) props["severity"] = "Medium";
  if (!props.contains("status")) props["status"] = "New";
  ArmIncidentInput input;
  std::string code, message;
  if (!ParseArmIncidentPut({{"properties", props}}, &input, &code, &message)) {
    return {400, ArmError(code, message)};
  }
  Actor analyst = AnalystFrom(spec);
  TimePoint now = clock_->Now();
  if (spec.contains("name") && ws.incidents.count(spec.value("name", ""))) {
    return {409, ArmError("Conflict", "incident '" + spec.value("name", "") + "' exists")};
  }
  if (ws.config.onboarded && spec.value("graph_visible", true)) {
    // In an onboarded workspace, analytics-rule incidents live in Defender and show in both APIs.
    Tenant& t = tenants_[ws.config.tenant];
    GraphIncident& graph = NewGraphIncident(ws.config.tenant, t);
    ArmIncident shape;
    ApplyArmInput(input.fields, &shape);
    GraphFromArm(shape, &graph);
    graph.last_modified_by = analyst.display_name;
    graph.workspace = ws.config.name;
    graph.arm_name = spec.value("name", ids_->Guid());
    MirrorToArm(ws.config.tenant, &graph);
    Record(analyst, "arm.incident.create", workspace + "/" + graph.arm_name, spec);
    json out = RenderArmIncident(ws.incidents[graph.arm_name], ws.Ref());
    out["_graphId"] = graph.id;
    return {201, out};
  }
  std::string name = spec.value("name", ids_->Guid());
  ArmIncident& incident = ws.incidents[name];
  Touch(&incident, true);
  incident.name = name;
  incident.number = ws.next_number++;
  incident.created = incident.modified = now;
  incident.provider_incident_id = std::to_string(incident.number);
  incident.alerts_count = spec.value("alertsCount", 1);
  incident.alert_product_names = {"Azure Sentinel"};
  ApplyArmInput(input.fields, &incident);
  for (const auto& l : input.fields.labels) {
    if (l.type == "AutoAssigned") {
      for (auto& stored : incident.labels) {
        if (stored.name == l.name) stored.type = "AutoAssigned";
      }
    }
  }
  incident.etag = ids_->QuotedGuid();
  Record(analyst, "arm.incident.create", workspace + "/" + name, spec);
  return {201, RenderArmIncident(incident, ws.Ref())};
}

ApiResult World::ControlUpdateArmIncident(const std::string& workspace, const std::string& name,
                                          const json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  auto wit = workspaces_.find(workspace);
  if (wit == workspaces_.end()) return {404, ArmError("NotFound", "unknown workspace")};
  Workspace& ws = wit->second;
  auto it = ws.incidents.find(name);
  if (it == ws.incidents.end()) return {404, ArmError("NotFound", "Incident '" + name + "' was not found.")};
  json merged = RenderArmIncident(it->second, ws.Ref())["properties"];
  merged.merge_patch(PropertiesOf(spec));
  ArmIncidentInput input;
  std::string code, message;
  if (!ParseArmIncidentPut({{"properties", merged}}, &input, &code, &message)) {
    return {400, ArmError(code, message)};
  }
  Touch(&it->second, false);
  ApplyArmInput(input.fields, &it->second);
  it->second.modified = clock_->Now();
  it->second.etag = ids_->QuotedGuid();
  MirrorToGraph(ws, it->second, AnalystFrom(spec).display_name);
  Record(AnalystFrom(spec), "arm.incident.update", workspace + "/" + name, spec);
  return {200, RenderArmIncident(it->second, ws.Ref())};
}

ApiResult World::ControlArmComment(const std::string& workspace, const std::string& name,
                                   const json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  auto wit = workspaces_.find(workspace);
  if (wit == workspaces_.end()) return {404, ArmError("NotFound", "unknown workspace")};
  auto it = wit->second.incidents.find(name);
  if (it == wit->second.incidents.end()) return {404, ArmError("NotFound", "Incident '" + name + "' was not found.")};
  if (!spec.is_object() || !spec.contains("message") || !spec["message"].is_string()) {
    return {400, ArmError("BadRequest", "give 'message'")};
  }
  Actor analyst = AnalystFrom(spec);
  ApiResult result = AddArmCommentLocked(wit->second, it->second, ids_->Guid(),
                                         spec["message"].get<std::string>(), analyst, true);
  Record(analyst, "arm.comment.create", workspace + "/" + name, spec);
  return result;
}

}  // namespace xdrsync::emulator
