#include "xdrsync/http/retrying_transport.h"

#include <gtest/gtest.h>

#include <thread>

#include "unit/http/fake_transport.h"

namespace xdrsync::http {
namespace {

using std::chrono::milliseconds;
using testing::HeaderOf;
using testing::MakeResponse;
using testing::ScriptedTransport;

class RetryingTransportTest : public ::testing::Test {
 protected:
  RetryingTransportTest() { policy_.base_delay = milliseconds(1'000); }

  RetryingTransport Make(double draw = 0.5) {
    return RetryingTransport(inner_, policy_, sleeper_, clock_, metrics_, logger_, [draw] { return draw; });
  }
  static Request Get() {
    Request r;
    r.method = "GET";
    r.url = "https://graph.microsoft.com/v1.0/security/incidents";
    r.api = "graph";
    r.tenant = "t1";
    return r;
  }
  double Retries() const { return metrics_.Value("xdrsync_http_retries_total", {{"api", "graph"}}); }

  ScriptedTransport inner_;
  RetryPolicy policy_;
  FakeClock clock_{Timestamp::Parse("2015-10-21T07:27:00Z").value()};
  FakeSleeper sleeper_{&clock_};
  Metrics metrics_;
  MemoryLogger logger_;
};

TEST_F(RetryingTransportTest, HonoursDecimalRetryAfterOn429) {
  inner_.PushStatus(429, {{"retry-after", "2.5"}, {"request-id", "svc-9"}});
  auto retrying = Make();
  auto result = retrying.Send(Get());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(sleeper_.delays(), std::vector<int64_t>{2'500});
  EXPECT_EQ(metrics_.Value("xdrsync_http_throttled_total", {{"api", "graph"}}), 1);
  EXPECT_EQ(Retries(), 1);
  ASSERT_EQ(logger_.Count("http_retry"), 1u);
  const auto entry = logger_.entries()[0];
  EXPECT_EQ(entry.level, LogLevel::kDebug);
  EXPECT_EQ(entry.Field("request_id"), "svc-9");
  EXPECT_EQ(entry.Field("client_request_id"), HeaderOf(inner_.requests()[0], "client-request-id"));
}

TEST_F(RetryingTransportTest, HonoursAnHttpDateRetryAfter) {
  inner_.PushStatus(429, {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}});
  auto retrying = Make();
  ASSERT_TRUE(retrying.Send(Get()).ok());
  EXPECT_EQ(sleeper_.delays(), std::vector<int64_t>{60'000});
}

TEST_F(RetryingTransportTest, BacksOffExponentiallyOnServerErrorsWithOneClientRequestId) {
  for (int s : {500, 502, 503, 504}) inner_.PushStatus(s);
  auto retrying = Make(0.5);
  auto result = retrying.Send(Get());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(sleeper_.delays(), (std::vector<int64_t>{500, 1'000, 2'000, 4'000}));
  EXPECT_EQ(Retries(), 4);
  const auto requests = inner_.requests();
  ASSERT_EQ(requests.size(), 5u);
  const std::string id = HeaderOf(requests[0], "client-request-id");
  EXPECT_FALSE(id.empty());
  for (const auto& r : requests) EXPECT_EQ(HeaderOf(r, "client-request-id"), id);
}

TEST_F(RetryingTransportTest, ServiceUnavailableMayCarryRetryAfter) {
  inner_.PushStatus(503, {{"Retry-After", "7"}});
  auto retrying = Make();
  ASSERT_TRUE(retrying.Send(Get()).ok());
  EXPECT_EQ(sleeper_.delays(), std::vector<int64_t>{7'000});
  EXPECT_EQ(metrics_.Value("xdrsync_http_throttled_total", {{"api", "graph"}}), 0);
}

TEST_F(RetryingTransportTest, RetriesTransportFailuresButNotCallerErrors) {
  inner_.Push(Status(Code::kUnavailable, "GET graph.microsoft.com: connection reset"));
  auto retrying = Make();
  EXPECT_TRUE(retrying.Send(Get()).ok());
  EXPECT_EQ(inner_.calls(), 2u);

  inner_.Push(InvalidArgument("plain http:// refused"));
  auto refused = retrying.Send(Get());
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(inner_.calls(), 3u);
}

TEST_F(RetryingTransportTest, StopsAtTheAttemptCap) {
  policy_.max_attempts = 3;
  for (int i = 0; i < 5; ++i) inner_.PushStatus(503);
  auto retrying = Make();
  auto result = retrying.Send(Get());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(inner_.calls(), 3u);
  EXPECT_EQ(sleeper_.delays().size(), 2u);
  EXPECT_EQ(Retries(), 2);
}

TEST_F(RetryingTransportTest, StopsWhenTheTotalTimeWouldBeExceeded) {
  policy_.max_total = milliseconds(5'000);
  for (int i = 0; i < 5; ++i) inner_.PushStatus(500);
  auto retrying = Make(0.99);
  auto result = retrying.Send(Get());
  EXPECT_EQ(result->status, 500);
  // 990 + 1980 fit in 5 s; the next wait (3960) would not.
  EXPECT_EQ(sleeper_.delays(), (std::vector<int64_t>{990, 1'980}));
  EXPECT_EQ(inner_.calls(), 3u);
}

TEST_F(RetryingTransportTest, RetryAfterBeyondTheTotalBudgetReturnsThe429) {
  policy_.max_total = milliseconds(10'000);
  inner_.PushStatus(429, {{"retry-after", "60"}});
  auto retrying = Make();
  auto result = retrying.Send(Get());
  EXPECT_EQ(result->status, 429);
  EXPECT_TRUE(sleeper_.delays().empty());
}

TEST_F(RetryingTransportTest, WritesRetryOn5xxAnd408ButNotOnOther4xx) {
  auto retrying = Make();
  Request patch = Get();
  patch.method = "PATCH";
  inner_.PushStatus(502);
  inner_.PushStatus(408);
  EXPECT_EQ(retrying.Send(patch)->status, 200);
  EXPECT_EQ(inner_.calls(), 3u);
  for (int s : {400, 401, 403, 404, 409, 412}) {
    SCOPED_TRACE(s);
    const size_t before = inner_.calls();
    inner_.PushStatus(s);
    EXPECT_EQ(retrying.Send(patch)->status, s);
    EXPECT_EQ(inner_.calls(), before + 1);
  }
}

TEST_F(RetryingTransportTest, APostIsNeverRepeatedAfterAnUnknownOutcome) {
  // A comment or createAlert POST may have been applied when the connection broke or a gateway
  // answered 5xx: another try could double it. Only "not applied" answers (429, 503) are retried.
  auto retrying = Make();
  Request post = Get();
  post.method = "POST";
  post.url += "/1/comments";
  inner_.Push(Status(Code::kUnavailable, "POST graph.microsoft.com: connection reset"));
  EXPECT_EQ(retrying.Send(post).status().code(), Code::kUnavailable);
  EXPECT_EQ(inner_.calls(), 1u);
  for (int s : {500, 502, 504, 408}) {
    SCOPED_TRACE(s);
    const size_t before = inner_.calls();
    inner_.PushStatus(s);
    EXPECT_EQ(retrying.Send(post)->status, s);
    EXPECT_EQ(inner_.calls(), before + 1);
  }
  inner_.PushStatus(429, {{"retry-after", "1"}});
  inner_.PushStatus(503);
  EXPECT_EQ(retrying.Send(post)->status, 200);
  EXPECT_EQ(inner_.calls(), 8u);
  // A token request is a POST whose repetition is harmless.
  post.repeatable = true;
  inner_.Push(Status(Code::kUnavailable, "POST login: connection reset"));
  EXPECT_EQ(retrying.Send(post)->status, 200);
  EXPECT_EQ(inner_.calls(), 10u);
}

TEST_F(RetryingTransportTest, AReadGuardedPatchIsNeverRepeated) {
  // A Graph PATCH is guarded only by the read made right before it (Graph has no etag): sent again
  // after a back-off it would write over whatever an analyst changed meanwhile, even after a 429.
  // Its caller reads again first.
  auto retrying = Make();
  Request patch = Get();
  patch.method = "PATCH";
  patch.url += "/1";
  patch.read_guarded = true;
  inner_.Push(Status(Code::kUnavailable, "PATCH graph.microsoft.com: connection reset"));
  EXPECT_EQ(retrying.Send(patch).status().code(), Code::kUnavailable);
  EXPECT_EQ(inner_.calls(), 1u);
  for (int s : {429, 500, 502, 503, 504, 408}) {
    SCOPED_TRACE(s);
    const size_t before = inner_.calls();
    inner_.PushStatus(s, {{"retry-after", "1"}});
    EXPECT_EQ(retrying.Send(patch)->status, s);
    EXPECT_EQ(inner_.calls(), before + 1);
  }
  EXPECT_TRUE(sleeper_.delays().empty());
  patch.read_guarded = false;  // the same PATCH with an etag-like guard would be retried
  inner_.PushStatus(503);
  EXPECT_EQ(retrying.Send(patch)->status, 200);
  EXPECT_EQ(inner_.calls(), 9u);
}

TEST_F(RetryingTransportTest, ShutdownDuringBackoffReturnsTheLastResponse) {
  sleeper_.Interrupt();
  inner_.PushStatus(503);
  auto retrying = Make();
  auto result = retrying.Send(Get());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(inner_.calls(), 1u);
}

TEST_F(RetryingTransportTest, ShutdownAfterATransportFailureIsUnavailable) {
  sleeper_.Interrupt();
  inner_.Push(Status(Code::kUnavailable, "GET graph.microsoft.com: connection reset"));
  auto retrying = Make();
  auto result = retrying.Send(Get());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_NE(result.status().message().find("shutting down"), std::string::npos);
  EXPECT_EQ(inner_.calls(), 1u);
}

TEST_F(RetryingTransportTest, InterruptEndsARealBackoffAtOnce) {
  InterruptibleSleeper sleeper;
  SystemClock clock;
  inner_.PushStatus(429, {{"retry-after", "60"}});
  RetryingTransport retrying(inner_, policy_, sleeper, clock, metrics_, logger_, [] { return 0.5; });
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(50));
    sleeper.Interrupt();
  });
  const auto started = std::chrono::steady_clock::now();
  auto result = retrying.Send(Get());
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(2'000));
  EXPECT_EQ(result->status, 429);
  EXPECT_EQ(inner_.calls(), 1u);
}

TEST_F(RetryingTransportTest, KeepsTheCallersClientRequestId) {
  inner_.PushStatus(500);
  Request r = Get();
  r.headers.emplace_back("Client-Request-Id", "mine");
  auto retrying = Make();
  ASSERT_TRUE(retrying.Send(r).ok());
  for (const auto& sent : inner_.requests()) {
    EXPECT_EQ(HeaderOf(sent, "client-request-id"), "mine");
    EXPECT_EQ(sent.headers.size(), 1u);
  }
}

}  // namespace
}  // namespace xdrsync::http
