#include "xdrsync/http/metrics_transport.h"

#include <gtest/gtest.h>

#include "unit/http/fake_transport.h"
#include "xdrsync/http/authorizing_transport.h"
#include "xdrsync/http/retrying_transport.h"

namespace xdrsync::http {
namespace {

using testing::FakeTokenProvider;
using testing::MakeResponse;
using testing::ScriptedTransport;

Request Get(std::string api) {
  Request r;
  r.method = "GET";
  r.url = "https://management.azure.com/subscriptions/s/x";
  r.api = std::move(api);
  r.tenant = "t1";
  return r;
}

TEST(MetricsTransport, CountsByApiAndStatus) {
  ScriptedTransport inner;
  Metrics metrics;
  MemoryLogger logger;
  MetricsTransport counted(inner, metrics, logger);
  inner.PushStatus(200);
  inner.PushStatus(404);
  inner.Push(Status(Code::kUnavailable, "GET management.azure.com: connection reset"));
  for (int i = 0; i < 3; ++i) (void)counted.Send(Get("arm"));
  EXPECT_EQ(metrics.Value("xdrsync_http_requests_total", {{"api", "arm"}, {"status", "200"}}), 1);
  EXPECT_EQ(metrics.Value("xdrsync_http_requests_total", {{"api", "arm"}, {"status", "404"}}), 1);
  EXPECT_EQ(metrics.Value("xdrsync_http_requests_total", {{"api", "arm"}, {"status", "error"}}), 1);
  EXPECT_EQ(metrics.Value("xdrsync_http_request_duration_seconds", {{"api", "arm"}}), 3);
  ASSERT_EQ(logger.Count("http_request"), 3u);
  EXPECT_EQ(logger.entries()[2].Field("error"), "GET management.azure.com: connection reset");
}

// The stack as main assembles it: retry over auth over metrics. Every wire attempt is counted, the
// logs carry the service's request id, and the token appears in no log line and no metric.
TEST(MetricsTransport, StackCountsEveryAttemptAndNeverLogsTheToken) {
  ScriptedTransport wire;
  Metrics metrics;
  MemoryLogger logger;
  FakeTokenProvider tokens;
  FakeClock clock(Timestamp::FromUnixSeconds(1'700'000'000));
  FakeSleeper sleeper(&clock);
  MetricsTransport counted(wire, metrics, logger);
  AuthorizingTransport auth(counted, tokens, "https://management.azure.com/.default");
  RetryingTransport retrying(auth, RetryPolicy{}, sleeper, clock, metrics, logger, [] { return 0.5; });

  wire.Push(MakeResponse(401, {{"x-ms-request-id", "arm-1"}}));
  wire.Push(MakeResponse(503, {{"x-ms-request-id", "arm-2"}}));
  wire.Push(MakeResponse(200, {{"x-ms-request-id", "arm-3"}}));
  auto result = retrying.Send(Get("arm"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(metrics.Value("xdrsync_http_requests_total", {{"api", "arm"}, {"status", "401"}}), 1);
  EXPECT_EQ(metrics.Value("xdrsync_http_requests_total", {{"api", "arm"}, {"status", "503"}}), 1);
  EXPECT_EQ(metrics.Value("xdrsync_http_requests_total", {{"api", "arm"}, {"status", "200"}}), 1);
  EXPECT_EQ(metrics.Value("xdrsync_http_retries_total", {{"api", "arm"}}), 1);

  std::vector<std::string> request_ids;
  for (const auto& entry : logger.entries()) {
    if (entry.event == "http_request") request_ids.push_back(entry.Field("request_id"));
    for (const auto& [key, value] : entry.fields) EXPECT_EQ(value.find("token-"), std::string::npos) << key;
  }
  EXPECT_EQ(request_ids, (std::vector<std::string>{"arm-1", "arm-2", "arm-3"}));
  EXPECT_EQ(metrics.RenderPrometheus().find("token-"), std::string::npos);
}

}  // namespace
}  // namespace xdrsync::http
