// ARM Microsoft.SecurityInsights incident operations on the world.
#include <algorithm>

#include "mirror.h"
#include "odata_query.h"
#include "world.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;
using Query = std::map<std::string, std::string>;

const FieldSpec kText{LiteralType::kString, nullptr};
const FieldSpec kTime{LiteralType::kDateTime, nullptr};

FieldSpec Enum(std::optional<std::string> (*member)(const std::string&)) {
  return {LiteralType::kEnum, member};
}

const FilterSchema kArmFilter = {
    {"properties/lastModifiedTimeUtc", kTime}, {"properties/createdTimeUtc", kTime},
    {"properties/status", Enum(ArmStatus)}, {"properties/severity", Enum(ArmSeverity)},
    {"properties/owner/assignedTo", kText}, {"properties/owner/userPrincipalName", kText},
    {"properties/owner/email", kText}, {"properties/classification", Enum(ArmClassification)},
    {"properties/incidentNumber", {LiteralType::kInt, nullptr}}, {"properties/title", kText},
    {"properties/providerName", kText}, {"properties/providerIncidentId", kText}, {"name", kText}};
const std::set<std::string> kArmTimeFields = {"properties/lastModifiedTimeUtc",
                                              "properties/createdTimeUtc"};

std::string Param(const Query& q, const std::string& key) {
  auto it = q.find(key);
  return it == q.end() ? std::string() : it->second;
}

std::optional<std::string> ArmField(const ArmIncident& i, const std::string& f) {
  if (f == "properties/lastModifiedTimeUtc") return FormatTime(i.modified);
  if (f == "properties/createdTimeUtc") return FormatTime(i.created);
  if (f == "properties/status") return i.status;
  if (f == "properties/severity") return i.severity;
  if (f == "properties/classification") {
    return i.classification.empty() ? std::nullopt : std::optional<std::string>(i.classification);
  }
  if (f == "properties/incidentNumber") return std::to_string(i.number);
  if (f == "properties/title") return i.title;
  if (f == "properties/providerName") return i.provider_name;
  if (f == "properties/providerIncidentId") return i.provider_incident_id;
  if (f == "name") return i.name;
  std::string key = f.substr(std::string("properties/owner/").size());
  if (i.owner.contains(key) && i.owner[key].is_string()) return i.owner[key].get<std::string>();
  return std::nullopt;
}

ApiResult NotFound(const std::string& what) {
  return {404, ArmError("NotFound", what + " was not found.")};
}

ApiResult WorkspaceNotFound(const WorkspaceRef& ws) {
  return {404, ArmError("ResourceNotFound",
                        "The Resource 'Microsoft.OperationalInsights/workspaces/" + ws.name +
                            "' under resource group '" + ws.resource_group + "' was not found.")};
}

}  // namespace

ApiResult World::ArmList(const WorkspaceRef& ref, const Query& q, const std::string& base_url) {
  std::lock_guard<std::mutex> lock(mu_);
  Workspace* ws = FindWorkspace(ref);
  if (!ws) return WorkspaceNotFound(ref);
  int top = settings_.arm_page_size;
  std::string t = Param(q, "$top");
  if (!t.empty()) {
    if (t.find_first_not_of("0123456789") != std::string::npos || t.size() > 9 || std::stoi(t) < 1 ||
        std::stoi(t) > 1000) {
      return {400, ArmError("BadRequest", "The $top query parameter value '" + t +
                                              "' is invalid. It must be between 1 and 1000.")};
    }
    top = std::stoi(t);
  }
  std::vector<std::string> names;
  std::string snapshot_id;
  size_t offset = 0, page = 0;
  std::string token = Param(q, "$skipToken");
  if (!token.empty()) {
    size_t d1 = token.find('.'), d2 = token.rfind('.');
    const Snapshot* snap = nullptr;
    if (d1 == std::string::npos || d2 == d1) return {400, ArmError("BadRequest", "Invalid $skipToken.")};
    snapshot_id = token.substr(0, d1);
    snap = FindSnapshot(snapshot_id);
    std::string off = token.substr(d1 + 1, d2 - d1 - 1), pg = token.substr(d2 + 1);
    if (!snap || snap->scope != "arm:" + ref.name || off.empty() || pg.empty() || off.size() > 9 || pg.size() > 9 ||
        off.find_first_not_of("0123456789") != std::string::npos ||
        pg.find_first_not_of("0123456789") != std::string::npos) {
      return {400, ArmError("BadRequest", "Invalid $skipToken.")};
    }
    offset = std::stoul(off);
    page = std::stoul(pg);
    names = snap->ids;
  } else {
    ODataFilter filter;
    OrderBy order{"properties/createdTimeUtc", true};
    std::string error;
    if (!Param(q, "$filter").empty() &&
        !ParseFilter(Param(q, "$filter"), kArmFilter, &filter, &error)) {
      return {400, ArmError("BadRequest", "Invalid $filter: " + error)};
    }
    if (!Param(q, "$orderby").empty() &&
        !ParseOrderBy(Param(q, "$orderby"), {"properties/createdTimeUtc", "properties/lastModifiedTimeUtc",
                                              "properties/incidentNumber", "name"}, &order, &error)) {
      return {400, ArmError("BadRequest", error)};
    }
    std::vector<const ArmIncident*> rows;
    for (const auto& [name, incident] : ws->incidents) {
      const ArmIncident* view = ListView(incident);
      if (view && FilterMatches(filter, [&](const std::string& f) { return ArmField(*view, f); },
                                kArmTimeFields)) {
        rows.push_back(view);
      }
    }
    std::sort(rows.begin(), rows.end(), [&](const ArmIncident* a, const ArmIncident* b) {
      if (order.field == "properties/incidentNumber" && a->number != b->number) {
        return order.descending ? a->number > b->number : a->number < b->number;
      }
      if (order.field == "properties/createdTimeUtc" || order.field == "properties/lastModifiedTimeUtc") {
        bool created = order.field == "properties/createdTimeUtc";
        TimePoint ka = created ? a->created : a->modified, kb = created ? b->created : b->modified;
        if (ka != kb) return order.descending ? ka > kb : ka < kb;
      }
      return order.descending && order.field == "name" ? a->name > b->name : a->name < b->name;
    });
    for (const auto* row : rows) names.push_back(row->name);
  }
  size_t size = static_cast<size_t>(top);
  // ARM lets a page be short or empty while a nextLink remains; clients must keep following.
  if (settings_.arm_short_pages && page % 3 == 1) size = 0;
  if (settings_.arm_short_pages && page % 3 == 2) size = std::max<size_t>(1, size / 2);
  size_t end = std::min(names.size(), offset + size);
  std::string items;
  for (size_t i = offset; i < end; ++i) {
    auto it = ws->incidents.find(names[i]);
    if (it == ws->incidents.end()) continue;  // deleted since the first page
    const ArmIncident* view = ListView(it->second);
    if (!view) view = &it->second;
    if (!items.empty()) items += ",";
    items += CachedRender("a|" + ref.name + "|" + view->name + "|" + std::to_string(view->version),
                          [&] { return RenderArmIncident(*view, ref); });
  }
  json body = json::object();
  if (end < names.size()) {
    if (snapshot_id.empty()) snapshot_id = StoreSnapshot({names, "arm:" + ref.name, {}, false});
    body["nextLink"] = base_url + ref.IncidentsPath() + "?api-version=" + Param(q, "api-version") +
                       "&$top=" + std::to_string(top) + "&$skipToken=" + snapshot_id + "." +
                       std::to_string(end) + "." + std::to_string(page + 1);
  }
  return {200, nullptr, ListBody(body, items)};
}

ApiResult World::ArmGet(const WorkspaceRef& ref, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  Workspace* ws = FindWorkspace(ref);
  if (!ws) return WorkspaceNotFound(ref);
  auto it = ws->incidents.find(name);
  if (it == ws->incidents.end()) return NotFound("Incident '" + name + "'");
  return {200, RenderArmIncident(it->second, ref)};
}

ApiResult World::ArmPut(const WorkspaceRef& ref, const std::string& name, const json& body,
                        const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  Workspace* ws = FindWorkspace(ref);
  if (!ws) return WorkspaceNotFound(ref);
  ArmIncidentInput input;
  std::string code, message;
  if (!ParseArmIncidentPut(body, &input, &code, &message)) return {400, ArmError(code, message)};
  TimePoint now = clock_->Now();
  auto it = ws->incidents.find(name);
  bool created = it == ws->incidents.end();
  if (created && !input.etag.empty()) {
    // An etag is a precondition on an existing version; with nothing to match, Sentinel's body
    // etag check fails the way a stale one does (409), and nothing is created.
    return {409, ArmError("Conflict", "Resource '" + name + "' does not exist; the request's etag " + input.etag +
                                          " matches no version of it. Data was not saved")};
  }
  if (!created && !input.etag.empty() && input.etag != it->second.etag) {
    return {409, ArmError("Conflict", "Newer version of resource '" + name + "' exists. Data was not saved")};
  }
  ArmIncident& incident = ws->incidents[name];
  Touch(&incident, created);
  if (created) {
    incident.name = name;
    incident.number = ws->next_number++;
    incident.created = now;
    incident.provider_incident_id = std::to_string(incident.number);
  }
  ApplyArmInput(input.fields, &incident);
  incident.modified = now;
  incident.etag = ids_->QuotedGuid();
  MirrorToGraph(*ws, incident, actor.display_name);
  Record(actor, created ? "arm.incident.create" : "arm.incident.update", ref.name + "/" + name, body);
  return {created ? 201 : 200, RenderArmIncident(incident, ref)};
}

ApiResult World::ArmDelete(const WorkspaceRef& ref, const std::string& name, const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  Workspace* ws = FindWorkspace(ref);
  if (!ws) return WorkspaceNotFound(ref);
  auto it = ws->incidents.find(name);
  if (it == ws->incidents.end()) return {204, nullptr};
  if (!it->second.graph_id.empty()) {
    return {400, ArmError("BadRequest", "Microsoft Defender XDR incidents cannot be deleted.")};
  }
  ws->incidents.erase(it);
  Record(actor, "arm.incident.delete", ref.name + "/" + name, json::object());
  return {200, nullptr};
}

}  // namespace xdrsync::emulator
