// Caching, refresh before expiry, force_refresh and single-flight, through a real provider
// (client secret) on a scripted transport and a fake clock.
#include "auth/token_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include "auth_test_support.h"
#include "xdrsync/auth/token_provider.h"

namespace xdrsync::auth {
namespace {

using namespace testing;  // NOLINT: the test support names

class TokenCacheTest : public ::testing::Test {
 protected:
  TokenCacheTest() { env_.Set("SECRET", "s"); }
  std::unique_ptr<TokenProvider> Make(int64_t margin = 300) {
    AuthConfig c;
    c.tenant_id = kTenant;
    c.client_id = kClientId;
    c.client_secret_env = "SECRET";
    c.refresh_margin_seconds = margin;
    auto p = MakeTokenProvider(c, transport_, clock_, env_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return std::move(p).value();
  }
  // Answers "tok-<n>" for the n-th request, valid for `lifetime` seconds.
  void NumberedTokens(int64_t lifetime = 3600) {
    transport_.SetHandler([this, lifetime](const http::Request&) {
      return Result<http::Response>(TokenResponse("tok-" + std::to_string(++issued_), lifetime));
    });
  }

  ScriptedTransport transport_;
  MapEnvironment env_;
  FakeClock clock_{Timestamp::FromUnixSeconds(1'750'000'000)};
  std::atomic<int> issued_{0};
};

TEST_F(TokenCacheTest, ServesFromCachePerScope) {
  auto p = Make();
  NumberedTokens();
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-1");
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-1");
  EXPECT_EQ(p->Token(kArmScope)->value, "tok-2");
  EXPECT_EQ(p->Token(kArmScope)->value, "tok-2");
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-1");
  EXPECT_EQ(transport_.calls(), 2u);
}

TEST_F(TokenCacheTest, RefreshesWhenLessThanTheMarginRemains) {
  auto p = Make();
  NumberedTokens(3600);
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-1");
  clock_.Advance(3600 - 301);
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-1");
  clock_.Advance(2);  // 299 s left: inside the five-minute margin
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-2");
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-2");
  EXPECT_EQ(transport_.calls(), 2u);
}

TEST_F(TokenCacheTest, MarginIsConfigurable) {
  auto p = Make(/*margin=*/60);
  NumberedTokens(3600);
  ASSERT_TRUE(p->Token(kGraphScope).ok());
  clock_.Advance(3600 - 100);
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-1");
  clock_.Advance(41);
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-2");
}

TEST_F(TokenCacheTest, ShortLivedTokenIsKeptForHalfItsLifetime) {
  auto p = Make();
  NumberedTokens(240);  // shorter than the margin: without the half-life rule every call would fetch
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-1");
  clock_.Advance(119);
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-1");
  clock_.Advance(2);
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-2");
}

TEST_F(TokenCacheTest, ForceRefreshFetchesAndReplacesTheCachedToken) {
  auto p = Make();
  NumberedTokens();
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-1");
  EXPECT_EQ(p->Token(kGraphScope, /*force_refresh=*/true)->value, "tok-2");
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok-2");
  EXPECT_EQ(transport_.calls(), 2u);
}

TEST_F(TokenCacheTest, FailuresAreNotCached) {
  auto p = Make();
  transport_.Push(JsonResponse(503, ""));
  EXPECT_EQ(p->Token(kGraphScope).status().code(), Code::kUnavailable);
  transport_.Push(TokenResponse("tok"));
  EXPECT_EQ(p->Token(kGraphScope)->value, "tok");
}

TEST_F(TokenCacheTest, PassingFailureDuringEarlyRefreshServesTheStillValidToken) {
  auto p = Make();
  transport_.Push(TokenResponse("old", 3600));
  ASSERT_TRUE(p->Token(kGraphScope).ok());
  clock_.Advance(3400);  // 200 s left: time to refresh, but the old token still works

  transport_.Push(JsonResponse(503, ""));
  EXPECT_EQ(p->Token(kGraphScope)->value, "old");
  transport_.Push(JsonResponse(429, ""));
  EXPECT_EQ(p->Token(kGraphScope)->value, "old");
  // After a 401 the old token is known bad: no fallback.
  transport_.Push(JsonResponse(503, ""));
  EXPECT_EQ(p->Token(kGraphScope, true).status().code(), Code::kUnavailable);
  // A refused credential is reported at once.
  transport_.Push(JsonResponse(401, R"({"error":"invalid_client","error_codes":[7000222]})"));
  EXPECT_EQ(p->Token(kGraphScope).status().code(), Code::kUnauthenticated);
  // Too close to expiry to be worth handing out.
  clock_.Advance(150);
  transport_.Push(JsonResponse(503, ""));
  EXPECT_EQ(p->Token(kGraphScope).status().code(), Code::kUnavailable);
}

// Starts `n` callers of Token(scope) while the first fetch is held at the transport, and releases
// it once all the others are waiting on it.
template <typename Fn>
std::vector<Result<AccessToken>> RunConcurrently(CachingTokenProvider& provider, ScriptedTransport& transport,
                                                 std::promise<void>& release, size_t n, Fn call) {
  std::vector<std::future<Result<AccessToken>>> futures;
  for (size_t i = 0; i < n; ++i) futures.push_back(std::async(std::launch::async, [&, i] { return call(i); }));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((transport.calls() < 1 || provider.WaitersForTest(kGraphScope) < n - 1) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(provider.WaitersForTest(kGraphScope), n - 1);
  release.set_value();
  std::vector<Result<AccessToken>> results;
  for (auto& f : futures) results.push_back(f.get());
  return results;
}

TEST_F(TokenCacheTest, ConcurrentCallersShareOneFetch) {
  auto p = Make();
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  transport_.SetHandler([gate](const http::Request&) {
    gate.wait();
    return Result<http::Response>(TokenResponse("shared"));
  });
  auto& cache = dynamic_cast<CachingTokenProvider&>(*p);
  // Half of the callers force a refresh (as after a 401): they too join the fetch in flight.
  const auto results = RunConcurrently(cache, transport_, release, 8,
                                       [&](size_t i) { return p->Token(kGraphScope, i % 2 == 1); });
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->value, "shared");
  }
  EXPECT_EQ(transport_.calls(), 1u);
  EXPECT_EQ(p->Token(kGraphScope)->value, "shared");
  EXPECT_EQ(transport_.calls(), 1u);
}

TEST_F(TokenCacheTest, ConcurrentCallersShareOneFailure) {
  auto p = Make();
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  transport_.SetHandler([gate](const http::Request&) {
    gate.wait();
    return Result<http::Response>(JsonResponse(401, R"({"error":"invalid_client","error_codes":[7000215]})"));
  });
  auto& cache = dynamic_cast<CachingTokenProvider&>(*p);
  const auto results = RunConcurrently(cache, transport_, release, 6, [&](size_t) { return p->Token(kGraphScope); });
  for (const auto& r : results) EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(transport_.calls(), 1u);
}

TEST_F(TokenCacheTest, AFetchForOneScopeDoesNotBlockAnother) {
  auto p = Make();
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  transport_.SetHandler([gate](const http::Request& r) {
    if (ParseForm(r.body)["scope"] == kGraphScope) gate.wait();
    return Result<http::Response>(TokenResponse("for-" + ParseForm(r.body)["scope"]));
  });
  auto graph = std::async(std::launch::async, [&] { return p->Token(kGraphScope); });
  while (transport_.calls() < 1) std::this_thread::yield();
  EXPECT_EQ(p->Token(kArmScope)->value, std::string("for-") + kArmScope);  // would hang if serialised
  release.set_value();
  EXPECT_EQ(graph.get()->value, std::string("for-") + kGraphScope);
}

class ThrowingSource final : public TokenSource {
 public:
  Result<AccessToken> Fetch(std::string_view) override {
    ++calls;
    throw std::runtime_error("parser choked on s3cr3t-value");
  }
  int calls = 0;
};

TEST(CachingTokenProviderTest, AnExceptionBecomesAStatusAndDoesNotWedgeTheScope) {
  FakeClock clock(Timestamp::FromUnixSeconds(1'750'000'000));
  auto source = std::make_unique<ThrowingSource>();
  ThrowingSource* raw = source.get();
  CachingTokenProvider provider(std::move(source), clock, 300);
  for (int i = 0; i < 2; ++i) {
    const auto token = provider.Token(kGraphScope);
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.status().code(), Code::kInternal);
    EXPECT_EQ(token.status().message().find("s3cr3t"), std::string::npos);
  }
  EXPECT_EQ(raw->calls, 2);
}

TEST(HasAnyRoleTest, MatchesExactRoleNames) {
  AccessToken t;
  EXPECT_FALSE(HasAnyRole(t, {"SecurityAlert.ReadWrite.All"}));
  t.roles = {"SecurityIncident.ReadWrite.All", "SecurityAlert.Create.All"};
  EXPECT_TRUE(HasAnyRole(t, {"SecurityAlert.ReadWrite.All", "SecurityAlert.Create.All"}));
  EXPECT_FALSE(HasAnyRole(t, {"SecurityAlert.ReadWrite.All"}));
  EXPECT_FALSE(HasAnyRole(t, {}));
}

}  // namespace
}  // namespace xdrsync::auth
