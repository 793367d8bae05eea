#include "topology.h"

namespace xdrsync::chaos {

using nlohmann::json;

const std::vector<ChaosLink>& Links() {
  static const std::vector<ChaosLink> links = {
      {"contoso-to-soc", kContoso, "soc-ws", "arm", kSoc, "contoso.com", "soc.example",
       {"alice@contoso.com", "bob@contoso.com", "carol@contoso.com"},
       {"dave@soc.example", "erin@soc.example", "alice@soc.example"}},
      {"fabrikam-to-hub", kFabrikam, "hub-ws", "defender-alert", kHub, "", "",
       {"frank@fabrikam.com", "gina@fabrikam.com"},
       {"hank@hub.example", "ivy@hub.example", "frank@fabrikam.com"}},
  };
  return links;
}

const ChaosLink* LinkOfTenant(const std::string& tenant) {
  for (const auto& l : Links()) {
    if (l.tenant == tenant) return &l;
  }
  return nullptr;
}

json Scenario() {
  json clients = json::array();
  for (const char* t : {kContoso, kFabrikam, kSoc}) {
    clients.push_back({{"tenant", t}, {"client_id", kClientId}, {"secret", kSecret}});
  }
  clients.push_back({{"tenant", kHub},
                     {"client_id", kClientId},
                     {"secret", kSecret},
                     {"graph_roles", {"SecurityIncident.ReadWrite.All", "SecurityAlert.ReadWrite.All"}}});
  return {{"tenants", {kContoso, kFabrikam, kSoc, kHub}},
          {"workspaces",
           {{{"tenant", kSoc}, {"subscription", kSubscription}, {"resource_group", "soc-rg"},
             {"name", "soc-ws"}, {"onboarded", false}},
            {{"tenant", kHub}, {"subscription", kSubscription}, {"resource_group", "hub-rg"},
             {"name", "hub-ws"}, {"onboarded", true}}}},
          {"clients", clients},
          {"settings", {{"list_lag_ms", 0}}}};
}

json DaemonConfig(const std::string& state_path, const std::string& base_url) {
  const json auth = {{"kind", "client_secret"}, {"client_id", kClientId}, {"client_secret_env", kSecretEnv}};
  json tenants = json::array(), workspaces = json::array(), links = json::array();
  for (const auto& l : Links()) {
    const std::string tenant_name = l.name.substr(0, l.name.find('-'));
    tenants.push_back({{"name", tenant_name}, {"tenant_id", l.tenant}, {"graph_url", base_url},
                       {"login_url", base_url}, {"reads_per_minute", 60000}, {"writes_per_minute", 60000},
                       {"auth", auth}});
    workspaces.push_back({{"name", l.workspace}, {"subscription_id", kSubscription},
                          {"resource_group", l.workspace == "soc-ws" ? "soc-rg" : "hub-rg"},
                          {"workspace", l.workspace}, {"tenant_id", l.home}, {"arm_url", base_url},
                          {"login_url", base_url}, {"graph_url", base_url},
                          {"portal", l.way == "arm" ? "azure" : "defender"}, {"reads_per_second", 1000},
                          {"writes_per_second", 1000}, {"auth", auth}});
    json owners = {{"unmapped", "copy-as-is"}};
    if (!l.defender_domain.empty()) owners["domains"] = {{l.defender_domain, l.sentinel_domain}};
    links.push_back({{"name", l.name}, {"defender", tenant_name}, {"sentinel", l.workspace}, {"mode", "mirror"},
                     {"digest_min_interval_seconds", 0}, {"owners", owners}});
  }
  return {{"state_path", state_path},
          {"poll_interval_seconds", 1},
          {"full_sweep_interval_seconds", 30},
          // The emulator shows a created alert at once: a createAlert lost before it was applied is
          // found out and sent again within the settle time.
          {"create_recheck_seconds", 5},
          {"listen", ""},
          {"log", {{"format", "json"}, {"level", "info"}}},
          {"defender_tenants", tenants},
          {"sentinel_workspaces", workspaces},
          {"links", links}};
}

}  // namespace xdrsync::chaos
