// The control API: request log, counters, history, clock, scenarios, settings, eventual
// consistency, and the TRACE guard.
#include "emulator_fixture.h"

namespace xdrsync::emulator::testing {
namespace {

using nlohmann::json;

class EmulatorControl : public EmulatorFixture {};

TEST_F(EmulatorControl, RequestLogRecordsWritesInOrderWithBodiesAndCounters) {
  std::string graph = GraphToken();
  std::string id = Control("POST", "/tenants/t1/incidents", json::object())["id"];
  Control("DELETE", "/requests");
  http_->Get("/v1.0/security/incidents?$top=5", graph);
  http_->SendJson("PATCH", "/v1.0/security/incidents/" + id, {{"status", "inProgress"}}, graph);
  http_->SendJson("PATCH", "/v1.0/security/incidents/" + id, {{"status", "bogus"}}, graph);
  json log = Control("GET", "/requests")["requests"];
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["method"], "GET");
  EXPECT_EQ(log[0]["query"], "$top=5");
  EXPECT_EQ(log[0]["route"], "graph.incidents.list");
  EXPECT_EQ(log[1]["status"], 200);
  EXPECT_EQ(json::parse(log[1]["body"].get<std::string>())["status"], "inProgress");
  EXPECT_EQ(log[2]["status"], 400);
  EXPECT_EQ(log[1]["principal"], "xdrsync-app");
  EXPECT_GE(log[1]["duration_ms"].get<double>(), 0.0);
  json counters = Control("GET", "/counters")["counters"];
  EXPECT_EQ(counters["graph.incidents.patch"]["total"], 2);
  EXPECT_EQ(counters["graph.incidents.patch"]["by_status"]["400"], 1);
}

TEST_F(EmulatorControl, HistoryNamesActorsAndOrder) {
  std::string id = Control("POST", "/tenants/t1/incidents", {{"author", "ana@contoso.com"}})["id"];
  Control("PATCH", "/tenants/t1/incidents/" + id, {{"status", "awaitingAction"}});
  http_->SendJson("PATCH", "/v1.0/security/incidents/" + id, {{"severity", "high"}}, GraphToken());
  Control("POST", "/tenants/t1/incidents/" + id + "/comments", {{"comment", "look"}});
  json h = Control("GET", "/history")["history"];
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0]["action"], "graph.incident.create");
  EXPECT_EQ(h[1]["actor"], "analyst");
  EXPECT_EQ(h[2]["actor"], "api:xdrsync-app");
  EXPECT_EQ(h[2]["detail"]["severity"], "high");
  EXPECT_EQ(h[3]["action"], "graph.incident.comment");
  EXPECT_LT(h[0]["seq"].get<int>(), h[3]["seq"].get<int>());
}

TEST_F(EmulatorControl, AnalystChangesAlertsAndTheIncidentMoves) {
  emu_->clock().Freeze(true);
  json created = Control("POST", "/tenants/t1/alerts", {{"title", "a"}, {"count", 2}});
  std::string incident = created["incidentId"], alert = created["alertIds"][0];
  emu_->clock().Advance(std::chrono::seconds(5));
  json changed = Control("PATCH", "/tenants/t1/alerts/" + alert, {{"status", "resolved"}, {"classification", "truePositive"}});
  EXPECT_EQ(changed["status"], "resolved");
  json got = http_->Get("/v1.0/security/incidents/" + incident + "?$expand=alerts", GraphToken()).Json();
  EXPECT_EQ(got["lastUpdateDateTime"], FormatTime(emu_->clock().Now()));
  EXPECT_EQ(got["alerts"].size(), 2u);
  EXPECT_EQ(http_->SendJson("PATCH", "/_control/tenants/t1/alerts/" + alert, {{"status", "gone"}}).status, 400);
}

TEST_F(EmulatorControl, ClockCanBeSetAdvancedAndFrozen) {
  json c = Control("POST", "/clock", {{"set", "2030-01-02T03:04:05Z"}, {"freeze", true}});
  EXPECT_EQ(c["now"], "2030-01-02T03:04:05.0000000Z");
  c = Control("POST", "/clock", {{"advance_seconds", 1.5}});
  EXPECT_EQ(c["now"], "2030-01-02T03:04:06.5000000Z");
  json incident = Control("POST", "/tenants/t1/incidents", json::object());
  EXPECT_EQ(incident["createdDateTime"], "2030-01-02T03:04:06.5000000Z");
}

TEST_F(EmulatorControl, ScenarioSeedsTopologyClientsIncidentsAndFaults) {
  json scenario = {
      {"tenants", {"t3"}},
      {"workspaces", {{{"tenant", "t3"}, {"subscription", "s3"}, {"resource_group", "r3"}, {"name", "ws3"}, {"onboarded", true}}}},
      {"clients", {{{"tenant", "t3"}, {"client_id", "app3"}, {"secret", "sec3"}}}},
      {"defender_incidents", {{{"tenant", "t3"}, {"displayName", "seeded"}, {"alertCount", 1}}}},
      {"sentinel_incidents", {{{"workspace", "ws3"}, {"name", "native"}, {"title", "native"}, {"graph_visible", false}}}},
      {"settings", {{"graph_page_size", 10}}},
      {"faults", {{{"kind", "latency"}, {"latency_ms", 1}, {"path_glob", "/nothing"}}}}};
  Control("POST", "/scenario", scenario);
  auto token = http_->Send("POST", "/t3/oauth2/v2.0/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
                           "grant_type=client_credentials&client_id=app3&client_secret=sec3&scope=https://management.azure.com/.default");
  ASSERT_EQ(token.status, 200);
  auto list = http_->Get("/subscriptions/s3/resourceGroups/r3/providers/Microsoft.OperationalInsights/workspaces/ws3"
                         "/providers/Microsoft.SecurityInsights/incidents?" + std::string(kApi),
                         token.Json()["access_token"]);
  EXPECT_EQ(list.Json()["value"].size(), 2u);
  json state = Control("GET", "/state");
  EXPECT_EQ(state["world"]["tenants"]["t3"]["incidents"].size(), 1u);
  EXPECT_EQ(state["faults"].size(), 1u);
  EXPECT_EQ(state["settings"]["graph_page_size"], 10);
  EXPECT_EQ(http_->SendJson("POST", "/_control/scenario", {{"clients", {{{"tenant", "x"}}}}}).status, 400);
}

TEST_F(EmulatorControl, ScenarioWithoutClientsGetsTheDefaultApp) {
  Control("POST", "/scenario", {{"tenants", {"t4"}}, {"defender_incidents", {{{"tenant", "t4"}}}}});
  EXPECT_EQ(http_->Get("/v1.0/security/incidents", GraphToken("t4")).Json()["value"].size(), 1u);
  // $top=0 pages nowhere: no nextLink that would loop forever.
  EXPECT_FALSE(http_->Get("/v1.0/security/incidents?$top=0", GraphToken("t4")).Json().contains("@odata.nextLink"));
}

TEST_F(EmulatorControl, ListLagHidesNewIncidentsAndShowsOldVersionsUntilItPasses) {
  std::string token = GraphToken();
  std::string id = Control("POST", "/tenants/t1/incidents", {{"displayName", "before"}})["id"];
  Control("POST", "/settings", {{"list_lag_ms", 5000}});
  emu_->clock().Freeze(true);
  Control("PATCH", "/tenants/t1/incidents/" + id, {{"displayName", "after"}});
  Control("POST", "/tenants/t1/incidents", {{"displayName", "new"}});
  json listed = http_->Get("/v1.0/security/incidents", token).Json()["value"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["displayName"], "before");
  EXPECT_EQ(http_->Get("/v1.0/security/incidents/" + id, token).Json()["displayName"], "after");
  emu_->clock().Advance(std::chrono::seconds(6));
  listed = http_->Get("/v1.0/security/incidents", token).Json()["value"];
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1]["displayName"], "after");
}

TEST_F(EmulatorControl, ApiVarianceSettingsSwitchTheGraphListing) {
  std::string token = GraphToken();
  for (int i = 0; i < 3; ++i) Control("POST", "/tenants/t1/incidents", json::object());
  const std::string asc = "/v1.0/security/incidents?$orderby=lastUpdateDateTime%20asc&$top=2";
  EXPECT_EQ(Control("GET", "/settings")["graph_orderby"], "honoured");
  EXPECT_EQ(Control("GET", "/settings")["graph_paging"], "snapshot");

  EXPECT_EQ(Control("POST", "/settings", {{"graph_orderby", "refused"}})["graph_orderby"], "refused");
  auto refused = http_->Get(asc, token);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("OrderBy"), std::string::npos);

  Control("POST", "/settings", {{"graph_orderby", "honoured"}, {"graph_paging", "live-skip"}});
  std::string next = http_->Get(asc, token).Json()["@odata.nextLink"];
  EXPECT_NE(next.find("$skip=2"), std::string::npos) << next;
  EXPECT_EQ(http_->Get(next.substr(next.find("/v1.0")), token).Json()["value"].size(), 1u);

  auto bad = http_->SendJson("POST", "/_control/settings", {{"graph_paging", "sometimes"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("graph_paging"), std::string::npos);
  EXPECT_EQ(Control("GET", "/settings")["graph_paging"], "live-skip") << "a bad setting changes nothing";
}

TEST_F(EmulatorControl, TraceIsRefusedAndUnknownPathsAre404) {
  auto trace = http_->Send("TRACE", "/v1.0/security/incidents", {{"Authorization", "Bearer secret"}});
  EXPECT_EQ(trace.status, 405);
  EXPECT_EQ(trace.body.find("secret"), std::string::npos);
  EXPECT_EQ(http_->Get("/nowhere").status, 404);
  EXPECT_EQ(http_->Get("/_control/nowhere").status, 404);
  EXPECT_EQ(Control("GET", "/health")["port"], emu_->port());
}

TEST_F(EmulatorControl, OnboardingLaterTwinsExistingIncidents) {
  std::string id = Control("POST", "/tenants/t1/incidents", {{"displayName", "old"}})["id"];
  Control("POST", "/workspaces/ws1/onboarded", {{"onboarded", true}});
  json arm = http_->Get(Incidents() + "?" + kApi, ArmToken()).Json()["value"];
  ASSERT_EQ(arm.size(), 1u);
  EXPECT_EQ(arm[0]["properties"]["providerIncidentId"], id);
}

}  // namespace
}  // namespace xdrsync::emulator::testing
