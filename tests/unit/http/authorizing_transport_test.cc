#include "xdrsync/http/authorizing_transport.h"

#include <gtest/gtest.h>

#include "unit/http/fake_transport.h"

namespace xdrsync::http {
namespace {

using testing::FakeTokenProvider;
using testing::HeaderOf;
using testing::ScriptedTransport;

constexpr const char* kScope = "https://graph.microsoft.com/.default";

Request Get() {
  Request r;
  r.method = "GET";
  r.url = "https://graph.microsoft.com/v1.0/security/incidents";
  r.api = "graph";
  return r;
}

TEST(AuthorizingTransport, AddsTheBearerTokenReplacingAnyOther) {
  ScriptedTransport inner;
  FakeTokenProvider tokens;
  AuthorizingTransport auth(inner, tokens, kScope);
  Request r = Get();
  r.headers.emplace_back("authorization", "Bearer stale");
  ASSERT_TRUE(auth.Send(r).ok());
  const auto sent = inner.requests().at(0);
  EXPECT_EQ(HeaderOf(sent, "Authorization"), "Bearer token-1");
  EXPECT_EQ(sent.headers.size(), 1u);
  ASSERT_EQ(tokens.calls().size(), 1u);
  EXPECT_EQ(tokens.calls()[0].scope, kScope);
  EXPECT_FALSE(tokens.calls()[0].force_refresh);
}

TEST(AuthorizingTransport, A401RefreshesTheTokenOnceAndRetriesOnce) {
  ScriptedTransport inner;
  FakeTokenProvider tokens;
  AuthorizingTransport auth(inner, tokens, kScope);
  inner.PushStatus(401);
  auto result = auth.Send(Get());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200);
  ASSERT_EQ(inner.calls(), 2u);
  EXPECT_EQ(HeaderOf(inner.requests()[1], "authorization"), "Bearer token-2");
  ASSERT_EQ(tokens.calls().size(), 2u);
  EXPECT_TRUE(tokens.calls()[1].force_refresh);
}

TEST(AuthorizingTransport, ASecond401IsReturned) {
  ScriptedTransport inner;
  FakeTokenProvider tokens;
  AuthorizingTransport auth(inner, tokens, kScope);
  inner.PushStatus(401);
  inner.PushStatus(401);
  auto result = auth.Send(Get());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 401);
  EXPECT_EQ(inner.calls(), 2u);
  EXPECT_EQ(tokens.calls().size(), 2u);
}

TEST(AuthorizingTransport, OtherStatusesDoNotRefresh) {
  ScriptedTransport inner;
  FakeTokenProvider tokens;
  AuthorizingTransport auth(inner, tokens, kScope);
  inner.PushStatus(403);
  EXPECT_EQ(auth.Send(Get())->status, 403);
  EXPECT_EQ(inner.calls(), 1u);
  EXPECT_EQ(tokens.calls().size(), 1u);
}

TEST(AuthorizingTransport, ATokenFailureIsReturnedAndNothingIsSent) {
  ScriptedTransport inner;
  FakeTokenProvider tokens;
  tokens.Fail(Status(Code::kUnauthenticated, "AADSTS7000215: invalid client secret"));
  AuthorizingTransport auth(inner, tokens, kScope);
  auto result = auth.Send(Get());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(inner.calls(), 0u);
}

TEST(AuthorizingTransport, ARefreshFailureAfter401IsReturned) {
  ScriptedTransport inner;
  inner.PushStatus(401);
  // The cached token works; the identity platform refuses the refresh (an app deleted meanwhile).
  class FailOnRefresh final : public auth::TokenProvider {
   public:
    Result<auth::AccessToken> Token(std::string_view, bool force_refresh) override {
      if (force_refresh) return Status(Code::kPermissionDenied, "AADSTS700016: application not found");
      auth::AccessToken t;
      t.value = "first";
      return t;
    }
  } provider;
  AuthorizingTransport refusing(inner, provider, kScope);
  auto result = refusing.Send(Get());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(inner.calls(), 1u);
}

}  // namespace
}  // namespace xdrsync::http
