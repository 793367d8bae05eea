#include "xdrsync/http/budget_transport.h"

#include <gtest/gtest.h>

#include "unit/http/fake_transport.h"

namespace xdrsync::http {
namespace {

using testing::MakeResponse;
using testing::ScriptedTransport;

class BudgetTransportTest : public ::testing::Test {
 protected:
  static Request Make(std::string api, std::string tenant, std::string method = "GET") {
    Request r;
    r.method = std::move(method);
    r.url = "https://example.invalid/x";
    r.api = std::move(api);
    r.tenant = std::move(tenant);
    return r;
  }
  // Sends n requests and returns how many of them had to wait.
  size_t SendMany(BudgetTransport& budget, const Request& r, int n) {
    const size_t before = sleeper_.delays().size();
    for (int i = 0; i < n; ++i) EXPECT_TRUE(budget.Send(r).ok());
    return sleeper_.delays().size() - before;
  }

  ScriptedTransport inner_;
  FakeClock clock_{Timestamp::FromUnixSeconds(1'700'000'000)};
  FakeSleeper sleeper_{&clock_};
  Metrics metrics_;
};

TEST_F(BudgetTransportTest, GraphReadsBurstThenWaitForTheRefill) {
  BudgetTransport budget(inner_, DefaultBudgetOptions(), sleeper_, clock_, metrics_);
  EXPECT_EQ(SendMany(budget, Make("graph", "t1"), 20), 0u);
  EXPECT_EQ(SendMany(budget, Make("graph", "t1"), 1), 1u);
  EXPECT_EQ(sleeper_.delays().back(), 500);  // 2 tokens a second
  EXPECT_EQ(metrics_.Value("xdrsync_http_budget_wait_seconds", {{"api", "graph"}}), 1);
  EXPECT_EQ(inner_.calls(), 21u);
}

TEST_F(BudgetTransportTest, SteadyRateIsTheRefillRate) {
  BudgetTransport budget(inner_, DefaultBudgetOptions(), sleeper_, clock_, metrics_);
  const Timestamp start = clock_.Now();
  SendMany(budget, Make("graph", "t1"), 20 + 120);
  // 120 requests beyond the burst take one minute at 2 per second.
  EXPECT_EQ(clock_.Now().TicksSince(start) / Timestamp::kTicksPerSecond, 60);
}

TEST_F(BudgetTransportTest, BucketsArePerTenantAndPerReadOrWrite) {
  BudgetTransport budget(inner_, DefaultBudgetOptions(), sleeper_, clock_, metrics_);
  SendMany(budget, Make("graph", "t1"), 20);
  EXPECT_EQ(SendMany(budget, Make("graph", "t2"), 20), 0u);
  EXPECT_EQ(SendMany(budget, Make("graph", "t1", "PATCH"), 10), 0u);
  EXPECT_EQ(SendMany(budget, Make("graph", "t1", "PATCH"), 1), 1u);
  EXPECT_EQ(sleeper_.delays().back(), 1'000);
  EXPECT_EQ(SendMany(budget, Make("arm", "t1"), 100), 0u);
  EXPECT_EQ(SendMany(budget, Make("arm", "t1"), 1), 1u);
  EXPECT_EQ(sleeper_.delays().back(), 100);
  EXPECT_EQ(SendMany(budget, Make("arm", "t1", "PUT"), 40), 0u);
  EXPECT_EQ(SendMany(budget, Make("arm", "t1", "PUT"), 1), 1u);
  EXPECT_EQ(sleeper_.delays().back(), 250);
}

TEST_F(BudgetTransportTest, IdleTimeRefillsUpToCapacityOnly) {
  BudgetTransport budget(inner_, DefaultBudgetOptions(), sleeper_, clock_, metrics_);
  SendMany(budget, Make("graph", "t1"), 20);
  clock_.Advance(3'600);
  EXPECT_EQ(SendMany(budget, Make("graph", "t1"), 20), 0u);
  EXPECT_EQ(SendMany(budget, Make("graph", "t1"), 1), 1u);
}

TEST_F(BudgetTransportTest, LongestPrefixConfiguresOneTenant) {
  BudgetOptions options = DefaultBudgetOptions();
  options.limits["graph/read/slow-tenant"] = {1, 0.5};
  BudgetTransport budget(inner_, options, sleeper_, clock_, metrics_);
  EXPECT_EQ(SendMany(budget, Make("graph", "slow-tenant"), 2), 1u);
  EXPECT_EQ(sleeper_.delays().back(), 2'000);
  EXPECT_EQ(SendMany(budget, Make("graph", "t1"), 20), 0u);
}

TEST_F(BudgetTransportTest, UnconfiguredApisAreNotLimited) {
  BudgetTransport budget(inner_, DefaultBudgetOptions(), sleeper_, clock_, metrics_);
  EXPECT_EQ(SendMany(budget, Make("login", "t1", "POST"), 500), 0u);
}

TEST_F(BudgetTransportTest, ReadHeadroomIsTheShareOfTheBurstLeft) {
  BudgetTransport budget(inner_, DefaultBudgetOptions(), sleeper_, clock_, metrics_);
  EXPECT_DOUBLE_EQ(budget.ReadHeadroom("graph", "t1"), 1.0) << "an unused bucket is full";
  SendMany(budget, Make("graph", "t1"), 15);
  EXPECT_DOUBLE_EQ(budget.ReadHeadroom("graph", "t1"), 0.25);  // 5 of 20 left
  EXPECT_DOUBLE_EQ(budget.ReadHeadroom("graph", "t2"), 1.0) << "per tenant";
  SendMany(budget, Make("graph", "t1", "PATCH"), 5);
  EXPECT_DOUBLE_EQ(budget.ReadHeadroom("graph", "t1"), 0.25) << "writes draw from their own bucket";
  clock_.Advance(5);  // 10 tokens back at 2 a second
  EXPECT_DOUBLE_EQ(budget.ReadHeadroom("graph", "t1"), 0.75);
  EXPECT_DOUBLE_EQ(budget.ReadHeadroom("login", "t1"), 1.0) << "an unlimited key always has room";
}

TEST_F(BudgetTransportTest, AReadGuardedWriteThatWaitedIsSentBackForANewReadAndThenGoesAtOnce) {
  // A Graph PATCH is guarded only by the read right before it: sent after a second's wait for its
  // token, it could write over what an analyst changed in that second. It comes back unsent, its
  // token kept; after the caller's new read it goes without waiting again.
  BudgetTransport budget(inner_, DefaultBudgetOptions(), sleeper_, clock_, metrics_);
  Request patch = Make("graph", "t1", "PATCH");
  patch.read_guarded = true;
  EXPECT_EQ(SendMany(budget, patch, 10), 0u) << "within the burst a read-guarded write goes at once";
  auto held = budget.Send(patch);
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.status().code(), Code::kAborted) << held.status().ToString();
  EXPECT_NE(held.status().message().find("read again"), std::string::npos);
  EXPECT_EQ(inner_.calls(), 10u) << "not sent after the wait";
  EXPECT_EQ(sleeper_.delays().back(), 1'000) << "the wait for its token happened";
  const size_t waits = sleeper_.delays().size();
  EXPECT_TRUE(budget.Send(Make("graph", "t1")).ok());  // the caller's new read
  EXPECT_TRUE(budget.Send(patch).ok());
  EXPECT_EQ(inner_.calls(), 12u);
  EXPECT_EQ(sleeper_.delays().size(), waits) << "the resend spent the token it waited for";
  // A token kept for one incident is not another's, nor kept for ever.
  Request other = patch;
  other.url += "/2";
  EXPECT_EQ(budget.Send(other).status().code(), Code::kAborted);
  clock_.Advance(61);
  SendMany(budget, Make("graph", "t1", "PATCH"), 10);  // the refilled burst spent by other writes
  EXPECT_EQ(budget.Send(other).status().code(), Code::kAborted) << "a lapsed token is not spent";
  // A write guarded otherwise (an etag, a marker) waits and is sent.
  EXPECT_TRUE(budget.Send(Make("graph", "t1", "PATCH")).ok());
}

TEST_F(BudgetTransportTest, ShutdownEndsTheWaitWithoutSending) {
  BudgetTransport budget(inner_, DefaultBudgetOptions(), sleeper_, clock_, metrics_);
  SendMany(budget, Make("graph", "t1"), 20);
  sleeper_.Interrupt();
  auto result = budget.Send(Make("graph", "t1"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_NE(result.status().message().find("shutting down"), std::string::npos);
  EXPECT_EQ(inner_.calls(), 20u);
}

TEST_F(BudgetTransportTest, RecordsTheServicesRemainingCounts) {
  inner_.Push(MakeResponse(200, {{"x-ms-ratelimit-remaining-subscription-reads", "249"},
                                 {"X-Ms-Ratelimit-Remaining-Tenant-Writes", "1199"},
                                 {"x-ms-ratelimit-remaining-subscription-global-reads", "not a number"}}));
  BudgetTransport budget(inner_, DefaultBudgetOptions(), sleeper_, clock_, metrics_);
  ASSERT_TRUE(budget.Send(Make("arm", "t1")).ok());
  EXPECT_EQ(metrics_.Value("xdrsync_http_ratelimit_remaining",
                           {{"api", "arm"}, {"tenant", "t1"}, {"limit", "subscription-reads"}}),
            249);
  EXPECT_EQ(metrics_.Value("xdrsync_http_ratelimit_remaining",
                           {{"api", "arm"}, {"tenant", "t1"}, {"limit", "tenant-writes"}}),
            1199);
  EXPECT_EQ(metrics_.RenderPrometheus().find("global-reads"), std::string::npos);
}

}  // namespace
}  // namespace xdrsync::http
