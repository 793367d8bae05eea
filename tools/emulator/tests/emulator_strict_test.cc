// Where the services are strict, the emulator is too: typed $filter literals, published ARM
// api-versions only, JSON Content-Type on writes, etags on missing incidents, $select, and the
// shapes of ARM sub-resources, Graph alerts and single incidents.
#include "arm_api_versions.h"
#include "emulator_fixture.h"

namespace xdrsync::emulator::testing {
namespace {

using nlohmann::json;

class EmulatorStrict : public EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    graph_ = GraphToken();
    arm_ = ArmToken();
  }
  ClientResponse Put(const std::string& name, const json& body, const std::string& query = kApi) {
    return http_->SendJson("PUT", Incidents() + "/" + name + "?" + query, body, arm_);
  }
  std::string graph_, arm_;
};

struct FilterCase {
  const char* set;  // "incidents", "alerts_v2" or "arm"
  const char* filter;
  int status;
};

TEST_F(EmulatorStrict, FilterLiteralsAreTypedOnBothServices) {
  const FilterCase cases[] = {
      {"incidents", "lastUpdateDateTime ge 2025-06-01T00:00:00Z", 200},
      {"incidents", "lastUpdateDateTime ge 2025-06-01T00:00:00.1234567Z and status ne 'resolved'", 200},
      {"incidents", "lastUpdateDateTime ge '2025-06-01T00:00:00Z'", 400},
      {"incidents", "lastUpdateDateTime ge datetime'2025-06-01T00:00:00Z'", 400},
      {"incidents", "lastUpdateDateTime ge 2025-06-01", 400},
      {"incidents", "lastUpdateDateTime ge 2026-13-45T99:00:00Z", 400},
      {"incidents", "status eq active", 400},
      {"incidents", "status eq 'Active'", 400},
      {"incidents", "severity eq 'HIGH'", 400},
      {"incidents", "determination eq 'clean'", 400},  // a doc alias, not a metadata member
      {"alerts_v2", "serviceSource eq 'microsoftSentinel'", 200},
      {"alerts_v2", "serviceSource eq 'MicrosoftSentinel'", 400},
      {"alerts_v2", "status eq 'New'", 400},
      {"arm", "properties/lastModifiedTimeUtc ge 2025-06-01T00:00:00.0000000Z", 200},
      {"arm", "properties/status eq 'Active' and properties/owner/assignedTo eq 'a@x'", 200},
      {"arm", "properties/lastModifiedTimeUtc ge '2025-06-01T00:00:00Z'", 400},
      {"arm", "properties/createdTimeUtc gt 2025-02-30T00:00:00Z", 400},
      {"arm", "properties/status eq 'active'", 400},
      {"arm", "properties/status eq Active", 400},
      {"arm", "properties/incidentNumber eq 3", 200},
      {"arm", "properties/incidentNumber eq '3'", 400},
  };
  for (const FilterCase& c : cases) {
    SCOPED_TRACE(std::string(c.set) + ": " + c.filter);
    bool arm = std::string(c.set) == "arm";
    auto r = arm ? http_->Get(Incidents() + "?" + kApi + "&$filter=" + Encode(c.filter), arm_)
                 : http_->Get("/v1.0/security/" + std::string(c.set) + "?$filter=" + Encode(c.filter), graph_);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (r.status == 400) {
      EXPECT_EQ(r.Json()["error"]["code"], "BadRequest");
    }
  }
}

TEST_F(EmulatorStrict, ArmAcceptsThePublishedApiVersionsOnly) {
  for (const char* v : {"2025-09-01", "2025-12-01", "2022-08-01", "2022-09-01-preview", "2025-07-01-preview"}) {
    EXPECT_EQ(http_->Get(Incidents() + "?api-version=" + v, arm_).status, 200) << v;
  }
  for (const char* v : {"banana-preview", "2025-08-01-preview", "2026-01-01", "2025-09-01 "}) {
    auto r = http_->Get(Incidents() + "?api-version=" + Encode(v), arm_);
    EXPECT_EQ(r.status, 400) << v;
    EXPECT_EQ(r.Json()["error"]["code"], "NoRegisteredProviderFound");
  }
  for (const auto& v : ArmIncidentApiVersions()) EXPECT_NE(std::string(v.source), "") << v.version;
}

TEST_F(EmulatorStrict, WritesMustDeclareJson) {
  json body = ArmBody("typed");
  auto plain = http_->Send("PUT", Incidents() + "/t1?" + kApi,
                           {{"Authorization", "Bearer " + arm_}, {"Content-Type", "text/plain"}}, body.dump());
  EXPECT_EQ(plain.status, 415);
  EXPECT_EQ(plain.Json()["error"]["code"], "UnsupportedMediaType");
  EXPECT_EQ(http_->Get(Incidents() + "/t1?" + kApi, arm_).status, 404);  // nothing was written
  auto charset = http_->Send("PUT", Incidents() + "/t1?" + kApi,
                             {{"Authorization", "Bearer " + arm_}, {"Content-Type", "Application/JSON; charset=utf-8"}},
                             body.dump());
  EXPECT_EQ(charset.status, 201) << charset.body;

  std::string id = Control("POST", "/tenants/t1/incidents", {{"displayName", "x"}})["id"];
  auto patch = http_->Send("PATCH", "/v1.0/security/incidents/" + id,
                           {{"Authorization", "Bearer " + graph_}, {"Content-Type", "text/plain"}},
                           R"({"status":"inProgress"})");
  EXPECT_EQ(patch.status, 400);
  EXPECT_NE(patch.body.find("JSON Content-Type"), std::string::npos);
  EXPECT_EQ(http_->Get("/v1.0/security/incidents/" + id, graph_).Json()["status"], "active");
}

TEST_F(EmulatorStrict, PutWithAnEtagNeverCreates) {
  auto r = Put("ghost", ArmBody("ghost", "New", "\"00000000-0000-0000-0000-000000000000\""));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.Json()["error"]["code"], "Conflict");
  EXPECT_EQ(http_->Get(Incidents() + "/ghost?" + kApi, arm_).status, 404);
  EXPECT_EQ(Put("ghost", ArmBody("ghost")).status, 201);
}

TEST_F(EmulatorStrict, SelectIsHonouredOnGraphAndRefusedOnArm) {
  std::string id = Control("POST", "/tenants/t1/incidents", {{"displayName", "sel"}, {"alertCount", 1}})["id"];
  auto one = http_->Get("/v1.0/security/incidents/" + id + "?$select=" + Encode("id,status"), graph_).Json();
  EXPECT_EQ(one.size(), 3u) << one.dump();  // id, status and @odata.context
  EXPECT_EQ(one["status"], "active");
  EXPECT_FALSE(one.contains("displayName"));
  auto list = http_->Get("/v1.0/security/incidents?$top=1&$select=displayName", graph_).Json();
  ASSERT_EQ(list["value"].size(), 1u);
  EXPECT_EQ(list["value"][0], json({{"displayName", "sel"}}));
  auto alerts = http_->Get("/v1.0/security/alerts_v2?$select=title,incidentId", graph_).Json();
  ASSERT_EQ(alerts["value"].size(), 1u);
  EXPECT_EQ(alerts["value"][0].size(), 2u);
  EXPECT_EQ(http_->Get("/v1.0/security/incidents?$select=nosuch", graph_).status, 400);
  EXPECT_EQ(http_->Get(Incidents() + "?" + kApi + "&$select=name", arm_).status, 400);
}

TEST_F(EmulatorStrict, SelectIsCarriedByTheNextLink) {
  for (int i = 0; i < 3; ++i) Control("POST", "/tenants/t1/incidents", {{"displayName", "p" + std::to_string(i)}});
  auto first = http_->Get("/v1.0/security/incidents?$top=2&$select=id", graph_).Json();
  ASSERT_TRUE(first.contains("@odata.nextLink"));
  auto second = http_->Get(TargetOf(first["@odata.nextLink"]), graph_).Json();
  ASSERT_EQ(second["value"].size(), 1u);
  EXPECT_EQ(second["value"][0].size(), 1u) << second.dump();
}

TEST_F(EmulatorStrict, ArmCommentGetAndDelete) {
  ASSERT_EQ(Put("inc", ArmBody("c")).status, 201);
  std::string comments = Incidents() + "/inc/comments/";
  ASSERT_EQ(http_->SendJson("PUT", comments + "c1?" + kApi, {{"properties", {{"message", "hi"}}}}, arm_).status, 201);
  auto got = http_->Get(comments + "c1?" + kApi, arm_);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Json()["properties"]["message"], "hi");
  EXPECT_EQ(http_->Get(comments + "nope?" + kApi, arm_).status, 404);
  // Deleting needs Sentinel Contributor; the default app is a Responder.
  EXPECT_EQ(http_->Send("DELETE", comments + "c1?" + kApi, {{"Authorization", "Bearer " + arm_}}).status, 403);
  Control("POST", "/clients", {{"tenant", "t1"}, {"client_id", "boss"}, {"secret", "s"}, {"arm_role", "contributor"}});
  std::string boss = Control("POST", "/tokens", {{"tenant", "t1"}, {"client_id", "boss"},
                                                 {"audience", "https://management.azure.com"}})["access_token"];
  EXPECT_EQ(http_->Send("DELETE", comments + "c1?" + kApi, {{"Authorization", "Bearer " + boss}}).status, 200);
  EXPECT_EQ(http_->Send("DELETE", comments + "c1?" + kApi, {{"Authorization", "Bearer " + boss}}).status, 204);
  EXPECT_EQ(http_->Get(comments + "c1?" + kApi, arm_).status, 404);
  EXPECT_EQ(http_->Get(Incidents() + "/inc?" + kApi, arm_).Json()["properties"]["additionalData"]["commentsCount"], 0);
}

TEST_F(EmulatorStrict, ArmEntitiesAndBookmarksActions) {
  ASSERT_EQ(Put("inc", ArmBody("e")).status, 201);
  auto entities = http_->SendJson("POST", Incidents() + "/inc/entities?" + kApi, json::object(), arm_);
  ASSERT_EQ(entities.status, 200);
  EXPECT_EQ(entities.Json(), json({{"entities", json::array()}, {"metaData", json::array()}}));
  auto bookmarks = http_->SendJson("POST", Incidents() + "/inc/bookmarks?" + kApi, json::object(), arm_);
  ASSERT_EQ(bookmarks.status, 200);
  EXPECT_EQ(bookmarks.Json(), json({{"value", json::array()}}));
  EXPECT_EQ(http_->SendJson("POST", Incidents() + "/none/entities?" + kApi, json::object(), arm_).status, 404);
  EXPECT_EQ(http_->Get(Incidents() + "/inc/bookmarks?" + kApi, arm_).status, 405);
}

TEST_F(EmulatorStrict, ArmOwnerAndDescriptionRenderAsTheServiceDoes) {
  auto bare = Put("bare", ArmBody("no owner")).Json()["properties"];
  EXPECT_EQ(bare["owner"], json({{"objectId", nullptr}, {"email", nullptr}, {"assignedTo", nullptr},
                                 {"userPrincipalName", nullptr}}));
  EXPECT_FALSE(bare.contains("description"));
  json body = ArmBody("owned");
  body["properties"]["description"] = "d";
  body["properties"]["owner"] = {{"assignedTo", "A B"}, {"ownerType", "User"}};
  auto owned = Put("owned", body).Json()["properties"];
  EXPECT_EQ(owned["description"], "d");
  EXPECT_EQ(owned["owner"]["assignedTo"], "A B");
  EXPECT_EQ(owned["owner"]["ownerType"], "User");
  EXPECT_TRUE(owned["owner"]["email"].is_null());
}

TEST_F(EmulatorStrict, GraphAlertsCarryTheModelsProperties) {
  Control("POST", "/tenants/t1/incidents", {{"displayName", "x"}, {"alertCount", 1}});
  auto alert = http_->Get("/v1.0/security/alerts_v2", graph_).Json()["value"][0];
  for (const char* key : {"actorDisplayName", "additionalData", "alertPolicyId", "customDetails", "detectorId",
                          "recommendedActions", "resolvedDateTime", "threatDisplayName", "threatFamilyName"}) {
    EXPECT_TRUE(alert.contains(key)) << key;
  }
  EXPECT_TRUE(alert["resolvedDateTime"].is_null());
  EXPECT_TRUE(alert["customDetails"].is_object());
}

TEST_F(EmulatorStrict, SingleIncidentCarriesItsODataContext) {
  std::string id = Control("POST", "/tenants/t1/incidents", {{"displayName", "x"}})["id"];
  std::string context = emu_->base_url() + "/v1.0/$metadata#security/incidents/$entity";
  EXPECT_EQ(http_->Get("/v1.0/security/incidents/" + id, graph_).Json()["@odata.context"], context);
  auto patched = http_->SendJson("PATCH", "/v1.0/security/incidents/" + id, {{"status", "inProgress"}}, graph_);
  EXPECT_EQ(patched.Json()["@odata.context"], context);
}

}  // namespace
}  // namespace xdrsync::emulator::testing
