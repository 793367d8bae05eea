// Graph security incidents and alerts_v2 over HTTP: list, filters, limits, paging, PATCH,
// comments, enum rules.
#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include "emulator_fixture.h"

namespace xdrsync::emulator::testing {
namespace {

using nlohmann::json;

class EmulatorGraph : public EmulatorFixture {
 protected:
  std::string CreateIncident(const json& spec, const std::string& tenant = "t1") {
    return Control("POST", "/tenants/" + tenant + "/incidents", spec)["id"].get<std::string>();
  }
};

TEST_F(EmulatorGraph, ListReturnsIncidentsNewestFirstWithSevenDigitTimestamps) {
  std::string first = CreateIncident({{"displayName", "one"}});
  std::string second = CreateIncident({{"displayName", "two"}});
  auto r = http_->Get("/v1.0/security/incidents", GraphToken());
  ASSERT_EQ(r.status, 200) << r.body;
  json value = r.Json()["value"];
  ASSERT_EQ(value.size(), 2u);
  EXPECT_EQ(value[0]["id"], second);
  EXPECT_EQ(value[1]["id"], first);
  std::regex seven(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z)");
  EXPECT_TRUE(std::regex_match(value[0]["lastUpdateDateTime"].get<std::string>(), seven));
  EXPECT_TRUE(std::regex_match(value[0]["createdDateTime"].get<std::string>(), seven));
  EXPECT_EQ(value[0]["incidentWebUrl"], "https://security.microsoft.com/incidents/" + second + "?tid=t1");
  EXPECT_FALSE(r.Header("request-id").empty());
}

TEST_F(EmulatorGraph, TopAboveFiftyIsRefusedWithTheRealMessage) {
  auto r = http_->Get("/v1.0/security/incidents?$top=51", GraphToken());
  ASSERT_EQ(r.status, 400);
  json error = r.Json()["error"];
  EXPECT_EQ(error["code"], "");
  EXPECT_NE(error["message"].get<std::string>().find("The limit of '50' for Top query has been exceeded"),
            std::string::npos);
  EXPECT_TRUE(error["innerError"].contains("request-id"));
  EXPECT_EQ(http_->Get("/v1.0/security/incidents?$top=50", GraphToken()).status, 200);
}

TEST_F(EmulatorGraph, SkipCeilingIsSixThousand) {
  EXPECT_EQ(http_->Get("/v1.0/security/incidents?$skip=6000", GraphToken()).status, 200);
  auto r = http_->Get("/v1.0/security/incidents?$skip=6001", GraphToken());
  ASSERT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("The limit of '6000' for Skip query has been exceeded"), std::string::npos);
}

TEST_F(EmulatorGraph, FilterOnLastUpdateGeAndGtCombinedWithAnd) {
  emu_->clock().Freeze(true);
  emu_->clock().Set(*ParseTime("2025-06-01T00:00:00Z"));
  std::string a = CreateIncident({{"severity", "high"}});
  emu_->clock().Advance(std::chrono::seconds(10));
  std::string b = CreateIncident({{"severity", "low"}});
  std::string c = CreateIncident({{"severity", "high"}});
  std::string token = GraphToken();
  auto ids = [&](const std::string& filter) {
    auto r = http_->Get("/v1.0/security/incidents?$orderby=" + Encode("lastUpdateDateTime asc") +
                        "&$filter=" + Encode(filter), token);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    json body = r.Json();
    for (const auto& i : body["value"]) out.push_back(i["id"]);
    return out;
  };
  EXPECT_EQ(ids("lastUpdateDateTime ge 2025-06-01T00:00:10Z"), (std::vector<std::string>{b, c}));
  EXPECT_EQ(ids("lastUpdateDateTime gt 2025-06-01T00:00:10Z").size(), 0u);
  EXPECT_EQ(ids("lastUpdateDateTime gt 2025-06-01T00:00:00.0000000Z"), (std::vector<std::string>{b, c}));
  EXPECT_EQ(ids("lastUpdateDateTime ge 2025-06-01T00:00:00Z and severity eq 'high'"),
            (std::vector<std::string>{a, c}));
  EXPECT_EQ(http_->Get("/v1.0/security/incidents?$filter=" + Encode("nosuch eq 1"), token).status, 400);
}

TEST_F(EmulatorGraph, NextLinkPagingHasNoGapOrDuplicateUnderConcurrentWrites) {
  std::set<std::string> expected;
  for (int i = 0; i < 120; ++i) expected.insert(CreateIncident({{"displayName", "i" + std::to_string(i)}}));
  std::string token = GraphToken();
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    TestHttpClient client(emu_->port());
    int n = 0;
    while (!stop) {
      std::string id = std::to_string(1001 + (n++ % 120));
      client.SendJson("PATCH", "/v1.0/security/incidents/" + id, {{"assignedTo", "w" + std::to_string(n)}}, token);
    }
  });
  std::vector<std::string> seen;
  std::string target = "/v1.0/security/incidents?$top=7&$orderby=" + Encode("lastUpdateDateTime asc");
  int pages = 0;
  while (!target.empty()) {
    auto r = http_->Get(target, token);
    ASSERT_EQ(r.status, 200) << r.body;
    json body = r.Json();
    for (const auto& i : body["value"]) seen.push_back(i["id"]);
    target = body.contains("@odata.nextLink") ? TargetOf(body["@odata.nextLink"]) : "";
    ++pages;
  }
  stop = true;
  writer.join();
  EXPECT_EQ(pages, 18);
  EXPECT_EQ(seen.size(), expected.size());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
}

TEST_F(EmulatorGraph, PatchAcceptsWritableFieldsAndReturnsTheFullIncident) {
  std::string id = CreateIncident({{"displayName", "x"}});
  json patch = {{"status", "Resolved"}, {"classification", "truePositive"},
                {"determination", "multiStagedAttack"}, {"assignedTo", "soc@contoso.com"},
                {"customTags", {"synced"}}, {"resolvingComment", "done"}};
  auto r = http_->SendJson("PATCH", "/v1.0/security/incidents/" + id, patch, GraphToken());
  ASSERT_EQ(r.status, 200) << r.body;
  json body = r.Json();
  EXPECT_EQ(body["status"], "resolved");
  EXPECT_EQ(body["classification"], "truePositive");
  EXPECT_EQ(body["customTags"], json({"synced"}));
  EXPECT_EQ(body["displayName"], "x");
  EXPECT_EQ(body["lastModifiedBy"], "xdrsync");
  EXPECT_TRUE(body.contains("comments"));
}

TEST_F(EmulatorGraph, PatchRefusesBadEnumsReadOnlyFieldsAndServiceOnlyStatuses) {
  std::string id = CreateIncident(json::object());
  std::string token = GraphToken();
  for (const json& patch : {json{{"status", "closed"}}, json{{"determination", "clean"}},
                            json{{"lastUpdateDateTime", "2025-01-01T00:00:00Z"}},
                            json{{"status", "awaitingAction"}}, json{{"status", "redirected"}}}) {
    SCOPED_TRACE(patch.dump());
    auto r = http_->SendJson("PATCH", "/v1.0/security/incidents/" + id, patch, token);
    EXPECT_EQ(r.status, 400) << r.body;
  }
  EXPECT_EQ(http_->SendJson("PATCH", "/v1.0/security/incidents/999999", {{"status", "active"}}, token).status, 404);
}

TEST_F(EmulatorGraph, CommentsPostReturnsTheWholeList) {
  std::string id = CreateIncident({{"comments", {"from analyst"}}});
  json comment = {{"@odata.type", "microsoft.graph.security.alertComment"}, {"comment", "synced note"}};
  auto r = http_->SendJson("POST", "/v1.0/security/incidents/" + id + "/comments", comment, GraphToken());
  ASSERT_EQ(r.status, 200) << r.body;
  json value = r.Json()["value"];
  ASSERT_EQ(value.size(), 2u);
  EXPECT_EQ(value[1]["comment"], "synced note");
  EXPECT_EQ(value[1]["createdByDisplayName"], "xdrsync");
  EXPECT_EQ(http_->SendJson("POST", "/v1.0/security/incidents/" + id + "/comments", json::object(), GraphToken()).status, 400);
}

TEST_F(EmulatorGraph, AwaitingActionNeedsThePreferHeader) {
  std::string id = CreateIncident({{"status", "awaitingAction"}});
  std::string token = GraphToken();
  EXPECT_EQ(http_->Get("/v1.0/security/incidents/" + id, token).Json()["status"], "unknownFutureValue");
  auto r = http_->Send("GET", "/v1.0/security/incidents/" + id,
                       {{"Authorization", "Bearer " + token}, {"Prefer", "include-unknown-enum-members"}});
  EXPECT_EQ(r.Json()["status"], "awaitingAction");
}

TEST_F(EmulatorGraph, ExpandAlertsAndAlertsV2Listing) {
  std::string id = CreateIncident({{"alerts", {{{"serviceSource", "microsoftSentinel"}}, json::object()}}});
  std::string token = GraphToken();
  auto r = http_->Get("/v1.0/security/incidents/" + id + "?$expand=alerts", token);
  ASSERT_EQ(r.Json()["alerts"].size(), 2u);
  EXPECT_FALSE(http_->Get("/v1.0/security/incidents/" + id, token).Json().contains("alerts"));
  auto alerts = http_->Get("/v1.0/security/alerts_v2?$top=1", token);
  ASSERT_EQ(alerts.status, 200) << alerts.body;
  json page = alerts.Json();
  EXPECT_EQ(page["value"].size(), 1u);
  ASSERT_TRUE(page.contains("@odata.nextLink"));
  EXPECT_EQ(http_->Get(TargetOf(page["@odata.nextLink"]), token).Json()["value"].size(), 1u);
  auto filtered = http_->Get("/v1.0/security/alerts_v2?$filter=" + Encode("serviceSource eq 'microsoftSentinel'"), token);
  ASSERT_EQ(filtered.Json()["value"].size(), 1u);
  // A late member of an evolvable enum reads unknownFutureValue without the Prefer header.
  EXPECT_EQ(filtered.Json()["value"][0]["serviceSource"], "unknownFutureValue");
}

TEST_F(EmulatorGraph, TenantComesFromTheToken) {
  CreateIncident(json::object(), "t1");
  CreateIncident(json::object(), "t2");
  CreateIncident(json::object(), "t2");
  EXPECT_EQ(http_->Get("/v1.0/security/incidents", GraphToken("t1")).Json()["value"].size(), 1u);
  EXPECT_EQ(http_->Get("/v1.0/security/incidents", GraphToken("t2")).Json()["value"].size(), 2u);
}

}  // namespace
}  // namespace xdrsync::emulator::testing
