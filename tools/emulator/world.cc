#include "world.h"

#include "mirror.h"

namespace xdrsync::emulator {

using nlohmann::json;

ApiResult GraphError(int status, const std::string& code, const std::string& message) {
  return {status, {{"error", {{"code", code}, {"message", message}, {"details", json::array()}}}}};
}

const char* GraphOrderByName(GraphOrderBy mode) {
  return mode == GraphOrderBy::kIgnored ? "ignored" : mode == GraphOrderBy::kRefused ? "refused" : "honoured";
}

bool ParseGraphOrderBy(const std::string& text, GraphOrderBy* out) {
  for (GraphOrderBy mode : {GraphOrderBy::kHonoured, GraphOrderBy::kIgnored, GraphOrderBy::kRefused}) {
    if (text == GraphOrderByName(mode)) {
      *out = mode;
      return true;
    }
  }
  return false;
}

const char* GraphPagingName(GraphPaging mode) { return mode == GraphPaging::kLiveSkip ? "live-skip" : "snapshot"; }

bool ParseGraphPaging(const std::string& text, GraphPaging* out) {
  for (GraphPaging mode : {GraphPaging::kSnapshot, GraphPaging::kLiveSkip}) {
    if (text == GraphPagingName(mode)) {
      *out = mode;
      return true;
    }
  }
  return false;
}

World::World(EmuClock* clock, IdSource* ids, Journal* journal)
    : clock_(clock), ids_(ids), journal_(journal) {}

void World::AddTenant(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  tenants_.try_emplace(tenant);
}

bool World::HasTenant(const std::string& tenant) const {
  std::lock_guard<std::mutex> lock(mu_);
  return tenants_.count(tenant) > 0;
}

bool World::AddWorkspace(const WorkspaceConfig& config) {
  std::lock_guard<std::mutex> lock(mu_);
  if (workspaces_.count(config.name)) return false;
  tenants_.try_emplace(config.tenant);
  Workspace ws;
  ws.config = config;
  ws.config.onboarded = false;
  workspaces_[config.name] = ws;
  if (config.onboarded) {
    workspaces_[config.name].config.onboarded = true;
    for (auto& [id, incident] : tenants_[config.tenant].incidents) {
      if (incident.arm_name.empty()) MirrorToArm(config.tenant, &incident);
    }
  }
  return true;
}

bool World::SetOnboarded(const std::string& workspace, bool onboarded) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = workspaces_.find(workspace);
  if (it == workspaces_.end()) return false;
  it->second.config.onboarded = onboarded;
  if (onboarded) {
    for (auto& [id, incident] : tenants_[it->second.config.tenant].incidents) {
      if (incident.arm_name.empty()) MirrorToArm(it->second.config.tenant, &incident);
    }
  }
  return true;
}

std::string World::WorkspaceTenant(const std::string& sub, const std::string& rg,
                                   const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = workspaces_.find(name);
  if (it == workspaces_.end() || it->second.config.subscription != sub ||
      it->second.config.resource_group != rg) {
    return "";
  }
  return it->second.config.tenant;
}

void World::SetSettings(const WorldSettings& settings) {
  std::lock_guard<std::mutex> lock(mu_);
  settings_ = settings;
}

WorldSettings World::settings() const {
  std::lock_guard<std::mutex> lock(mu_);
  return settings_;
}

World::Workspace* World::FindWorkspace(const WorkspaceRef& ref) {
  auto it = workspaces_.find(ref.name);
  if (it == workspaces_.end() || it->second.config.subscription != ref.subscription ||
      it->second.config.resource_group != ref.resource_group) {
    return nullptr;
  }
  return &it->second;
}

World::Workspace* World::OnboardedWorkspaceOf(const std::string& tenant) {
  for (auto& [name, ws] : workspaces_) {
    if (ws.config.tenant == tenant && ws.config.onboarded) return &ws;
  }
  return nullptr;
}

std::vector<const GraphAlert*> World::AlertsOf(const Tenant& tenant,
                                               const GraphIncident& incident) const {
  std::vector<const GraphAlert*> out;
  for (const auto& id : incident.alert_ids) {
    auto it = tenant.alerts.find(id);
    if (it != tenant.alerts.end()) out.push_back(&it->second);
  }
  return out;
}

template <typename T>
void World::Touch(T* item, bool created) {
  if (settings_.list_lag.count() > 0) {
    TimePoint now = clock_->Now();
    if (created) {
      item->stale.reset();
    } else if (now >= item->visible_at) {
      auto copy = std::make_shared<T>(*item);  // keeps the version it was rendered under
      copy->stale.reset();
      item->stale = std::move(copy);
    }
    item->visible_at = now + std::chrono::duration_cast<std::chrono::system_clock::duration>(settings_.list_lag);
  }
  // World-wide, so a deleted and re-created ARM name never meets its old cached rendering.
  item->version = ++next_version_;
}

template <typename T>
const T* World::ListView(const T& item) const {
  if (clock_->Now() < item.visible_at) return item.stale.get();
  return &item;
}

template void World::Touch<GraphIncident>(GraphIncident*, bool);
template void World::Touch<ArmIncident>(ArmIncident*, bool);
template const GraphIncident* World::ListView<GraphIncident>(const GraphIncident&) const;
template const ArmIncident* World::ListView<ArmIncident>(const ArmIncident&) const;

GraphIncident& World::NewGraphIncident(const std::string& tenant, Tenant& t) {
  std::string id = std::to_string(next_incident_id_++);
  GraphIncident& incident = t.incidents[id];
  incident.id = id;
  incident.tenant_id = tenant;
  incident.created = incident.last_update = clock_->Now();
  Touch(&incident, true);
  return incident;
}

void World::MirrorToArm(const std::string& tenant, GraphIncident* incident) {
  Workspace* ws = nullptr;
  if (!incident->workspace.empty()) {
    auto it = workspaces_.find(incident->workspace);
    if (it != workspaces_.end()) ws = &it->second;
  } else {
    ws = OnboardedWorkspaceOf(tenant);
  }
  if (!ws) return;
  bool created = incident->arm_name.empty() || !ws->incidents.count(incident->arm_name);
  if (created) {
    incident->workspace = ws->config.name;
    if (incident->arm_name.empty()) incident->arm_name = ids_->Guid();
  }
  ArmIncident& arm = ws->incidents[incident->arm_name];
  Touch(&arm, created);
  if (created) {
    arm.name = incident->arm_name;
    arm.number = ws->next_number++;
    arm.created = incident->created;
    for (const auto& c : incident->comments) {
      arm.comments.push_back({ids_->Guid(), c.comment, "", c.created_by, "", ids_->Hex(8),
                              c.created, c.created});
    }
  }
  ArmFromGraph(*incident, AlertsOf(tenants_[tenant], *incident), &arm);
  arm.modified = clock_->Now();
  arm.etag = ids_->QuotedGuid();
}

void World::MirrorToGraph(const Workspace& ws, const ArmIncident& arm, const std::string& actor_name) {
  if (arm.graph_id.empty()) return;
  Tenant& t = tenants_[ws.config.tenant];
  auto it = t.incidents.find(arm.graph_id);
  if (it == t.incidents.end()) return;
  Touch(&it->second, false);
  GraphFromArm(arm, &it->second);
  it->second.last_update = arm.modified;
  it->second.last_modified_by = actor_name;
}

std::string World::StoreSnapshot(Snapshot snapshot) {
  // Bounded: the oldest paging sessions go first, as a real service would expire them.
  while (snapshot_order_.size() >= 2000) {
    snapshots_.erase(snapshot_order_.front());
    snapshot_order_.pop_front();
  }
  std::string id = ids_->Hex(12);
  snapshot.created = clock_->Now();
  snapshots_[id] = std::move(snapshot);
  snapshot_order_.push_back(id);
  return id;
}

const std::string& World::CachedRender(const std::string& key,
                                       const std::function<json()>& render) {
  auto it = render_cache_.find(key);
  if (it != render_cache_.end()) return it->second;
  if (render_cache_.size() > 50000) render_cache_.clear();
  return render_cache_[key] = render().dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ListBody(const json& fields, const std::string& items) {
  // Appends only: GCC 12 at -O3 flags short-literal `+` chains with a false -Wrestrict.
  std::string rest = fields.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(items.size() + rest.size() + 16);
  out.append("{\"value\":[").append(items).append("]");
  if (rest.size() > 2) out.append(",").append(rest, 1, rest.size() - 2);
  out.append("}");
  return out;
}

const World::Snapshot* World::FindSnapshot(const std::string& id) const {
  auto it = snapshots_.find(id);
  return it == snapshots_.end() ? nullptr : &it->second;
}

void World::Record(const Actor& actor, const std::string& action, const std::string& target,
                   json detail) {
  journal_->Record({0, clock_->Now(), actor.id, action, target, std::move(detail)});
}

json World::DescribeTopology() const {
  std::lock_guard<std::mutex> lock(mu_);
  json tenants = json::array();
  for (const auto& [id, t] : tenants_) tenants.push_back(id);
  json workspaces = json::array();
  for (const auto& [name, ws] : workspaces_) {
    workspaces.push_back({{"tenant", ws.config.tenant}, {"subscription", ws.config.subscription},
                          {"resource_group", ws.config.resource_group}, {"name", name},
                          {"onboarded", ws.config.onboarded}});
  }
  return {{"tenants", tenants}, {"workspaces", workspaces}};
}

json World::Dump() const {
  std::lock_guard<std::mutex> lock(mu_);
  GraphRender how{true, true};
  json tenants = json::object();
  for (const auto& [id, t] : tenants_) {
    json incidents = json::array();
    for (const auto& [iid, incident] : t.incidents) {
      json j = RenderGraphIncident(incident, how, AlertsOf(t, incident));
      j["_workspace"] = incident.workspace;
      j["_armName"] = incident.arm_name;
      incidents.push_back(j);
    }
    json alerts = json::array();
    for (const auto& [aid, alert] : t.alerts) alerts.push_back(RenderGraphAlert(alert, how));
    tenants[id] = {{"incidents", incidents}, {"alerts", alerts}};
  }
  json workspaces = json::object();
  for (const auto& [name, ws] : workspaces_) {
    json incidents = json::array();
    for (const auto& [iname, incident] : ws.incidents) {
      json j = RenderArmIncident(incident, ws.Ref());
      json comments = json::array();
      for (const auto& c : incident.comments) comments.push_back(RenderArmComment(c, ws.Ref(), iname));
      j["_comments"] = comments;
      j["_graphId"] = incident.graph_id;
      incidents.push_back(j);
    }
    workspaces[name] = {{"tenant", ws.config.tenant}, {"subscription", ws.config.subscription},
                        {"resource_group", ws.config.resource_group},
                        {"onboarded", ws.config.onboarded}, {"incidents", incidents}};
  }
  return {{"now", FormatTime(clock_->Now())}, {"tenants", tenants}, {"workspaces", workspaces}};
}

}  // namespace xdrsync::emulator
