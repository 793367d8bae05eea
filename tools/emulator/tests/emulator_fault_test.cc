// Every fault kind, as a client sees it on the wire, and whether the write behind it happened.
#include <chrono>
#include <cstdio>
#include <fstream>

#include "emulator_fixture.h"

namespace xdrsync::emulator::testing {
namespace {

using nlohmann::json;
using Outcome = ClientResponse::Outcome;

class EmulatorFault : public EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    graph_ = GraphToken();
    arm_ = ArmToken();
    id_ = Control("POST", "/tenants/t1/incidents", json::object())["id"];
  }
  void Fault(const json& rule) { Control("POST", "/faults", rule); }
  ClientResponse Patch(const std::string& who) {
    return http_->SendJson("PATCH", "/v1.0/security/incidents/" + id_, {{"assignedTo", who}}, graph_);
  }
  json Assigned() { return emu_->world().GraphGetIncident("t1", id_, {}, false).body["assignedTo"]; }
  std::string graph_, arm_, id_;
};

TEST_F(EmulatorFault, StatusFaultsUseEachServicesErrorShape) {
  Fault({{"kind", "429"}, {"path_glob", "/v1.0/security/**"}, {"retry_after_s", 2.5}, {"count", 1}});
  auto throttled = http_->Get("/v1.0/security/incidents", graph_);
  ASSERT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.Header("retry-after"), "2.500");
  EXPECT_EQ(throttled.Json()["error"]["code"], "TooManyRequests");
  EXPECT_TRUE(throttled.Json()["error"].contains("innerError"));
  EXPECT_EQ(http_->Get("/v1.0/security/incidents", graph_).status, 200);
  for (int status : {500, 503, 504}) {
    SCOPED_TRACE(status);
    Control("DELETE", "/faults");
    Fault({{"kind", "status"}, {"status", status}, {"path_regex", "/subscriptions/.*"}, {"retry_after_s", 1.2}});
    auto r = http_->Get(Incidents() + "?" + kApi, arm_);
    EXPECT_EQ(r.status, status);
    EXPECT_TRUE(r.Json()["error"].contains("code"));
    EXPECT_EQ(r.Header("retry-after"), status == 503 ? "2" : "");
    EXPECT_FALSE(r.Header("x-ms-request-id").empty());
  }
}

TEST_F(EmulatorFault, LatencyDelaysButServes) {
  Fault({{"kind", "latency"}, {"latency_ms", 250}, {"method", "GET"}});
  auto start = std::chrono::steady_clock::now();
  auto r = http_->Get("/v1.0/security/incidents", graph_);
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(240));
}

TEST_F(EmulatorFault, HangOutlastsTheClientTimeoutAndDoesNotApply) {
  Fault({{"kind", "hang"}, {"hang_ms", 3000}, {"count", 1}});
  http_->set_timeout(std::chrono::milliseconds(300));
  EXPECT_EQ(Patch("hung").outcome, Outcome::kTimeout);
  EXPECT_TRUE(Assigned().is_null());
  EXPECT_EQ(Patch("after").status, 200);
}

TEST_F(EmulatorFault, ResetHappensBeforeTheWrite) {
  Fault({{"kind", "reset"}, {"method", "PATCH"}, {"count", 1}});
  EXPECT_EQ(Patch("reset").outcome, Outcome::kReset);
  EXPECT_TRUE(Assigned().is_null());
}

TEST_F(EmulatorFault, TruncatedBodyAfterTheWrite) {
  Fault({{"kind", "truncate"}, {"method", "PATCH"}, {"count", 1}});
  auto r = Patch("truncated");
  EXPECT_EQ(r.outcome, Outcome::kTruncated);
  EXPECT_LT(r.body.size(), std::stoul(r.Header("content-length")));
  EXPECT_EQ(Assigned(), "truncated");
}

TEST_F(EmulatorFault, ReplyLostAfterTheWriteIsApplied) {
  Fault({{"kind", "drop_after_apply"}, {"method", "PATCH"}, {"count", 1}});
  EXPECT_EQ(Patch("dropped").outcome, Outcome::kClosedBeforeReply);
  EXPECT_EQ(Assigned(), "dropped");
  json requests = Control("GET", "/requests")["requests"];
  EXPECT_EQ(requests.back()["status"], 0);
  EXPECT_EQ(requests.back()["fault"], "drop_after_apply");
  json history = Control("GET", "/history")["history"];
  EXPECT_EQ(history.back()["action"], "graph.incident.update");
  EXPECT_EQ(history.back()["actor"], "api:xdrsync-app");
}

TEST_F(EmulatorFault, ConnectionConditionTargetsOnlyReusedKeepAliveConnections) {
  Fault({{"kind", "drop_after_apply"}, {"method", "PATCH"}, {"connection", "reused"}, {"count", 1}});
  EXPECT_EQ(Control("GET", "/faults")["faults"][0]["connection"], "reused");
  // A fresh connection per request: never the second on its connection, so the rule never fires.
  EXPECT_EQ(Patch("fresh").status, 200);
  EXPECT_EQ(Assigned(), "fresh");
  // The second request on a kept-alive connection is the one an HTTP client may silently resend.
  TestHttpClient keep(emu_->port(), /*keep_alive=*/true);
  EXPECT_EQ(keep.Get("/v1.0/security/incidents/" + id_, graph_).status, 200);
  auto dropped = keep.SendJson("PATCH", "/v1.0/security/incidents/" + id_, {{"assignedTo", "reused"}}, graph_);
  EXPECT_EQ(dropped.outcome, Outcome::kClosedBeforeReply);
  EXPECT_EQ(Assigned(), "reused");
  std::string error;
  FaultRule rule;
  EXPECT_FALSE(FaultRuleFromJson({{"kind", "reset"}, {"connection", "sometimes"}}, &rule, &error));
  EXPECT_NE(error.find("connection"), std::string::npos);
}

TEST_F(EmulatorFault, MalformedJsonAndUnknownEnum) {
  Fault({{"kind", "malformed_json"}, {"count", 1}});
  auto bad = http_->Get("/v1.0/security/incidents/" + id_, graph_);
  EXPECT_EQ(bad.status, 200);
  EXPECT_TRUE(bad.Json().is_discarded());
  Fault({{"kind", "unknown_enum"}, {"count", 1}, {"field", "severity"}, {"enum_value", "critical"}});
  EXPECT_EQ(http_->Get("/v1.0/security/incidents/" + id_, graph_).Json()["severity"], "critical");
  EXPECT_EQ(http_->Get("/v1.0/security/incidents/" + id_, graph_).Json()["severity"], "medium");
}

TEST_F(EmulatorFault, ReplaceBodyServesTheTextOrTheBytesOfAFile) {
  const std::string file = ::testing::TempDir() + "emulator-replace-body";
  const std::string bytes = "{\"value\":[{\"id\":\"\xff\xfe\"}]}";
  std::ofstream(file, std::ios::binary) << bytes;
  Fault({{"kind", "replace_body"}, {"count", 1}, {"body_file", file}});
  auto replaced = http_->Get("/v1.0/security/incidents/" + id_, graph_);
  EXPECT_EQ(replaced.status, 200);
  EXPECT_EQ(replaced.body, bytes);
  Fault({{"kind", "replace_body"}, {"count", 1}, {"body", "<html>gateway</html>"}});
  EXPECT_EQ(http_->Get("/v1.0/security/incidents/" + id_, graph_).body, "<html>gateway</html>");
  EXPECT_EQ(Control("GET", "/requests")["requests"].back()["fault"], "replace_body");
  EXPECT_EQ(http_->Get("/v1.0/security/incidents/" + id_, graph_).Json()["id"], id_);
  std::remove(file.c_str());
}

TEST_F(EmulatorFault, ConflictOnTheNextPutOnly) {
  std::string path = Incidents() + "/inc?" + kApi;
  ASSERT_EQ(http_->SendJson("PUT", path, ArmBody("a"), arm_).status, 201);
  Fault({{"kind", "conflict_next_put"}, {"path_glob", "/subscriptions/**/incidents/*"}});
  EXPECT_EQ(http_->Get(path, arm_).status, 200);
  auto conflict = http_->SendJson("PUT", path, ArmBody("b"), arm_);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.Json()["error"]["message"], "Newer version of resource 'inc' exists. Data was not saved");
  EXPECT_EQ(http_->Get(path, arm_).Json()["properties"]["title"], "a");
  EXPECT_EQ(http_->SendJson("PUT", path, ArmBody("c"), arm_).status, 200);
}

TEST_F(EmulatorFault, SkipCountAndSeededProbabilityReplay) {
  Fault({{"kind", "500"}, {"skip", 1}, {"count", 2}, {"method", "GET"}});
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) statuses.push_back(http_->Get("/v1.0/security/incidents", graph_).status);
  EXPECT_EQ(statuses, (std::vector<int>{200, 500, 500, 200}));
  auto run = [&](uint64_t seed) {
    Control("DELETE", "/faults");
    Control("POST", "/faults", {{"seed", seed}, {"faults", {{{"kind", "503"}, {"probability", 0.5}}}}});
    std::string pattern;
    for (int i = 0; i < 32; ++i) pattern += http_->Get("/v1.0/security/incidents", graph_).status == 200 ? '.' : 'x';
    return pattern;
  };
  std::string first = run(7);
  EXPECT_EQ(run(7), first);
  EXPECT_NE(first.find('x'), std::string::npos);
  EXPECT_NE(first.find('.'), std::string::npos);
}

}  // namespace
}  // namespace xdrsync::emulator::testing
