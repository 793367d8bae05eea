// Managed identity: IMDS on a VM, the IDENTITY_ENDPOINT kind on App Service and Container Apps.
#include <gtest/gtest.h>

#include "auth_test_support.h"
#include "xdrsync/auth/token_provider.h"

namespace xdrsync::auth {
namespace {

using namespace testing;  // NOLINT: the test support names

class ManagedIdentityTest : public ::testing::Test {
 protected:
  AuthConfig Config() const {
    AuthConfig c;
    c.kind = AuthConfig::Kind::kManagedIdentity;
    c.tenant_id = kTenant;
    return c;
  }
  std::unique_ptr<TokenProvider> Make(const AuthConfig& c) {
    auto p = MakeTokenProvider(c, transport_, clock_, env_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }
  static http::Response ImdsToken(const std::string& token) {
    // The documented IMDS answer: every number is a string.
    return JsonResponse(200, R"({"access_token":")" + token +
                                 R"(","refresh_token":"","expires_in":"3599","expires_on":"1750003599",)"
                                 R"("not_before":"1749999700","resource":"https://graph.microsoft.com",)"
                                 R"("token_type":"Bearer"})");
  }

  ScriptedTransport transport_;
  MapEnvironment env_;
  FakeClock clock_{Timestamp::FromUnixSeconds(1'750'000'000)};
};

TEST_F(ManagedIdentityTest, AsksImdsWithTheMetadataHeader) {
  auto provider = Make(Config());
  transport_.Push(ImdsToken("mi-tok"));
  const auto token = provider->Token(kGraphScope);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->value, "mi-tok");
  EXPECT_EQ(token->expires_on, clock_.Now() + 3599);

  const http::Request r = transport_.last();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.url,
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
            "&resource=https%3A%2F%2Fgraph.microsoft.com");
  EXPECT_EQ(HeaderOf(r, "Metadata"), "true");
  EXPECT_EQ(HeaderOf(r, "X-IDENTITY-HEADER"), "");
  EXPECT_EQ(r.api, "identity");
  EXPECT_EQ(r.tenant, kTenant);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(ManagedIdentityTest, UserAssignedIdentityAndArmResource) {
  AuthConfig c = Config();
  c.managed_identity_client_id = "9a8b7c6d-0000-1111-2222-333344445555";
  c.imds_url = "http://127.0.0.1:8079/metadata/identity/oauth2/token";
  auto provider = Make(c);
  transport_.Push(ImdsToken("arm-tok"));
  ASSERT_TRUE(provider->Token(kArmScope).ok());
  const http::Request r = transport_.last();
  EXPECT_EQ(PathOf(r.url), "http://127.0.0.1:8079/metadata/identity/oauth2/token");
  EXPECT_EQ(QueryOf(r.url), (std::map<std::string, std::string>{{"api-version", "2018-02-01"},
                                                                {"resource", "https://management.azure.com"},
                                                                {"client_id", c.managed_identity_client_id}}));
}

TEST_F(ManagedIdentityTest, UsesIdentityEndpointWhenThePlatformAnnouncesOne) {
  env_.Set("IDENTITY_ENDPOINT", "http://localhost:42356/msi/token");
  env_.Set("IDENTITY_HEADER", "hdr-one");
  AuthConfig c = Config();
  c.managed_identity_client_id = "uami-client";
  auto provider = Make(c);
  // The App Service sample answer: expires_on only, as an epoch string.
  transport_.Push(JsonResponse(200, R"({"access_token":"app-tok","expires_on":"1750003000",)"
                                    R"("resource":"https://graph.microsoft.com","token_type":"Bearer","client_id":"x"})"));
  const auto token = provider->Token(kGraphScope);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->expires_on, Timestamp::FromUnixSeconds(1'750'003'000));
  const http::Request r = transport_.last();
  EXPECT_EQ(r.url,
            "http://localhost:42356/msi/token?resource=https%3A%2F%2Fgraph.microsoft.com&api-version=2019-08-01"
            "&client_id=uami-client");
  EXPECT_EQ(HeaderOf(r, "X-IDENTITY-HEADER"), "hdr-one");
  EXPECT_EQ(HeaderOf(r, "Metadata"), "");
  EXPECT_EQ(r.api, "identity");
}

TEST_F(ManagedIdentityTest, IdentityHeaderIsReReadBecauseThePlatformRotatesIt) {
  env_.Set("IDENTITY_ENDPOINT", "http://localhost:42356/msi/token");
  env_.Set("IDENTITY_HEADER", "hdr-one");
  auto provider = Make(Config());
  transport_.SetHandler([](const http::Request&) {
    return Result<http::Response>(JsonResponse(200, R"({"access_token":"t","expires_on":1750003600})"));
  });
  ASSERT_TRUE(provider->Token(kGraphScope).ok());
  env_.Set("IDENTITY_HEADER", "hdr-two");
  ASSERT_TRUE(provider->Token(kGraphScope, true).ok());
  EXPECT_EQ(HeaderOf(transport_.last(), "X-IDENTITY-HEADER"), "hdr-two");
  // The platform withdrew the endpoint: back to IMDS.
  env_.Unset("IDENTITY_HEADER");
  ASSERT_TRUE(provider->Token(kGraphScope, true).ok());
  EXPECT_EQ(HeaderOf(transport_.last(), "Metadata"), "true");
}

TEST_F(ManagedIdentityTest, ImdsNotReadyIsUnavailableAndRefusalIsUnauthenticated) {
  auto provider = Make(Config());
  transport_.Push(JsonResponse(404, R"({"error":"not_found","error_description":"Identity not found."})"));
  auto token = provider->Token(kGraphScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), Code::kUnavailable);
  EXPECT_NE(token.status().message().find("managed identity (IMDS)"), std::string::npos) << token.status().message();

  transport_.Push(JsonResponse(400, R"({"error":"invalid_request","error_description":"Identity not found"})"));
  token = provider->Token(kGraphScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), Code::kUnauthenticated);
}

TEST_F(ManagedIdentityTest, ConfigurationNeedsNoSecretButAnImdsUrl) {
  AuthConfig c;
  c.kind = AuthConfig::Kind::kManagedIdentity;
  EXPECT_TRUE(MakeTokenProvider(c, transport_, clock_, env_).ok());
  c.imds_url.clear();
  const auto p = MakeTokenProvider(c, transport_, clock_, env_);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace xdrsync::auth
