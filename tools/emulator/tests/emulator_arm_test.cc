// ARM Sentinel incidents over HTTP: api-version, PUT validation and etags, list paging,
// comments and their limits, the alerts action, error bodies and headers.
#include <atomic>
#include <set>
#include <thread>

#include "emulator_fixture.h"

namespace xdrsync::emulator::testing {
namespace {

using nlohmann::json;

class EmulatorArm : public EmulatorFixture {
 protected:
  ClientResponse Put(const std::string& name, const json& body, const std::string& ws = "ws1") {
    return http_->SendJson("PUT", Incidents(ws) + "/" + name + "?" + kApi, body, token_);
  }
  void SetUp() override {
    EmulatorFixture::SetUp();
    token_ = ArmToken();
  }
  std::string token_;
};

TEST_F(EmulatorArm, ApiVersionIsRequired) {
  auto r = http_->Get(Incidents(), token_);
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["error"]["code"], "MissingApiVersionParameter");
  EXPECT_EQ(http_->Get(Incidents() + "?api-version=1999-01-01", token_).status, 400);
  EXPECT_EQ(http_->Get(Incidents() + "?" + kApi, token_).status, 200);
}

TEST_F(EmulatorArm, PutCreatesWith201ThenUpdatesWith200AndANewEtag) {
  auto created = Put("inc-1", ArmBody("first"));
  ASSERT_EQ(created.status, 201) << created.body;
  json c = created.Json();
  EXPECT_EQ(c["name"], "inc-1");
  EXPECT_EQ(c["type"], "Microsoft.SecurityInsights/incidents");
  EXPECT_EQ(c["id"], Incidents() + "/inc-1");
  EXPECT_EQ(c["properties"]["incidentNumber"], 1);
  EXPECT_EQ(c["properties"]["providerName"], "Azure Sentinel");
  EXPECT_NE(c["properties"]["incidentUrl"].get<std::string>().find("Microsoft_Azure_Security_Insights/Incident/subscriptions/sub1"), std::string::npos);
  std::string etag = c["etag"];
  EXPECT_EQ(etag.front(), '"');
  EXPECT_FALSE(created.Header("x-ms-request-id").empty());
  EXPECT_NE(created.Header("date").find(" GMT"), std::string::npos);  // clients read the clock offset
  auto updated = Put("inc-1", ArmBody("second", "Active", etag));
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_NE(updated.Json()["etag"], etag);
  EXPECT_EQ(updated.Json()["properties"]["title"], "second");
  EXPECT_EQ(Put("inc-2", ArmBody("other")).Json()["properties"]["incidentNumber"], 2);
}

TEST_F(EmulatorArm, StaleEtagGets409WithTheRealBody) {
  std::string etag = Put("inc-1", ArmBody("first")).Json()["etag"];
  ASSERT_EQ(Put("inc-1", ArmBody("second", "New", etag)).status, 200);
  auto stale = Put("inc-1", ArmBody("third", "New", etag));
  ASSERT_EQ(stale.status, 409);
  EXPECT_EQ(stale.Json(), json::parse(R"({"error":{"code":"Conflict","message":"Newer version of resource 'inc-1' exists. Data was not saved"}})"));
  // A comment bumps the incident, so an etag read before it is stale too.
  std::string fresh = http_->Get(Incidents() + "/inc-1?" + kApi, token_).Json()["etag"];
  ASSERT_EQ(http_->SendJson("PUT", Incidents() + "/inc-1/comments/c1?" + kApi, {{"properties", {{"message", "hi"}}}}, token_).status, 201);
  EXPECT_EQ(Put("inc-1", ArmBody("fourth", "New", fresh)).status, 409);
}

TEST_F(EmulatorArm, PutValidationErrors) {
  struct Case { const char* name; json body; };
  std::vector<Case> cases = {
      {"missing title", {{"properties", {{"severity", "High"}, {"status", "New"}}}}},
      {"bad severity", {{"properties", {{"title", "t"}, {"severity", "Critical"}, {"status", "New"}}}}},
      {"bad status", {{"properties", {{"title", "t"}, {"severity", "High"}, {"status", "Resolved"}}}}},
      {"closed without classification", {{"properties", {{"title", "t"}, {"severity", "High"}, {"status", "Closed"}}}}},
      {"reason missing", {{"properties", {{"title", "t"}, {"severity", "High"}, {"status", "Closed"}, {"classification", "BenignPositive"}}}}},
      {"reason mismatched", {{"properties", {{"title", "t"}, {"severity", "High"}, {"status", "Closed"}, {"classification", "TruePositive"}, {"classificationReason", "InaccurateData"}}}}},
      {"no properties", {{"etag", "x"}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = Put("bad", c.body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.Json()["error"]["code"], "BadRequest");
  }
  json closed = {{"properties", {{"title", "t"}, {"severity", "High"}, {"status", "Closed"},
                                 {"classification", "Undetermined"}}}};
  EXPECT_EQ(Put("ok", closed).status, 201);
  EXPECT_EQ(http_->Send("PUT", Incidents() + "/x?" + kApi,
                        {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}}, "{not json")
                .status,
            400);
}

TEST_F(EmulatorArm, ListFilterOrderTopAndPagingWithShortAndEmptyPages) {
  emu_->clock().Freeze(true);
  for (int i = 0; i < 25; ++i) {
    ASSERT_EQ(Put("i" + std::to_string(i), ArmBody("t" + std::to_string(i))).status, 201);
    emu_->clock().Advance(std::chrono::seconds(1));
  }
  EXPECT_EQ(http_->Get(Incidents() + "?" + kApi + "&$top=1001", token_).status, 400);
  std::string cutoff = FormatTime(emu_->clock().Now() - std::chrono::seconds(10));
  auto filtered = http_->Get(Incidents() + "?" + kApi + "&$filter=" + Encode("properties/lastModifiedTimeUtc ge " + cutoff) +
                             "&$orderby=" + Encode("properties/lastModifiedTimeUtc asc"), token_);
  ASSERT_EQ(filtered.status, 200) << filtered.body;
  json f = filtered.Json()["value"];
  ASSERT_EQ(f.size(), 10u);
  EXPECT_EQ(f[0]["name"], "i15");

  Control("POST", "/settings", {{"arm_short_pages", true}});
  std::string target = Incidents() + "?" + kApi + "&$top=4&$orderby=" + Encode("properties/incidentNumber asc");
  std::vector<std::string> seen;
  bool saw_empty = false, saw_short = false;
  while (!target.empty()) {
    auto r = http_->Get(target, token_);
    ASSERT_EQ(r.status, 200) << r.body;
    json body = r.Json();
    size_t n = body["value"].size();
    for (const auto& i : body["value"]) seen.push_back(i["name"]);
    target = body.contains("nextLink") ? TargetOf(body["nextLink"]) : "";
    if (!target.empty()) {
      saw_empty |= n == 0;
      saw_short |= n > 0 && n < 4;
      EXPECT_NE(target.find("$skipToken="), std::string::npos);
      EXPECT_NE(target.find("api-version="), std::string::npos);
    }
  }
  EXPECT_TRUE(saw_empty);
  EXPECT_TRUE(saw_short);
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "i0");
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 25u);
}

TEST_F(EmulatorArm, NextLinkPagingHasNoGapOrDuplicateUnderConcurrentPuts) {
  for (int i = 0; i < 60; ++i) ASSERT_EQ(Put("p" + std::to_string(i), ArmBody("t")).status, 201);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    TestHttpClient client(emu_->port());
    for (int n = 0; !stop; ++n) {
      client.SendJson("PUT", Incidents() + "/p" + std::to_string(n % 60) + "?" + kApi,
                      ArmBody("w" + std::to_string(n), "Active"), token_);
    }
  });
  std::vector<std::string> seen;
  std::string target = Incidents() + "?" + kApi + "&$top=7&$orderby=" + Encode("properties/lastModifiedTimeUtc asc");
  while (!target.empty()) {
    auto r = http_->Get(target, token_);
    ASSERT_EQ(r.status, 200) << r.body;
    json body = r.Json();
    for (const auto& i : body["value"]) seen.push_back(i["name"]);
    target = body.contains("nextLink") ? TargetOf(body["nextLink"]) : "";
  }
  stop = true;
  writer.join();
  EXPECT_EQ(seen.size(), 60u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 60u);
}

TEST_F(EmulatorArm, ListPagesNeverServeAnOldRendering) {
  auto titles = [&] {
    std::vector<std::string> out;
    json body = http_->Get(Incidents() + "?" + kApi, token_).Json();
    for (const auto& i : body["value"]) out.push_back(i["properties"]["title"]);
    return out;
  };
  ASSERT_EQ(Put("r", ArmBody("one")).status, 201);
  EXPECT_EQ(titles(), std::vector<std::string>{"one"});
  ASSERT_EQ(Put("r", ArmBody("two")).status, 200);
  EXPECT_EQ(titles(), std::vector<std::string>{"two"});
  ASSERT_EQ(emu_->world().ArmDelete({"sub1", "rg1", "ws1"}, "r", {"test", "test", ""}).status, 200);
  EXPECT_TRUE(titles().empty());
  ASSERT_EQ(Put("r", ArmBody("three")).status, 201);
  EXPECT_EQ(titles(), std::vector<std::string>{"three"});
  Control("POST", "/workspaces/ws1/incidents/r/comments", {{"message", "m"}});
  EXPECT_EQ(http_->Get(Incidents() + "?" + kApi, token_).Json()["value"][0]["properties"]["additionalData"]["commentsCount"], 1);
}

TEST_F(EmulatorArm, CommentLimitsAndAuthorEdits) {
  ASSERT_EQ(Put("inc", ArmBody("t")).status, 201);
  std::string base = Incidents() + "/inc/comments/";
  auto put = [&](const std::string& id, const std::string& message, const std::string& token) {
    return http_->SendJson("PUT", base + id + "?" + kApi, {{"properties", {{"message", message}}}}, token);
  };
  EXPECT_EQ(put("long", std::string(30001, 'x'), token_).status, 400);
  auto first = put("c0", std::string(30000, 'x'), token_);
  ASSERT_EQ(first.status, 201) << first.body.substr(0, 300);
  EXPECT_EQ(first.Json()["properties"]["author"]["name"], "xdrsync");
  EXPECT_EQ(put("c0", "edited", token_).status, 200);
  for (int i = 1; i < 100; ++i) ASSERT_EQ(put("c" + std::to_string(i), "m", token_).status, 201);
  auto over = put("c100", "m", token_);
  EXPECT_EQ(over.status, 400);
  EXPECT_NE(over.body.find("100 comments"), std::string::npos);
  auto list = http_->Get(Incidents() + "/inc/comments?" + kApi, token_);
  ASSERT_EQ(list.Json()["value"].size(), 100u);
  EXPECT_EQ(list.Json()["value"][0]["properties"]["message"], "edited");
  // Another principal may not edit someone else's comment.
  Control("POST", "/clients", {{"tenant", "t1"}, {"client_id", "other"}, {"secret", "s"}, {"arm_role", "responder"}});
  std::string other = emu_->MintToken("t1", "other", "https://management.azure.com/.default");
  EXPECT_EQ(put("c1", "hijack", other).status, 403);
}

TEST_F(EmulatorArm, AlertsActionStopsAt150) {
  auto created = Control("POST", "/workspaces/ws1/incidents", {{"name", "big"}, {"title", "big"}, {"alertsCount", 170}});
  EXPECT_EQ(created["properties"]["additionalData"]["alertsCount"], 150);
  auto r = http_->Send("POST", Incidents() + "/big/alerts?" + kApi, {{"Authorization", "Bearer " + token_}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["value"].size(), 150u);
  EXPECT_EQ(r.Json()["value"][0]["kind"], "SecurityAlert");
}

TEST_F(EmulatorArm, NotFoundAndRbacAndWrongTenant) {
  auto missing = http_->Get(Incidents() + "/nope?" + kApi, token_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Json()["error"]["code"], "NotFound");
  auto no_ws = http_->Get(Incidents("nows") + "?" + kApi, token_);
  EXPECT_EQ(no_ws.status, 404);
  EXPECT_EQ(no_ws.Json()["error"]["code"], "ResourceNotFound");
  Control("POST", "/clients", {{"tenant", "t1"}, {"client_id", "reader"}, {"secret", "s"}, {"arm_role", "reader"}});
  std::string reader = emu_->MintToken("t1", "reader", "https://management.azure.com/.default");
  EXPECT_EQ(http_->Get(Incidents() + "?" + kApi, reader).status, 200);
  auto denied = http_->SendJson("PUT", Incidents() + "/x?" + kApi, ArmBody("t"), reader);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Json()["error"]["code"], "AuthorizationFailed");
  auto wrong = http_->Get(Incidents() + "?" + kApi, ArmToken("t2"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Json()["error"]["code"], "InvalidAuthenticationTokenTenant");
  EXPECT_EQ(http_->Send("DELETE", Incidents() + "/x?" + kApi, {{"Authorization", "Bearer " + token_}}).status, 403);
}

}  // namespace
}  // namespace xdrsync::emulator::testing
