// Defender single-incident calls: get, PATCH, comments, createAlert, and the clock offset.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "unit/clients/scripted_transport.h"
#include "unit/clients/wire.h"
#include "xdrsync/api/http_clients.h"

namespace xdrsync::api {
namespace {

using xdrsync::testing::GraphIncident;
using xdrsync::testing::HeaderOf;
using xdrsync::testing::json;
using xdrsync::testing::kGraph;
using xdrsync::testing::kIncidents;

class DefenderClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GraphClientOptions options;
    options.graph_url = std::string(kGraph) + "/";  // a trailing slash must not double up
    options.tenant = "t-1";
    client_ = MakeGraphDefenderClient(transport_, options, clock_, logger_, metrics_);
  }
  void TearDown() override { EXPECT_EQ(transport_.remaining(), 0u) << "requests left in the script"; }

  xdrsync::testing::ScriptedTransport transport_;
  FakeClock clock_{*Timestamp::Parse("2025-06-01T10:00:00Z")};
  MemoryLogger logger_;
  Metrics metrics_;
  std::unique_ptr<DefenderClient> client_;
};

TEST_F(DefenderClientTest, GetReadsTheIncidentWithItsAlerts) {
  transport_.Expect("GET", std::string(kIncidents) + "/42?$expand=alerts", 200,
                    GraphIncident("42", "2025-06-01T09:00:00Z", 2).dump());
  auto incident = client_->Get("42");
  ASSERT_TRUE(incident.ok()) << incident.status().ToString();
  EXPECT_EQ(incident->id, "42");
  ASSERT_TRUE(incident->alerts.has_value());
  EXPECT_EQ(incident->alerts->size(), 2u);
}

TEST_F(DefenderClientTest, GetOfAMissingIncidentIsNotFoundWithTheServiceDetail) {
  transport_.Expect("GET", std::string(kIncidents) + "/42?$expand=alerts", 404,
                    json{{"error", {{"code", "NotFound"}, {"message", "Incident '42' was not found."}}}}.dump(),
                    {{"request-id", "req-404"}});
  auto incident = client_->Get("42");
  ASSERT_FALSE(incident.ok());
  EXPECT_EQ(incident.status().code(), Code::kNotFound);
  EXPECT_EQ(incident.status().message(),
            "graph GET /v1.0/security/incidents/42: 404 Not Found (NotFound: Incident '42' was not found.; "
            "request-id req-404)");
}

TEST_F(DefenderClientTest, IdsAreEncodedAsOnePathSegment) {
  transport_.Expect("GET", std::string(kIncidents) + "/a%2Fb%20c?$expand=alerts", 200,
                    GraphIncident("a/b c", "2025-06-01T09:00:00Z", 0).dump());
  // The request path carries the id as one encoded segment; an answer whose id is not a plain
  // path segment is refused rather than used in later paths.
  const auto got = client_->Get("a/b c");
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("id"), std::string::npos) << got.status().message();
}

TEST_F(DefenderClientTest, PatchSendsOnlyTheSetFieldsAndReadsTheAnswer) {
  domain::DefenderPatch patch;
  patch.status = domain::DStatus::kResolved;
  patch.assigned_to = std::optional<std::string>();
  json answered = GraphIncident("42", "2025-06-01T10:00:01Z");
  answered["status"] = "resolved";
  auto& step = transport_.Expect("PATCH", std::string(kIncidents) + "/42", 200, answered.dump());
  step.check = [](const http::Request& r) {
    EXPECT_EQ(json::parse(r.body), (json{{"status", "resolved"}, {"assignedTo", nullptr}}));
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
    EXPECT_TRUE(r.is_write());
  };
  auto incident = client_->Patch("42", patch);
  ASSERT_TRUE(incident.ok()) << incident.status().ToString();
  EXPECT_EQ(incident->status.value, domain::DStatus::kResolved);
  EXPECT_EQ(incident->last_update, *Timestamp::Parse("2025-06-01T10:00:01Z"));
}

TEST_F(DefenderClientTest, PatchWithAnEmptyAnswerReadsTheIncidentBack) {
  domain::DefenderPatch patch;
  patch.custom_tags = std::vector<std::string>{"a"};
  transport_.Expect("PATCH", std::string(kIncidents) + "/42", 204, "");
  transport_.Expect("GET", std::string(kIncidents) + "/42", 200, GraphIncident("42", "2025-06-01T10:00:01Z").dump());
  auto incident = client_->Patch("42", patch);
  ASSERT_TRUE(incident.ok()) << incident.status().ToString();
  EXPECT_EQ(incident->id, "42");
}

TEST_F(DefenderClientTest, AnEmptyPatchIsRefusedWithoutSending) {
  auto incident = client_->Patch("42", domain::DefenderPatch{});
  ASSERT_FALSE(incident.ok());
  EXPECT_EQ(incident.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(DefenderClientTest, AddCommentReturnsTheWholeList) {
  auto& step = transport_.Expect(
      "POST", std::string(kIncidents) + "/42/comments", 200,
      json{
          {"value",
           {{{"comment", "first"}, {"createdByDisplayName", "Ann"}, {"createdDateTime", "2025-06-01T09:00:00Z"}},
            {{"comment", "second"}, {"createdByDisplayName", "xdrsync"}, {"createdDateTime", "2025-06-01T10:00:00Z"}}}}}
          .dump());
  step.check = [](const http::Request& r) {
    EXPECT_EQ(json::parse(r.body)["comment"], "second");
    EXPECT_EQ(json::parse(r.body)["@odata.type"], "microsoft.graph.security.alertComment");
  };
  auto comments = client_->AddComment("42", "second");
  ASSERT_TRUE(comments.ok()) << comments.status().ToString();
  ASSERT_EQ(comments->size(), 2u);
  EXPECT_EQ((*comments)[1].text, "second");
}

TEST_F(DefenderClientTest, CreateAlertPostsToBeta) {
  CreateAlertInput input;
  input.title = "Twin of Sentinel incident 7";
  input.description = "d";
  input.category = "SuspiciousActivity";
  auto& step = transport_.Expect("POST", std::string(kGraph) + "/beta/security/alerts_v2/createAlert", 201,
                                 json{{"id", "alert-1"}, {"incidentId", "913"}}.dump());
  step.check = [](const http::Request& r) {
    EXPECT_EQ(json::parse(r.body)["createAlertInput"]["title"], "Twin of Sentinel incident 7");
  };
  auto created = client_->CreateAlert(input);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->alert_id, "alert-1");
  EXPECT_EQ(created->incident_id, "913");
}

TEST_F(DefenderClientTest, ClockOffsetComesFromTheDateHeader) {
  EXPECT_EQ(client_->ClockOffset(), 0);
  transport_.Expect("GET", std::string(kIncidents) + "/42?$expand=alerts", 200,
                    GraphIncident("42", "2025-06-01T09:00:00Z", 0).dump(), {{"date", "Sun, 01 Jun 2025 10:00:30 GMT"}});
  ASSERT_TRUE(client_->Get("42").ok());
  EXPECT_EQ(client_->ClockOffset(), 30 * Timestamp::kTicksPerSecond);

  // An unreadable Date keeps the last good offset.
  transport_.Expect("GET", std::string(kIncidents) + "/42?$expand=alerts", 200,
                    GraphIncident("42", "2025-06-01T09:00:00Z", 0).dump(), {{"date", "yesterday"}});
  ASSERT_TRUE(client_->Get("42").ok());
  EXPECT_EQ(client_->ClockOffset(), 30 * Timestamp::kTicksPerSecond);
}

TEST_F(DefenderClientTest, EachCallIsLoggedAtDebugWithoutTheQuery) {
  transport_.Expect("GET", std::string(kIncidents) + "/42?$expand=alerts", 200,
                    GraphIncident("42", "2025-06-01T09:00:00Z", 0).dump(), {{"request-id", "rid-1"}});
  ASSERT_TRUE(client_->Get("42").ok());
  const auto entries = logger_.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].level, LogLevel::kDebug);
  EXPECT_EQ(entries[0].event, "api_call");
  EXPECT_EQ(entries[0].Field("method"), "GET");
  EXPECT_EQ(entries[0].Field("path"), "/v1.0/security/incidents/42");
  EXPECT_EQ(entries[0].Field("status"), "200");
  EXPECT_EQ(entries[0].Field("request_id"), "rid-1");
  EXPECT_FALSE(entries[0].Field("duration_ms").empty());
}

}  // namespace
}  // namespace xdrsync::api
