// Workload identity federation: a platform-issued token (Kubernetes service account) exchanged as
// the client assertion.
#include <gtest/gtest.h>

#include "auth_test_support.h"
#include "xdrsync/auth/token_provider.h"

namespace xdrsync::auth {
namespace {

using namespace testing;  // NOLINT: the test support names

class WorkloadIdentityTest : public ::testing::Test {
 protected:
  AuthConfig Config() const {
    AuthConfig c;
    c.kind = AuthConfig::Kind::kWorkloadIdentity;
    c.tenant_id = kTenant;
    c.client_id = kClientId;
    c.federated_token_file = (dir_.path() / "token").string();
    return c;
  }
  std::string AssertionSent() const { return ParseForm(transport_.last().body)["client_assertion"]; }

  ScriptedTransport transport_;
  MapEnvironment env_;
  FakeClock clock_{Timestamp::FromUnixSeconds(1'750'000'000)};
  TempDir dir_;
};

TEST_F(WorkloadIdentityTest, SendsTheFederatedTokenAsClientAssertionReadFreshEachTime) {
  dir_.Write("token", "eyJhbGciOi.k8s-token-1.sig\n");
  auto provider = MakeTokenProvider(Config(), transport_, clock_, env_);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  transport_.SetHandler([](const http::Request&) { return Result<http::Response>(TokenResponse("tok")); });
  ASSERT_TRUE((*provider)->Token(kArmScope).ok());

  const http::Request r = transport_.last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, std::string("https://login.microsoftonline.com/") + kTenant + "/oauth2/v2.0/token");
  EXPECT_EQ(r.api, "login");
  EXPECT_EQ(ParseForm(r.body), (std::map<std::string, std::string>{
                                   {"client_id", kClientId},
                                   {"scope", kArmScope},
                                   {"grant_type", "client_credentials"},
                                   {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                                   {"client_assertion", "eyJhbGciOi.k8s-token-1.sig"}}));

  dir_.Write("token", "eyJhbGciOi.k8s-token-2.sig");  // the kubelet rotated it
  ASSERT_TRUE((*provider)->Token(kArmScope, true).ok());
  EXPECT_EQ(AssertionSent(), "eyJhbGciOi.k8s-token-2.sig");
}

TEST_F(WorkloadIdentityTest, DefaultsComeFromTheVariablesAksInjects) {
  env_.Set("AZURE_FEDERATED_TOKEN_FILE", dir_.Write("projected", "aks-token"));
  env_.Set("AZURE_CLIENT_ID", "aks-client");
  env_.Set("AZURE_TENANT_ID", "contoso.onmicrosoft.com");
  AuthConfig c;
  c.kind = AuthConfig::Kind::kWorkloadIdentity;
  auto provider = MakeTokenProvider(c, transport_, clock_, env_);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  transport_.Push(TokenResponse("tok"));
  ASSERT_TRUE((*provider)->Token(kGraphScope).ok());
  const http::Request r = transport_.last();
  EXPECT_EQ(r.url, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
  EXPECT_EQ(r.tenant, "contoso.onmicrosoft.com");
  EXPECT_EQ(ParseForm(r.body)["client_id"], "aks-client");
  EXPECT_EQ(AssertionSent(), "aks-token");
}

TEST_F(WorkloadIdentityTest, MissingTokenFileIsNamed) {
  AuthConfig c = Config();
  auto provider = MakeTokenProvider(c, transport_, clock_, env_);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(provider.status().message().find("cannot read the file named by auth.federated_token_file"), std::string::npos)
      << provider.status().message();

  c.federated_token_file.clear();
  provider = MakeTokenProvider(c, transport_, clock_, env_);
  ASSERT_FALSE(provider.ok());
  EXPECT_NE(provider.status().message().find("$AZURE_FEDERATED_TOKEN_FILE is set"), std::string::npos)
      << provider.status().message();
  EXPECT_EQ(transport_.calls(), 0u);
}

TEST_F(WorkloadIdentityTest, UnmatchedFederationIsUnauthenticated) {
  dir_.Write("token", "eyJhbGciOi.k8s-token.sig");
  auto provider = MakeTokenProvider(Config(), transport_, clock_, env_);
  ASSERT_TRUE(provider.ok());
  transport_.Push(JsonResponse(400, R"({"error":"invalid_grant","error_codes":[700213],"trace_id":"tr"})"));
  const auto token = (*provider)->Token(kGraphScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), Code::kUnauthenticated);
  EXPECT_NE(token.status().message().find("AADSTS700213 (no federated credential"), std::string::npos)
      << token.status().message();
}

}  // namespace
}  // namespace xdrsync::auth
