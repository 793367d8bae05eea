// Every HTTP status the services answer maps to the error contract of clients.h, with the
// service's code, message and request id in one readable line.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "unit/clients/scripted_transport.h"
#include "unit/clients/wire.h"
#include "xdrsync/api/http_clients.h"

namespace xdrsync::api {
namespace {

using xdrsync::testing::json;
using xdrsync::testing::kApiVersion;
using xdrsync::testing::kArm;
using xdrsync::testing::kArmIncidents;
using xdrsync::testing::kGraph;
using xdrsync::testing::kIncidents;

struct Case {
  int status;
  Code code;
  std::string phrase;
};

const std::vector<Case> kCases = {
    {400, Code::kInvalidArgument, "400 Bad Request"},        {401, Code::kUnauthenticated, "401 Unauthorized"},
    {403, Code::kPermissionDenied, "403 Forbidden"},         {404, Code::kNotFound, "404 Not Found"},
    {405, Code::kInvalidArgument, "405 Method Not Allowed"}, {409, Code::kConflict, "409 Conflict"},
    {412, Code::kConflict, "412 Precondition Failed"},       {429, Code::kResourceExhausted, "429 Too Many Requests"},
    {500, Code::kUnavailable, "500 Internal Server Error"},  {503, Code::kUnavailable, "503 Service Unavailable"},
    {504, Code::kUnavailable, "504 Gateway Timeout"},
};

class StatusMappingTest : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_EQ(transport_.remaining(), 0u); }

  std::unique_ptr<DefenderClient> Graph() {
    GraphClientOptions options;
    options.graph_url = kGraph;
    return MakeGraphDefenderClient(transport_, options, clock_, logger_, metrics_);
  }
  std::unique_ptr<SentinelClient> Arm() {
    ArmClientOptions options;
    options.arm_url = kArm;
    options.subscription_id = "sub-1";
    options.resource_group = "rg-1";
    options.workspace = "ws-1";
    return MakeArmSentinelClient(transport_, options, clock_, logger_, metrics_);
  }

  xdrsync::testing::ScriptedTransport transport_;
  FakeClock clock_{*Timestamp::Parse("2025-06-01T12:00:00Z")};
  NullLogger logger_;
  Metrics metrics_;
};

TEST_F(StatusMappingTest, GraphStatusesMapToCodesWithTheServiceDetail) {
  auto client = Graph();
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.status);
    transport_.Expect("POST", std::string(kIncidents) + "/42/comments", c.status,
                      json{{"error", {{"code", "SomeCode"}, {"message", "what went wrong"}}}}.dump(),
                      {{"request-id", "g-" + std::to_string(c.status)}});
    auto r = client->AddComment("42", "x");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code);
    EXPECT_EQ(r.status().message(), "graph POST /v1.0/security/incidents/42/comments: " + c.phrase +
                                        " (SomeCode: what went wrong; request-id g-" + std::to_string(c.status) + ")");
  }
}

TEST_F(StatusMappingTest, ArmStatusesMapToCodesWithTheServiceDetail) {
  auto client = Arm();
  const std::string url = std::string(kArmIncidents) + "/inc-1/comments/c1?" + kApiVersion;
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.status);
    transport_.Expect("PUT", url, c.status, json{{"error", {{"code", "BadThing"}, {"message", "no"}}}}.dump(),
                      {{"x-ms-request-id", "a-" + std::to_string(c.status)}});
    auto r = client->PutComment("inc-1", "c1", "m");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code);
    EXPECT_NE(
        r.status().message().find(": " + c.phrase + " (BadThing: no; request-id a-" + std::to_string(c.status) + ")"),
        std::string::npos)
        << r.status().message();
  }
}

TEST_F(StatusMappingTest, AGraphErrorWithAnEmptyCodeAndTheIdOnlyInTheBody) {
  auto client = Graph();
  transport_.Expect(
      "GET", std::string(kIncidents) + "/42?$expand=alerts", 400,
      R"({"error":{"code":"","message":"The limit of '50' for Top query has been exceeded.",)"
      R"("innerError":{"request-id":"in-body"}}})");
  auto r = client->Get("42");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("(The limit of '50' for Top query has been exceeded.; request-id in-body)"),
            std::string::npos)
      << r.status().message();
}

TEST_F(StatusMappingTest, AnHtmlGatewayPageIsQuotedOnOneLine) {
  auto client = Graph();
  transport_.Expect("GET", std::string(kIncidents) + "/42?$expand=alerts", 403, "<html>\n<b>Denied</b>\n</html>");
  auto r = client->Get("42");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_NE(r.status().message().find("403 Forbidden (body: <html> <b>Denied</b> </html>; request-id none)"),
            std::string::npos)
      << r.status().message();
}

TEST_F(StatusMappingTest, AFailureBelowHttpKeepsItsCodeAndNamesTheCall) {
  auto client = Arm();
  transport_.ExpectFailure("GET", std::string(kArmIncidents) + "/inc-1?" + kApiVersion,
                           Status(Code::kUnavailable, "arm.example: connection reset"));
  auto r = client->Get("inc-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message(),
            "arm GET /subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.OperationalInsights/workspaces/"
            "ws-1/providers/Microsoft.SecurityInsights/incidents/inc-1: arm.example: connection reset");
}

TEST_F(StatusMappingTest, AnUnreadableSuccessBodyIsAParseErrorWithTheRequestId) {
  auto client = Arm();
  transport_.Expect("GET", std::string(kArmIncidents) + "/inc-1?" + kApiVersion, 200, "{not json",
                    {{"x-ms-request-id", "arm-bad"}});
  auto r = client->Get("inc-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kParseError);
  EXPECT_NE(r.status().message().find("request-id arm-bad"), std::string::npos) << r.status().message();
  EXPECT_EQ(metrics_.Value("xdrsync_api_parse_errors_total", {{"api", "arm"}}), 1);
}

}  // namespace
}  // namespace xdrsync::api
