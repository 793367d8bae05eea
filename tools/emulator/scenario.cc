// Scenario documents and runtime settings, shared by the control API, the CLI's --seed-file and
// EmulatorOptions::scenario.
#include "emulator.h"
#include "scenario.h"

namespace xdrsync::emulator {

using nlohmann::json;

namespace {

json BucketJson(const BucketSpec& b) {
  return {{"capacity", b.capacity}, {"refill_per_second", b.refill_per_second}};
}

void ReadBucket(const json& j, const char* key, BucketSpec* b) {
  if (!j.contains(key) || !j[key].is_object()) return;
  b->capacity = j[key].value("capacity", b->capacity);
  b->refill_per_second = j[key].value("refill_per_second", b->refill_per_second);
}

}  // namespace

void AddDefaultClients(Services& s, const std::string& tenant, bool managed_identity) {
  ClientConfig c;
  c.tenant = tenant;
  c.client_id = kDefaultClientId;
  c.secret = kDefaultClientSecret;
  s.auth.AddClient(c);
  if (managed_identity) {
    c.client_id = kDefaultManagedIdentity;
    c.secret.clear();
    c.managed_identity = true;
    s.auth.AddClient(c);
  }
}

bool ClientFromJson(const json& j, ClientConfig* c, std::string* error) {
  if (!j.is_object() || !j.contains("tenant") || !j.contains("client_id")) {
    *error = "a client needs 'tenant' and 'client_id'";
    return false;
  }
  c->tenant = j["tenant"].get<std::string>();
  c->client_id = j["client_id"].get<std::string>();
  c->display_name = j.value("display_name", c->display_name);
  c->secret = j.value("secret", "");
  c->certificate_pem = j.value("certificate_pem", "");
  c->federated_issuer = j.value("federated_issuer", "");
  c->federated_subject = j.value("federated_subject", "");
  c->managed_identity = j.value("managed_identity", false);
  if (j.contains("graph_roles")) c->graph_roles = j["graph_roles"].get<std::vector<std::string>>();
  c->arm_role = j.value("arm_role", c->arm_role);
  c->object_id = j.value("object_id", "");
  return true;
}

bool WorkspaceFromJson(const json& j, WorkspaceConfig* w, std::string* error) {
  if (!j.is_object() || !j.contains("tenant") || !j.contains("name")) {
    *error = "a workspace needs 'tenant' and 'name'";
    return false;
  }
  w->tenant = j["tenant"].get<std::string>();
  w->name = j["name"].get<std::string>();
  w->subscription = j.value("subscription", "00000000-0000-0000-0000-000000000001");
  w->resource_group = j.value("resource_group", "rg-sentinel");
  w->onboarded = j.value("onboarded", false);
  return true;
}

json SettingsToJson(Services& s) {
  WorldSettings w = s.world.settings();
  RateLimitSettings l = s.limits();
  return {{"list_lag_ms", w.list_lag.count()},
          {"graph_page_size", w.graph_page_size},
          {"arm_page_size", w.arm_page_size},
          {"arm_short_pages", w.arm_short_pages},
          {"graph_orderby", GraphOrderByName(w.graph_orderby)},
          {"graph_paging", GraphPagingName(w.graph_paging)},
          {"token_lifetime_s", s.auth.token_lifetime()},
          {"rate_limits",
           {{"enabled", l.enabled},
            {"graph", BucketJson(l.graph)},
            {"arm_reads", BucketJson(l.arm_reads)},
            {"arm_writes", BucketJson(l.arm_writes)},
            {"arm_deletes", BucketJson(l.arm_deletes)},
            {"arm_global_multiplier", l.arm_global_multiplier}}}};
}

bool ApplySettings(Services& s, const json& j, std::string* error) {
  if (!j.is_object()) {
    *error = "settings must be an object";
    return false;
  }
  try {
    WorldSettings w = s.world.settings();
    w.list_lag = std::chrono::milliseconds(j.value("list_lag_ms", static_cast<long long>(w.list_lag.count())));
    w.graph_page_size = j.value("graph_page_size", w.graph_page_size);
    w.arm_page_size = j.value("arm_page_size", w.arm_page_size);
    w.arm_short_pages = j.value("arm_short_pages", w.arm_short_pages);
    if (j.contains("graph_orderby") && !ParseGraphOrderBy(j["graph_orderby"].get<std::string>(), &w.graph_orderby)) {
      *error = "settings.graph_orderby must be \"honoured\", \"ignored\" or \"refused\"";
      return false;
    }
    if (j.contains("graph_paging") && !ParseGraphPaging(j["graph_paging"].get<std::string>(), &w.graph_paging)) {
      *error = "settings.graph_paging must be \"snapshot\" or \"live-skip\"";
      return false;
    }
    s.world.SetSettings(w);
    if (j.contains("token_lifetime_s")) s.auth.SetTokenLifetime(j["token_lifetime_s"].get<long long>());
    if (j.contains("identity_header")) s.auth.SetIdentityHeader(j["identity_header"].get<std::string>());
    if (j.contains("rate_limits")) {
      const json& r = j["rate_limits"];
      RateLimitSettings l = s.limits();
      l.enabled = r.value("enabled", l.enabled);
      ReadBucket(r, "graph", &l.graph);
      ReadBucket(r, "arm_reads", &l.arm_reads);
      ReadBucket(r, "arm_writes", &l.arm_writes);
      ReadBucket(r, "arm_deletes", &l.arm_deletes);
      l.arm_global_multiplier = r.value("arm_global_multiplier", l.arm_global_multiplier);
      s.set_limits(l);
      s.limiter.Clear();
    }
  } catch (const json::exception& e) {
    *error = e.what();
    return false;
  }
  return true;
}

bool LoadScenario(Services& s, const json& doc, std::string* error) {
  if (!doc.is_object()) {
    *error = "a scenario must be a JSON object";
    return false;
  }
  try {
    for (const auto& t : doc.value("tenants", json::array())) {
      s.world.AddTenant(t.get<std::string>());
      s.auth.AddTenant(t.get<std::string>());
    }
    for (const auto& wj : doc.value("workspaces", json::array())) {
      WorkspaceConfig w;
      if (!WorkspaceFromJson(wj, &w, error)) return false;
      s.auth.AddTenant(w.tenant);
      if (!s.world.AddWorkspace(w)) s.world.SetOnboarded(w.name, w.onboarded);
    }
    for (const auto& cj : doc.value("clients", json::array())) {
      ClientConfig c;
      if (!ClientFromJson(cj, &c, error)) return false;
      s.world.AddTenant(c.tenant);
      s.auth.AddClient(c);
    }
    if (!doc.contains("clients")) {
      // A scenario that names no clients still gets the default app in each of its tenants.
      for (const auto& t : doc.value("tenants", json::array())) AddDefaultClients(s, t.get<std::string>(), false);
      for (const auto& wj : doc.value("workspaces", json::array())) {
        AddDefaultClients(s, wj.value("tenant", ""), false);
      }
    }
    if (doc.contains("settings") && !ApplySettings(s, doc["settings"], error)) return false;
    for (const auto& ij : doc.value("defender_incidents", json::array())) {
      ApiResult r = s.world.ControlCreateGraphIncident(ij.value("tenant", ""), ij);
      if (r.status >= 300) {
        *error = "defender incident: " + r.body.dump();
        return false;
      }
    }
    for (const auto& ij : doc.value("sentinel_incidents", json::array())) {
      ApiResult r = s.world.ControlCreateArmIncident(ij.value("workspace", ""), ij);
      if (r.status >= 300) {
        *error = "sentinel incident: " + r.body.dump();
        return false;
      }
    }
    for (const auto& fj : doc.value("faults", json::array())) {
      FaultRule rule;
      if (!FaultRuleFromJson(fj, &rule, error)) return false;
      s.faults.Add(rule);
    }
  } catch (const json::exception& e) {
    *error = std::string("scenario: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace xdrsync::emulator
