// A workspace onboarded to the Defender portal: one incident seen through Graph and ARM,
// beta createAlert, ARM-created incidents that stay out of Graph, and merges.
#include "emulator_fixture.h"

namespace xdrsync::emulator::testing {
namespace {

using nlohmann::json;

class EmulatorOnboarded : public EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    graph_ = GraphToken("t2");
    arm_ = ArmToken("t2");
  }
  json Create(const json& spec) { return Control("POST", "/tenants/t2/incidents", spec); }
  json GraphGet(const std::string& id) { return http_->Get("/v1.0/security/incidents/" + id + "?$expand=alerts", graph_).Json(); }
  json ArmGet(const std::string& name) { return http_->Get(Incidents("wsx") + "/" + name + "?" + kApi, arm_).Json(); }
  std::string graph_, arm_;
};

TEST_F(EmulatorOnboarded, DefenderIncidentShowsInArmWithTheDefenderProvider) {
  json g = Create({{"displayName", "phish"}, {"severity", "high"}, {"alertCount", 2}, {"customTags", {"vip"}}});
  json a = ArmGet(g["_armName"]);
  EXPECT_EQ(a["properties"]["title"], "phish");
  EXPECT_EQ(a["properties"]["severity"], "High");
  EXPECT_EQ(a["properties"]["status"], "New");
  EXPECT_EQ(a["properties"]["providerName"], "Microsoft Defender XDR");
  EXPECT_EQ(a["properties"]["providerIncidentId"], g["id"]);
  EXPECT_EQ(a["properties"]["additionalData"]["alertsCount"], 2);
  EXPECT_EQ(a["properties"]["labels"][0]["labelName"], "vip");
  // Not onboarded: t1's incidents never reach ws1.
  Control("POST", "/tenants/t1/incidents", {{"displayName", "t1 only"}});
  EXPECT_EQ(http_->Get(Incidents("ws1") + "?" + kApi, ArmToken("t1")).Json()["value"].size(), 0u);
}

TEST_F(EmulatorOnboarded, ArmUpdateShowsInGraphAndGraphUpdateShowsInArm) {
  json g = Create({{"displayName", "x"}});
  std::string id = g["id"], name = g["_armName"];
  json a = ArmGet(name);
  a["properties"]["status"] = "Closed";
  a["properties"]["classification"] = "TruePositive";
  a["properties"]["classificationReason"] = "SuspiciousActivity";
  a["properties"]["owner"] = {{"userPrincipalName", "ana@contoso.com"}};
  auto put = http_->SendJson("PUT", Incidents("wsx") + "/" + name + "?" + kApi, a, arm_);
  ASSERT_EQ(put.status, 200) << put.body;
  json after = GraphGet(id);
  EXPECT_EQ(after["status"], "resolved");
  EXPECT_EQ(after["classification"], "truePositive");
  EXPECT_EQ(after["assignedTo"], "ana@contoso.com");
  auto patch = http_->SendJson("PATCH", "/v1.0/security/incidents/" + id,
                               {{"status", "active"}, {"classification", nullptr}, {"customTags", {"a", "b"}}}, graph_);
  ASSERT_EQ(patch.status, 200) << patch.body;
  json back = ArmGet(name);
  EXPECT_EQ(back["properties"]["status"], "New");
  EXPECT_FALSE(back["properties"].contains("classification"));
  EXPECT_EQ(back["properties"]["labels"].size(), 2u);
  EXPECT_NE(back["etag"], put.Json()["etag"]);
  // New comments flow both ways.
  http_->SendJson("POST", "/v1.0/security/incidents/" + id + "/comments", {{"comment", "from graph"}}, graph_);
  http_->SendJson("PUT", Incidents("wsx") + "/" + name + "/comments/c1?" + kApi, {{"properties", {{"message", "from arm"}}}}, arm_);
  EXPECT_EQ(GraphGet(id)["comments"].size(), 2u);
  EXPECT_EQ(http_->Get(Incidents("wsx") + "/" + name + "/comments?" + kApi, arm_).Json()["value"].size(), 2u);
}

TEST_F(EmulatorOnboarded, ArmCreatedIncidentNeverShowsInGraph) {
  auto r = http_->SendJson("PUT", Incidents("wsx") + "/manual-1?" + kApi, ArmBody("manual"), arm_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["properties"]["providerName"], "Azure Sentinel");
  EXPECT_EQ(http_->Get("/v1.0/security/incidents", graph_).Json()["value"].size(), 0u);
}

TEST_F(EmulatorOnboarded, CreateAlertMakesAnIncidentInBothViews) {
  json input = {{"createAlertInput", {{"title", "twin of S-42"}, {"severity", "medium"}, {"description", "d"},
                                      {"category", "InitialAccess"}, {"isExcludedFromCorrelation", true},
                                      {"entityDefinitions", {{{"type", "user"}, {"value", "a@b"}}}}}}};
  auto r = http_->SendJson("POST", "/beta/security/alerts_v2/createAlert", input, graph_);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string incident = r.Json()["incidentId"];
  EXPECT_EQ(r.Json()["detectionSource"], "manual");
  EXPECT_EQ(GraphGet(incident)["alerts"].size(), 1u);
  json arm = http_->Get(Incidents("wsx") + "?" + kApi, arm_).Json()["value"];
  ASSERT_EQ(arm.size(), 1u);
  EXPECT_EQ(arm[0]["properties"]["providerIncidentId"], incident);
  json missing = input;
  missing["createAlertInput"].erase("entityDefinitions");
  EXPECT_EQ(http_->SendJson("POST", "/beta/security/alerts_v2/createAlert", missing, graph_).status, 400);
  Control("POST", "/clients", {{"tenant", "t2"}, {"client_id", "ro"}, {"secret", "s"},
                               {"graph_roles", {"SecurityIncident.ReadWrite.All"}}});
  std::string ro = emu_->MintToken("t2", "ro", "https://graph.microsoft.com/.default");
  EXPECT_EQ(http_->SendJson("POST", "/beta/security/alerts_v2/createAlert", input, ro).status, 403);
  Control("POST", "/clients", {{"tenant", "t2"}, {"client_id", "creator"}, {"secret", "s"},
                               {"graph_roles", {"SecurityAlert.Create.All"}}});
  std::string creator = emu_->MintToken("t2", "creator", "https://graph.microsoft.com/.default");
  EXPECT_EQ(http_->SendJson("POST", "/beta/security/alerts_v2/createAlert", input, creator).status, 201);
}

TEST_F(EmulatorOnboarded, MergeRedirectsTheSourceMovesAlertsAndTagsKeepsComments) {
  json source = Create({{"alertCount", 2}, {"customTags", {"src-tag"}}, {"comments", {"stay here"}}});
  json target = Create({{"alertCount", 1}, {"customTags", {"dst-tag"}}});
  Control("POST", "/tenants/t2/merge", {{"source", source["id"]}, {"target", target["id"]}});
  json s = GraphGet(source["id"]);
  json t = GraphGet(target["id"]);
  EXPECT_EQ(s["status"], "redirected");
  EXPECT_EQ(s["redirectIncidentId"], target["id"]);
  EXPECT_EQ(s["alerts"].size(), 0u);
  EXPECT_EQ(s["customTags"].size(), 0u);
  EXPECT_EQ(s["systemTags"], json({"Redirected"}));
  EXPECT_EQ(s["comments"].size(), 1u);
  EXPECT_EQ(t["alerts"].size(), 3u);
  EXPECT_EQ(t["customTags"], json({"dst-tag", "src-tag"}));
  EXPECT_EQ(t["comments"].size(), 0u);
  json arm_source = ArmGet(source["_armName"]);
  EXPECT_EQ(arm_source["properties"]["status"], "Closed");
  EXPECT_EQ(arm_source["properties"]["labels"][0]["labelName"], "Redirected");
  EXPECT_EQ(ArmGet(target["_armName"])["properties"]["additionalData"]["alertsCount"], 3);
  // The Graph action merges too, keeping the oldest incident as the target.
  json a = Create(json::object());
  json b = Create(json::object());
  auto merged = http_->SendJson("POST", "/v1.0/security/incidents/mergeIncidents",
                                {{"incidentIds", {b["id"], a["id"]}}, {"incidentComment", "merged"}}, graph_);
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(merged.Json()["targetIncidentId"], a["id"]);
  EXPECT_EQ(GraphGet(b["id"])["status"], "redirected");
  EXPECT_EQ(http_->SendJson("POST", "/v1.0/security/incidents/mergeIncidents",
                            {{"incidentIds", {source["id"], a["id"]}}}, graph_).status, 400);
}

}  // namespace
}  // namespace xdrsync::emulator::testing
