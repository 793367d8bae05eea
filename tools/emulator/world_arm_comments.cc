// ARM incident comments and the alerts action, with Sentinel's per-incident limits.
#include <algorithm>

#include "world.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

constexpr size_t kMaxCommentChars = 30000;
constexpr size_t kMaxComments = 100;
constexpr size_t kMaxAlerts = 150;

ApiResult WorkspaceNotFound(const WorkspaceRef& ws) {
  return {404, ArmError("ResourceNotFound",
                        "The Resource 'Microsoft.OperationalInsights/workspaces/" + ws.name +
                            "' under resource group '" + ws.resource_group + "' was not found.")};
}

}  // namespace

ApiResult World::AddArmCommentLocked(Workspace& ws, ArmIncident& incident, const std::string& name,
                                     const std::string& message, const Actor& actor, bool mirror) {
  TimePoint now = clock_->Now();
  Touch(&incident, false);
  auto existing = std::find_if(incident.comments.begin(), incident.comments.end(),
                               [&](const ArmComment& c) { return c.name == name; });
  bool created = existing == incident.comments.end();
  if (created) {
    incident.comments.push_back({name, message, actor.object_id, actor.display_name,
                                 actor.display_name, ids_->Guid(), now, now});
    existing = incident.comments.end() - 1;
  } else {
    existing->message = message;
    existing->modified = now;
    existing->etag = ids_->Guid();
  }
  // A new comment bumps the incident: a concurrent incident PUT with the old etag gets 409.
  incident.modified = now;
  incident.etag = ids_->QuotedGuid();
  if (mirror && created && !incident.graph_id.empty()) {
    auto& graph = tenants_[ws.config.tenant].incidents;
    auto g = graph.find(incident.graph_id);
    if (g != graph.end()) {
      Touch(&g->second, false);
      g->second.comments.push_back({message, actor.display_name, now});
      g->second.last_update = now;
    }
  }
  return {created ? 201 : 200, RenderArmComment(*existing, ws.Ref(), incident.name)};
}

ArmIncident* World::FindArmIncidentLocked(const WorkspaceRef& ref, const std::string& name, ApiResult* error) {
  Workspace* ws = FindWorkspace(ref);
  if (!ws) {
    *error = WorkspaceNotFound(ref);
    return nullptr;
  }
  auto it = ws->incidents.find(name);
  if (it == ws->incidents.end()) {
    *error = {404, ArmError("NotFound", "Incident '" + name + "' was not found.")};
    return nullptr;
  }
  return &it->second;
}

ApiResult World::ArmListComments(const WorkspaceRef& ref, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  ApiResult error;
  ArmIncident* incident = FindArmIncidentLocked(ref, name, &error);
  if (!incident) return error;
  json value = json::array();
  for (const auto& c : incident->comments) value.push_back(RenderArmComment(c, ref, name));
  return {200, {{"value", value}}};
}

ApiResult World::ArmGetComment(const WorkspaceRef& ref, const std::string& name, const std::string& comment_name) {
  std::lock_guard<std::mutex> lock(mu_);
  ApiResult error;
  ArmIncident* incident = FindArmIncidentLocked(ref, name, &error);
  if (!incident) return error;
  for (const auto& c : incident->comments) {
    if (c.name == comment_name) return {200, RenderArmComment(c, ref, name)};
  }
  return {404, ArmError("NotFound", "Comment '" + comment_name + "' was not found.")};
}

ApiResult World::ArmDeleteComment(const WorkspaceRef& ref, const std::string& name, const std::string& comment_name,
                                  const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  ApiResult error;
  ArmIncident* incident = FindArmIncidentLocked(ref, name, &error);
  if (!incident) return error;
  auto it = std::find_if(incident->comments.begin(), incident->comments.end(),
                         [&](const ArmComment& c) { return c.name == comment_name; });
  if (it == incident->comments.end()) return {204, nullptr};
  Touch(incident, false);
  incident->comments.erase(it);
  // Like a new comment, a deletion changes the incident (commentsCount) and so its etag.
  incident->modified = clock_->Now();
  incident->etag = ids_->QuotedGuid();
  Record(actor, "arm.comment.delete", ref.name + "/" + name + "/" + comment_name, json::object());
  return {200, nullptr};
}

ApiResult World::ArmListEntities(const WorkspaceRef& ref, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  ApiResult error;
  if (!FindArmIncidentLocked(ref, name, &error)) return error;
  return {200, {{"entities", json::array()}, {"metaData", json::array()}}};
}

ApiResult World::ArmListBookmarks(const WorkspaceRef& ref, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  ApiResult error;
  if (!FindArmIncidentLocked(ref, name, &error)) return error;
  return {200, {{"value", json::array()}}};
}

ApiResult World::ArmPutComment(const WorkspaceRef& ref, const std::string& name,
                               const std::string& comment_name, const json& body,
                               const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  Workspace* ws = FindWorkspace(ref);
  if (!ws) return WorkspaceNotFound(ref);
  auto it = ws->incidents.find(name);
  if (it == ws->incidents.end()) return {404, ArmError("NotFound", "Incident '" + name + "' was not found.")};
  if (!body.is_object() || !body.contains("properties") || !body["properties"].is_object() ||
      !body["properties"].contains("message") || !body["properties"]["message"].is_string() ||
      body["properties"]["message"].get<std::string>().empty()) {
    return {400, ArmError("BadRequest", "The 'message' property is required.")};
  }
  std::string message = body["properties"]["message"].get<std::string>();
  if (message.size() > kMaxCommentChars) {
    return {400, ArmError("BadRequest", "The comment message length " + std::to_string(message.size()) +
                                            " exceeds the maximum of 30000 characters.")};
  }
  ArmIncident& incident = it->second;
  auto existing = std::find_if(incident.comments.begin(), incident.comments.end(),
                               [&](const ArmComment& c) { return c.name == comment_name; });
  if (existing == incident.comments.end() && incident.comments.size() >= kMaxComments) {
    return {400, ArmError("BadRequest", "The incident has reached the maximum of 100 comments.")};
  }
  if (existing != incident.comments.end() && existing->author_object_id != actor.object_id) {
    return {403, ArmError("Forbidden", "Only the author of a comment can edit it.")};
  }
  ApiResult result = AddArmCommentLocked(*ws, incident, comment_name, message, actor, true);
  Record(actor, result.status == 201 ? "arm.comment.create" : "arm.comment.update",
         ref.name + "/" + name + "/" + comment_name, {{"message", message}});
  return result;
}

ApiResult World::ArmListAlerts(const WorkspaceRef& ref, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  ApiResult error;
  const ArmIncident* found = FindArmIncidentLocked(ref, name, &error);
  if (!found) return error;
  const ArmIncident& incident = *found;
  Workspace* ws = FindWorkspace(ref);
  json value = json::array();
  auto entity = [&](const std::string& id, const std::string& title, const std::string& severity,
                    const std::string& product, TimePoint when) {
    std::string t = FormatTime(when);
    value.push_back({{"id", ref.IncidentsPath() + "/" + name + "/entities/" + id},
                     {"name", id},
                     {"type", "Microsoft.SecurityInsights/Entities"},
                     {"kind", "SecurityAlert"},
                     {"properties",
                      {{"systemAlertId", id}, {"alertDisplayName", title}, {"friendlyName", title},
                       {"severity", severity}, {"status", "New"}, {"productName", product},
                       {"vendorName", "Microsoft"}, {"startTimeUtc", t}, {"endTimeUtc", t},
                       {"timeGenerated", t}, {"processingEndTime", t}}}});
  };
  if (!incident.graph_id.empty()) {
    const Tenant& t = tenants_[ws->config.tenant];
    auto g = t.incidents.find(incident.graph_id);
    if (g != t.incidents.end()) {
      for (const GraphAlert* a : AlertsOf(t, g->second)) {
        if (value.size() >= kMaxAlerts) break;
        std::string sev = a->severity;
        if (!sev.empty()) sev[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sev[0])));
        entity(a->id, a->title, sev, a->product_name, a->created);
      }
    }
  } else {
    for (int i = 0; i < incident.alerts_count && value.size() < kMaxAlerts; ++i) {
      entity(incident.name + "-alert-" + std::to_string(i + 1), incident.title, incident.severity,
             "Azure Sentinel", incident.created);
    }
  }
  return {200, {{"value", value}}};
}

}  // namespace xdrsync::emulator
