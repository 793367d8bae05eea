#include "topology.h"

#include <cstdio>

#include "chaos/topology.h"

namespace xdrsync::bench {

using nlohmann::json;

namespace {

// A GUID whose first digit says what it names and whose last twelve count.
std::string Guid(char kind, size_t n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%c0000000-0000-4000-8000-%012zx", kind, n);
  return buf;
}

json Client(const std::string& tenant) {
  return {{"tenant", tenant},
          {"client_id", chaos::kClientId},
          {"secret", chaos::kSecret},
          {"graph_roles", {"SecurityIncident.ReadWrite.All", "SecurityAlert.ReadWrite.All"}},
          {"arm_role", "responder"}};
}

}  // namespace

Topology::Topology(int tenants, int workspaces, int defender_alert_workspaces) {
  for (int w = 0; w < workspaces; ++w) {
    const auto n = static_cast<size_t>(w);
    workspaces_.push_back({"ws" + std::to_string(w), Guid('b', n), Guid('c', n), "rg" + std::to_string(w),
                           w >= workspaces - defender_alert_workspaces});
  }
  for (int t = 0; t < tenants; ++t) {
    const auto n = static_cast<size_t>(t);
    tenants_.push_back({"tenant" + std::to_string(t), Guid('a', n)});
    const size_t w = n % workspaces_.size();
    links_.push_back({tenants_.back().name + "-to-" + workspaces_[w].name, n, w});
  }
}

json Topology::Scenario() const {
  json tenants = json::array(), clients = json::array(), workspaces = json::array();
  for (const auto& t : tenants_) {
    tenants.push_back(t.id);
    clients.push_back(Client(t.id));
  }
  for (const auto& w : workspaces_) {
    tenants.push_back(w.tenant_id);
    clients.push_back(Client(w.tenant_id));
    workspaces.push_back({{"tenant", w.tenant_id}, {"subscription", w.subscription},
                          {"resource_group", w.resource_group}, {"name", w.name}, {"onboarded", w.defender_alert}});
  }
  return {{"tenants", tenants}, {"workspaces", workspaces}, {"clients", clients}, {"settings", {{"list_lag_ms", 0}}}};
}

json Topology::DaemonConfig(const std::string& dir, const std::string& base_url, const DaemonSettings& s) const {
  const json auth = {{"kind", "client_secret"}, {"client_id", chaos::kClientId}, {"client_secret_env", chaos::kSecretEnv}};
  json tenants = json::array(), workspaces = json::array(), links = json::array();
  for (const auto& t : tenants_) {
    json entry = {{"name", t.name}, {"tenant_id", t.id}, {"graph_url", base_url}, {"login_url", base_url}, {"auth", auth}};
    if (s.unlimited_budgets) {
      entry["reads_per_minute"] = 1'000'000;
      entry["writes_per_minute"] = 1'000'000;
    }
    tenants.push_back(entry);
  }
  for (const auto& w : workspaces_) {
    json entry = {{"name", w.name}, {"subscription_id", w.subscription}, {"resource_group", w.resource_group},
                  {"workspace", w.name}, {"tenant_id", w.tenant_id}, {"arm_url", base_url}, {"login_url", base_url},
                  {"graph_url", base_url}, {"portal", w.defender_alert ? "defender" : "azure"}, {"auth", auth}};
    if (s.unlimited_budgets) {
      entry["reads_per_second"] = 100'000;
      entry["writes_per_second"] = 100'000;
    }
    workspaces.push_back(entry);
  }
  for (const auto& l : links_) {
    links.push_back({{"name", l.name}, {"defender", tenants_[l.tenant].name}, {"sentinel", workspaces_[l.workspace].name},
                     {"mode", "mirror"}});
  }
  return {{"state_path", dir + "/state.db"},
          {"poll_interval_seconds", s.poll_seconds},
          {"full_sweep_interval_seconds", s.full_sweep_seconds},
          {"overlap_seconds", s.overlap_seconds},
          {"listen", ""},
          {"log", {{"format", "json"}, {"level", "info"}}},
          {"defender_tenants", tenants},
          {"sentinel_workspaces", workspaces},
          {"links", links}};
}

}  // namespace xdrsync::bench
