// Graph security API operations on the world.
#include <algorithm>

#include "odata_query.h"
#include "url_codec.h"
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

// The documented filterable properties, plus `id` (key) and, on alerts, `incidentId`.
const FilterSchema kIncidentFilter = {
    {"assignedTo", kText}, {"classification", Enum(GraphClassification)}, {"createdDateTime", kTime},
    {"determination", Enum(GraphDetermination)}, {"lastUpdateDateTime", kTime},
    {"severity", Enum(GraphSeverity)}, {"status", Enum(GraphIncidentStatus)}, {"id", kText}};
const std::set<std::string> kIncidentTimeFields = {"createdDateTime", "lastUpdateDateTime"};
const FilterSchema kAlertFilter = {
    {"assignedTo", kText}, {"classification", Enum(GraphClassification)},
    {"determination", Enum(GraphDetermination)}, {"createdDateTime", kTime}, {"lastUpdateDateTime", kTime},
    {"severity", Enum(GraphSeverity)}, {"serviceSource", Enum(GraphServiceSource)},
    {"status", Enum(GraphAlertStatus)}, {"incidentId", kText}};

std::string Param(const Query& q, const std::string& key) {
  auto it = q.find(key);
  return it == q.end() ? std::string() : it->second;
}

std::optional<std::string> IncidentField(const GraphIncident& i, const std::string& f) {
  if (f == "lastUpdateDateTime") return FormatTime(i.last_update);
  if (f == "createdDateTime") return FormatTime(i.created);
  if (f == "status") return i.status;
  if (f == "severity") return i.severity;
  if (f == "assignedTo") return i.assigned_to;
  if (f == "classification") return i.classification;
  if (f == "determination") return i.determination;
  return i.id;
}

std::optional<std::string> AlertField(const GraphAlert& a, const std::string& f) {
  if (f == "lastUpdateDateTime") return FormatTime(a.last_update);
  if (f == "createdDateTime") return FormatTime(a.created);
  if (f == "status") return a.status;
  if (f == "severity") return a.severity;
  if (f == "assignedTo") return a.assigned_to;
  if (f == "classification") return a.classification;
  if (f == "determination") return a.determination;
  if (f == "serviceSource") return a.service_source;
  return a.incident_id;
}

// The properties one entity renders (with every optional part present).
const json& IncidentShape() {
  static const json shape = RenderGraphIncident(GraphIncident{}, {true, false}, {});
  return shape;
}
const json& AlertShape() {
  static const json shape = RenderGraphAlert(GraphAlert{}, {true, false});
  return shape;
}

// $select: a comma-separated list of properties the entity has. Returns "" or the error.
std::string ParseSelect(const Query& q, const json& shape, const char* type, std::vector<std::string>* out) {
  std::string text = Param(q, "$select");
  size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    std::string name = text.substr(start, comma - start);
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty() || name[0] == '@' || !shape.contains(name)) {
      return "Could not find a property named '" + name + "' on type '" + type + "'.";
    }
    out->push_back(name);
    start = comma + 1;
  }
  return "";
}

// Keeps only the selected properties (and, as Graph does, an expanded navigation property).
json Project(const json& item, const std::vector<std::string>& select) {
  if (select.empty()) return item;
  json out = json::object();
  for (const auto& name : select) out[name] = item[name];
  if (item.contains("alerts")) out["alerts"] = item["alerts"];
  return out;
}

std::string SelectSuffix(const Query& q) {
  std::string select = Param(q, "$select");
  return select.empty() ? "" : "&$select=" + PercentEncodeQueryValue(select);
}

bool NumericLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

// Validates $top/$skip. Returns "" or the error message.
std::string PageParams(const Query& q, int max_top, int default_top, int* top, size_t* skip) {
  *top = default_top;
  *skip = 0;
  std::string t = Param(q, "$top");
  if (!t.empty()) {
    if (t.find_first_not_of("0123456789") != std::string::npos || t.size() > 9) {
      return "The query specified in the URI is not valid. Invalid value '" + t + "' for $top query option found.";
    }
    *top = std::stoi(t);
    if (*top > max_top) {
      return "The query specified in the URI is not valid. The limit of '" + std::to_string(max_top) +
             "' for Top query has been exceeded. The value from the incoming request is '" + t + "'.";
    }
  }
  std::string s = Param(q, "$skip");
  if (!s.empty()) {
    if (s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9) {
      return "The query specified in the URI is not valid. Invalid value '" + s + "' for $skip query option found.";
    }
    int value = std::stoi(s);
    if (value > 6000) {
      return "The query specified in the URI is not valid. The limit of '6000' for Skip query has been exceeded. The value from the incoming request is '" + s + "'.";
    }
    *skip = static_cast<size_t>(value);
  }
  return "";
}

// Splits "<snapshot>.<offset>".
bool SplitToken(const std::string& token, std::string* snap, size_t* offset) {
  size_t dot = token.find('.');
  if (dot == std::string::npos) return false;
  *snap = token.substr(0, dot);
  std::string rest = token.substr(dot + 1);
  if (rest.empty() || rest.size() > 9 || rest.find_first_not_of("0123456789") != std::string::npos) return false;
  *offset = std::stoul(rest);
  return true;
}

// The nextLink of live paging: the query as asked (filter, order, page size, expand, select) with
// $skip moved on, so the next page is computed afresh over whatever matches by then.
std::string LiveSkipLink(const std::string& base_url, const Query& q, size_t end) {
  std::string link = base_url + "/security/incidents?";
  for (const auto& [key, value] : q) {
    if (key != "$skip" && key != "$skiptoken") link += key + "=" + PercentEncodeQueryValue(value) + "&";
  }
  return link + "$skip=" + std::to_string(end);
}

}  // namespace

ApiResult World::MatchingIncidentIds(const Tenant& t, const Query& q, std::vector<std::string>* ids) const {
  std::string error;
  ODataFilter filter;
  OrderBy order{"createdDateTime", true};
  if (!Param(q, "$filter").empty() && !ParseFilter(Param(q, "$filter"), kIncidentFilter, &filter, &error)) {
    return GraphError(400, "BadRequest", "Invalid filter clause: " + error);
  }
  if (!Param(q, "$orderby").empty()) {
    if (settings_.graph_orderby == GraphOrderBy::kRefused) {
      return GraphError(400, "BadRequest",
                        "The query specified in the URI is not valid. Query option 'OrderBy' is not allowed. To "
                        "allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or "
                        "QueryValidationSettings.");
    }
    OrderBy asked;
    if (!ParseOrderBy(Param(q, "$orderby"), {"lastUpdateDateTime", "createdDateTime", "id"}, &asked, &error)) {
      return GraphError(400, "BadRequest", error);
    }
    if (settings_.graph_orderby == GraphOrderBy::kHonoured) order = asked;
  }
  std::vector<const GraphIncident*> rows;
  for (const auto& [id, incident] : t.incidents) {
    const GraphIncident* view = ListView(incident);
    if (!view) continue;
    if (FilterMatches(filter, [&](const std::string& f) { return IncidentField(*view, f); }, kIncidentTimeFields)) {
      rows.push_back(view);
    }
  }
  std::sort(rows.begin(), rows.end(), [&](const GraphIncident* a, const GraphIncident* b) {
    TimePoint ka = order.field == "lastUpdateDateTime" ? a->last_update : a->created;
    TimePoint kb = order.field == "lastUpdateDateTime" ? b->last_update : b->created;
    if (order.field != "id" && ka != kb) return order.descending ? ka > kb : ka < kb;
    return order.descending && order.field == "id" ? NumericLess(b->id, a->id) : NumericLess(a->id, b->id);
  });
  for (const auto* row : rows) ids->push_back(row->id);
  return {200, nullptr};
}

ApiResult World::GraphListIncidents(const std::string& tenant, const Query& q,
                                    bool include_unknown, const std::string& base_url) {
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& t = tenants_[tenant];
  int top;
  size_t offset;
  std::string error = PageParams(q, 50, settings_.graph_page_size, &top, &offset);
  if (!error.empty()) return GraphError(400, "", error);
  GraphRender how{include_unknown, false};
  std::string expand = Param(q, "$expand");
  if (!expand.empty() && expand != "alerts") {
    return GraphError(400, "BadRequest", "Could not find a property named '" + expand + "' on type 'microsoft.graph.security.incident'.");
  }
  how.expand_alerts = expand == "alerts";
  std::vector<std::string> select;
  error = ParseSelect(q, IncidentShape(), "microsoft.graph.security.incident", &select);
  if (!error.empty()) return GraphError(400, "BadRequest", error);
  std::vector<std::string> ids;
  std::string snapshot_id;
  std::string token = Param(q, "$skiptoken");
  if (!token.empty()) {
    const Snapshot* snap = nullptr;
    if (!SplitToken(token, &snapshot_id, &offset) || !(snap = FindSnapshot(snapshot_id)) ||
        snap->scope != "graph:" + tenant) {
      return GraphError(400, "BadRequest", "The skip token is invalid or has expired.");
    }
    ids = snap->ids;
    how.expand_alerts = snap->expand_alerts;
  } else {
    ApiResult refused = MatchingIncidentIds(t, q, &ids);
    if (refused.status != 200) return refused;
  }
  std::string items;
  size_t end = std::min(ids.size(), offset + static_cast<size_t>(top));
  for (size_t i = offset; i < end; ++i) {
    auto it = t.incidents.find(ids[i]);
    if (it == t.incidents.end()) continue;
    const GraphIncident* view = ListView(it->second);
    if (!view) view = &it->second;
    std::string key = "g|" + tenant + "|" + view->id + "|" + std::to_string(view->version) +
                      (how.include_unknown_enum_members ? "|u" : "|-") + (how.expand_alerts ? "e" : "-") +
                      Param(q, "$select");
    if (!items.empty()) items += ",";
    items += CachedRender(key, [&] { return Project(RenderGraphIncident(*view, how, AlertsOf(t, it->second)), select); });
  }
  json body = {{"@odata.context", base_url + "/$metadata#security/incidents"}};
  if (Param(q, "$count") == "true") body["@odata.count"] = ids.size();
  const bool live = settings_.graph_paging == GraphPaging::kLiveSkip && token.empty();
  if (end < ids.size() && top > 0 && live) {
    body["@odata.nextLink"] = LiveSkipLink(base_url, q, end);
  } else if (end < ids.size() && top > 0) {
    if (snapshot_id.empty()) snapshot_id = StoreSnapshot({ids, "graph:" + tenant, {}, how.expand_alerts});
    body["@odata.nextLink"] = base_url + "/security/incidents?$top=" + std::to_string(top) +
                              (how.expand_alerts ? "&$expand=alerts" : "") + SelectSuffix(q) + "&$skiptoken=" +
                              snapshot_id + "." + std::to_string(end);
  }
  return {200, nullptr, ListBody(body, items)};
}

ApiResult World::GraphGetIncident(const std::string& tenant, const std::string& id,
                                  const Query& q, bool include_unknown) {
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& t = tenants_[tenant];
  auto it = t.incidents.find(id);
  if (it == t.incidents.end()) return GraphError(404, "NotFound", "Incident '" + id + "' was not found.");
  std::string expand = Param(q, "$expand");
  if (!expand.empty() && expand != "alerts") {
    return GraphError(400, "BadRequest", "Could not find a property named '" + expand + "' on type 'microsoft.graph.security.incident'.");
  }
  std::vector<std::string> select;
  std::string error = ParseSelect(q, IncidentShape(), "microsoft.graph.security.incident", &select);
  if (!error.empty()) return GraphError(400, "BadRequest", error);
  return {200, Project(RenderGraphIncident(it->second, {include_unknown, expand == "alerts"}, AlertsOf(t, it->second)),
                       select)};
}

ApiResult World::GraphPatchIncident(const std::string& tenant, const std::string& id,
                                    const json& body, const Actor& actor, bool include_unknown) {
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& t = tenants_[tenant];
  auto it = t.incidents.find(id);
  if (it == t.incidents.end()) return GraphError(404, "NotFound", "Incident '" + id + "' was not found.");
  GraphIncident trial = it->second;
  std::string error = ApplyGraphPatch(body, &trial);
  if (!error.empty()) return GraphError(400, "BadRequest", error);
  GraphIncident& incident = it->second;
  Touch(&incident, false);
  (void)ApplyGraphPatch(body, &incident);
  incident.last_update = clock_->Now();
  incident.last_modified_by = actor.display_name;
  MirrorToArm(tenant, &incident);
  Record(actor, "graph.incident.update", tenant + "/" + id, body);
  return {200, RenderGraphIncident(incident, {include_unknown, false}, {})};
}

ApiResult World::AddCommentLocked(const std::string& tenant, GraphIncident& incident,
                                  const std::string& text, const Actor& actor) {
  Touch(&incident, false);
  TimePoint now = clock_->Now();
  incident.comments.push_back({text, actor.display_name, now});
  incident.last_update = now;
  if (!incident.arm_name.empty()) {
    auto ws = workspaces_.find(incident.workspace);
    if (ws != workspaces_.end() && ws->second.incidents.count(incident.arm_name)) {
      AddArmCommentLocked(ws->second, ws->second.incidents[incident.arm_name], ids_->Guid(), text,
                          actor, false);
    }
  }
  Record(actor, "graph.incident.comment", tenant + "/" + incident.id, {{"comment", text}});
  json list = json::array();
  for (const auto& c : incident.comments) list.push_back(RenderGraphComment(c));
  return {200, {{"@odata.context", "$metadata#Collection(microsoft.graph.security.alertComment)"},
                {"value", list}}};
}

ApiResult World::GraphPostComment(const std::string& tenant, const std::string& id,
                                  const json& body, const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& t = tenants_[tenant];
  auto it = t.incidents.find(id);
  if (it == t.incidents.end()) return GraphError(404, "NotFound", "Incident '" + id + "' was not found.");
  if (!body.is_object() || !body.contains("comment") || !body["comment"].is_string() ||
      body["comment"].get<std::string>().empty()) {
    return GraphError(400, "BadRequest", "The 'comment' property is required.");
  }
  return AddCommentLocked(tenant, it->second, body["comment"].get<std::string>(), actor);
}

ApiResult World::GraphListAlerts(const std::string& tenant, const Query& q, bool include_unknown,
                                 const std::string& base_url) {
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& t = tenants_[tenant];
  int top;
  size_t offset;
  std::string error = PageParams(q, 1000, 100, &top, &offset);
  if (!error.empty()) return GraphError(400, "", error);
  std::vector<std::string> select;
  error = ParseSelect(q, AlertShape(), "microsoft.graph.security.alert", &select);
  if (!error.empty()) return GraphError(400, "BadRequest", error);
  std::vector<std::string> ids;
  std::string snapshot_id;
  std::string token = Param(q, "$skiptoken");
  if (!token.empty()) {
    const Snapshot* snap = nullptr;
    if (!SplitToken(token, &snapshot_id, &offset) || !(snap = FindSnapshot(snapshot_id)) ||
        snap->scope != "alerts:" + tenant) {
      return GraphError(400, "BadRequest", "The skip token is invalid or has expired.");
    }
    ids = snap->ids;
  } else {
    ODataFilter filter;
    if (!Param(q, "$filter").empty() &&
        !ParseFilter(Param(q, "$filter"), kAlertFilter, &filter, &error)) {
      return GraphError(400, "BadRequest", "Invalid filter clause: " + error);
    }
    std::vector<const GraphAlert*> rows;
    for (const auto& [id, alert] : t.alerts) {
      if (FilterMatches(filter, [&](const std::string& f) { return AlertField(alert, f); },
                        kIncidentTimeFields)) {
        rows.push_back(&alert);
      }
    }
    std::sort(rows.begin(), rows.end(), [](const GraphAlert* a, const GraphAlert* b) {
      return a->created != b->created ? a->created > b->created : a->id < b->id;
    });
    for (const auto* row : rows) ids.push_back(row->id);
  }
  json value = json::array();
  size_t end = std::min(ids.size(), offset + static_cast<size_t>(top));
  for (size_t i = offset; i < end; ++i) {
    auto it = t.alerts.find(ids[i]);
    if (it != t.alerts.end()) value.push_back(Project(RenderGraphAlert(it->second, {include_unknown, false}), select));
  }
  json body = {{"@odata.context", base_url + "/$metadata#security/alerts_v2"}, {"value", value}};
  const bool live = settings_.graph_paging == GraphPaging::kLiveSkip && token.empty();
  if (end < ids.size() && top > 0 && live) {
    body["@odata.nextLink"] = LiveSkipLink(base_url, q, end);
  } else if (end < ids.size() && top > 0) {
    if (snapshot_id.empty()) snapshot_id = StoreSnapshot({ids, "alerts:" + tenant, {}, false});
    body["@odata.nextLink"] = base_url + "/security/alerts_v2?$top=" + std::to_string(top) + SelectSuffix(q) +
                              "&$skiptoken=" + snapshot_id + "." + std::to_string(end);
  }
  return {200, body};
}

}  // namespace xdrsync::emulator
