// The control API (/_control/...): JSON in, JSON out, no auth. Tests, chaos runs, the demo and
// the benchmark use it to seed and change state as an analyst would, to set faults and the
// clock, and to read the request log, counters and history.
#include "emulator.h"
#include "scenario.h"
#include "url_codec.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

HttpResponse Reply(int status, const json& body) {
  HttpResponse r;
  r.SetJson(status, body);
  return r;
}

HttpResponse FromResult(const ApiResult& result) { return Reply(result.status, result.body); }

HttpResponse Bad(const std::string& message) { return Reply(400, {{"error", message}}); }

HttpResponse Clock(Services& s, const std::string& method, const json& body) {
  if (method == "POST") {
    // Freeze first, so a "set" in the same request is exactly the frozen time.
    if (body.contains("freeze")) s.clock.Freeze(body["freeze"].get<bool>());
    if (body.contains("set")) {
      auto when = ParseTime(body["set"].get<std::string>());
      if (!when) return Bad("'set' must be an ISO-8601 time");
      s.clock.Set(*when);
    }
    if (body.contains("advance_seconds")) {
      s.clock.Advance(std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::duration<double>(body["advance_seconds"].get<double>())));
    }
  }
  return Reply(200, {{"now", FormatTime(s.clock.Now())}, {"frozen", s.clock.frozen()}});
}

HttpResponse Faults(Services& s, const std::string& method, const std::vector<std::string>& seg,
                    const json& body) {
  if (method == "GET") return Reply(200, {{"faults", s.faults.List()}});
  if (method == "DELETE" && seg.size() == 3) {
    return s.faults.Remove(seg[2]) ? Reply(200, {{"removed", seg[2]}}) : Reply(404, {{"error", "no such fault"}});
  }
  if (method == "DELETE") {
    s.faults.Clear();
    return Reply(200, {{"faults", json::array()}});
  }
  if (method == "POST") {
    if (body.contains("seed")) s.faults.Reseed(body["seed"].get<uint64_t>());
    json rules = body.contains("faults") ? body["faults"] : (body.contains("kind") ? json::array({body}) : json::array());
    json ids = json::array();
    for (const auto& rj : rules) {
      FaultRule rule;
      std::string error;
      if (!FaultRuleFromJson(rj, &rule, &error)) return Bad(error);
      ids.push_back(s.faults.Add(rule));
    }
    return Reply(201, {{"ids", ids}});
  }
  return Reply(405, {{"error", "method not allowed"}});
}

HttpResponse TenantRoutes(Services& s, const std::string& method, const std::vector<std::string>& seg,
                          const json& body) {
  // /_control/tenants/{t}/incidents[/{id}[/comments]], /alerts, /merge
  const std::string& t = seg[2];
  if (seg.size() == 4 && seg[3] == "incidents" && method == "POST") return FromResult(s.world.ControlCreateGraphIncident(t, body));
  if (seg.size() == 5 && seg[3] == "incidents" && method == "PATCH") return FromResult(s.world.ControlUpdateGraphIncident(t, seg[4], body));
  if (seg.size() == 6 && seg[5] == "comments" && method == "POST") return FromResult(s.world.ControlGraphComment(t, seg[4], body));
  if (seg.size() == 4 && seg[3] == "alerts" && method == "POST") return FromResult(s.world.ControlAddGraphAlert(t, body));
  if (seg.size() == 5 && seg[3] == "alerts" && method == "PATCH") return FromResult(s.world.ControlUpdateGraphAlert(t, seg[4], body));
  if (seg.size() == 4 && seg[3] == "merge" && method == "POST") return FromResult(s.world.ControlMerge(t, body));
  return Reply(404, {{"error", "no such control route"}});
}

HttpResponse WorkspaceRoutes(Services& s, const std::string& method, const std::vector<std::string>& seg,
                             const json& body) {
  const std::string& w = seg[2];
  if (seg.size() == 4 && seg[3] == "onboarded" && method == "POST") {
    return s.world.SetOnboarded(w, body.value("onboarded", true)) ? Reply(200, s.world.DescribeTopology())
                                                                 : Reply(404, {{"error", "no such workspace"}});
  }
  if (seg.size() == 4 && seg[3] == "incidents" && method == "POST") return FromResult(s.world.ControlCreateArmIncident(w, body));
  if (seg.size() == 5 && seg[3] == "incidents" && method == "PATCH") return FromResult(s.world.ControlUpdateArmIncident(w, seg[4], body));
  if (seg.size() == 6 && seg[5] == "comments" && method == "POST") return FromResult(s.world.ControlArmComment(w, seg[4], body));
  return Reply(404, {{"error", "no such control route"}});
}

}  // namespace

HttpResponse HandleControl(Services& s, const HttpRequest& req) {
  std::vector<std::string> seg = SplitPath(req.path);
  const std::string& m = req.method;
  json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return Bad("body is not JSON");
  if (body.is_null()) body = json::object();
  std::string what = seg.size() > 1 ? seg[1] : "";
  std::string error;
  try {
    if (what == "health") return Reply(200, {{"ok", true}, {"port", s.port}});
    if (what == "state") {
      return Reply(200, {{"world", s.world.Dump()}, {"auth", s.auth.Describe()},
                         {"faults", s.faults.List()}, {"settings", SettingsToJson(s)},
                         {"topology", s.world.DescribeTopology()}});
    }
    if (what == "settings") {
      if (m == "POST" && !ApplySettings(s, body, &error)) return Bad(error);
      return Reply(200, SettingsToJson(s));
    }
    if (what == "scenario" && m == "POST") {
      if (!LoadScenario(s, body, &error)) return Bad(error);
      return Reply(200, s.world.DescribeTopology());
    }
    if (what == "clock") return Clock(s, m, body);
    if (what == "faults") return Faults(s, m, seg, body);
    if (what == "requests") {
      if (m == "DELETE") s.journal.ClearRequests();
      return Reply(200, {{"requests", m == "DELETE" ? json::array() : s.journal.Requests()}});
    }
    if (what == "counters") return Reply(200, {{"counters", s.journal.Counters()}});
    if (what == "history") {
      if (m == "DELETE") s.journal.ClearHistory();
      return Reply(200, {{"history", m == "DELETE" ? json::array() : s.journal.History()}});
    }
    if (what == "clients" && m == "POST") {
      ClientConfig c;
      if (!ClientFromJson(body, &c, &error)) return Bad(error);
      s.world.AddTenant(c.tenant);
      s.auth.AddClient(c);
      return Reply(201, s.auth.Describe());
    }
    if (what == "tokens" && m == "POST") {
      std::string token = s.auth.Mint(body.value("tenant", ""), body.value("client_id", kDefaultClientId),
                                      body.value("audience", std::string(kGraphAudience)));
      if (token.empty()) return Reply(404, {{"error", "unknown client"}});
      return Reply(200, {{"access_token", token}});
    }
    if (what == "tenants" && seg.size() == 2 && m == "POST") {
      s.world.AddTenant(body.value("tenant", ""));
      s.auth.AddTenant(body.value("tenant", ""));
      return Reply(201, s.world.DescribeTopology());
    }
    if (what == "tenants" && seg.size() >= 4) return TenantRoutes(s, m, seg, body);
    if (what == "workspaces" && seg.size() == 2 && m == "POST") {
      WorkspaceConfig w;
      if (!WorkspaceFromJson(body, &w, &error)) return Bad(error);
      if (!s.world.AddWorkspace(w)) return Reply(409, {{"error", "workspace exists"}});
      s.auth.AddTenant(w.tenant);
      return Reply(201, s.world.DescribeTopology());
    }
    if (what == "workspaces" && seg.size() >= 4) return WorkspaceRoutes(s, m, seg, body);
  } catch (const json::exception& e) {
    return Bad(e.what());
  }
  return Reply(404, {{"error", "no such control route: " + m + " " + req.path}});
}

}  // namespace xdrsync::emulator
