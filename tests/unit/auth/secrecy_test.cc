// No secret, assertion, identity header or token ever appears in a Status message, even when a
// server or the transport echoes what we sent.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "auth/encoding.h"
#include "auth_test_support.h"
#include "test_pki.h"
#include "xdrsync/auth/token_provider.h"

namespace xdrsync::auth {
namespace {

using namespace testing;  // NOLINT: the test support names

constexpr char kSecret[] = "Zq8~secret+VALUE/with=chars";
constexpr char kIssuedToken[] = "eyJ0eXAi.issued-access-token-value.c2ln";
constexpr char kIdentityHeader[] = "rotating-identity-header-value";
constexpr char kFederatedToken[] = "eyJhbGci.federated-k8s-token.c2ln";

// Every way a token request can go wrong, several of them echoing the request back.
std::vector<Result<http::Response>> HostileAnswers(const http::Request& r) {
  const std::string echoed = r.body + " " + r.url + " " + HeaderOf(r, "X-IDENTITY-HEADER") + " " +
                             ParseForm(r.body)["client_secret"] + " " + ParseForm(r.body)["client_assertion"];
  const nlohmann::json echo_error = {{"error", "invalid_client"},
                                     {"error_description", "AADSTS1234567: you sent " + echoed},
                                     {"error_codes", {1234567}},
                                     {"trace_id", echoed}};
  const nlohmann::json nested_echo = {{"error", {{"code", "Bad"}, {"message", "echo " + echoed}}}};
  return {
      Status(Code::kUnavailable, "reset while sending " + echoed),
      JsonResponse(400, echo_error.dump()),
      JsonResponse(401, nested_echo.dump()),
      JsonResponse(500, echoed),
      JsonResponse(200, R"({"access_token":")" + std::string(kIssuedToken) + R"("})"),  // no expiry
      JsonResponse(200, "not json " + std::string(kIssuedToken)),
  };
}

std::vector<std::string> CollectFailures(TokenProvider& provider, ScriptedTransport& transport) {
  std::vector<std::string> messages;
  for (size_t i = 0;; ++i) {
    bool done = false;
    transport.SetHandler([i, &done](const http::Request& r) -> Result<http::Response> {
      auto answers = HostileAnswers(r);
      if (i >= answers.size()) {
        done = true;
        return TokenResponse(kIssuedToken);
      }
      return answers[i];
    });
    const auto token = provider.Token(kGraphScope, /*force_refresh=*/true);
    if (done) break;
    EXPECT_FALSE(token.ok()) << "answer " << i;
    messages.push_back(token.status().ToString());
  }
  return messages;
}

// Not even a part of a secret may survive (a shortened description could cut one in two): no
// run of kWindow characters of any secret appears in any message.
constexpr size_t kWindow = 10;

// A failure names the message and the secret by index only: the test output must not carry
// them either.
void ExpectClean(const std::vector<std::string>& messages, const std::vector<std::string>& secrets) {
  ASSERT_FALSE(messages.empty());
  for (size_t m = 0; m < messages.size(); ++m) {
    for (size_t s = 0; s < secrets.size(); ++s) {
      ASSERT_GE(secrets[s].size(), kWindow);
      for (size_t i = 0; i + kWindow <= secrets[s].size(); ++i) {
        const size_t at = messages[m].find(secrets[s].substr(i, kWindow));
        ASSERT_EQ(at, std::string::npos) << "secret " << s << " leaked into message " << m << " at " << at;
      }
    }
  }
}

TEST(SecrecyTest, ClientSecretNeverInMessages) {
  ScriptedTransport transport;
  MapEnvironment env;
  env.Set("S", kSecret);
  FakeClock clock(Timestamp::FromUnixSeconds(1'750'000'000));
  AuthConfig c;
  c.tenant_id = kTenant;
  c.client_id = kClientId;
  c.client_secret_env = "S";
  auto provider = MakeTokenProvider(c, transport, clock, env);
  ASSERT_TRUE(provider.ok());
  ExpectClean(CollectFailures(**provider, transport), {kSecret, UrlEncode(kSecret), kIssuedToken});
}

TEST(SecrecyTest, CertificateAssertionAndKeyNeverInMessages) {
  TempDir dir;
  const std::string key = NewRsaKeyPem();
  FakeClock clock(Timestamp::FromUnixSeconds(static_cast<int64_t>(std::time(nullptr))));
  ScriptedTransport transport;
  MapEnvironment env;
  AuthConfig c;
  c.kind = AuthConfig::Kind::kCertificate;
  c.tenant_id = kTenant;
  c.client_id = kClientId;
  c.certificate_file = dir.Write("c.pem", SelfSignedCertPem(key, "t", 1));
  c.private_key_file = dir.Write("k.pem", key);
  auto provider = MakeTokenProvider(c, transport, clock, env);
  ASSERT_TRUE(provider.ok());
  std::vector<std::string> assertions;
  const auto messages = CollectFailures(**provider, transport);
  for (const auto& r : transport.requests()) {
    const std::string assertion = ParseForm(r.body)["client_assertion"];
    assertions.push_back(assertion);
    assertions.push_back(assertion.substr(assertion.rfind('.') + 1));  // the signature alone
  }
  assertions.push_back(key.substr(key.find('\n') + 1, 64));  // a line of the private key
  assertions.push_back(kIssuedToken);
  ExpectClean(messages, assertions);
}

TEST(SecrecyTest, FederatedTokenNeverInMessages) {
  TempDir dir;
  ScriptedTransport transport;
  MapEnvironment env;
  FakeClock clock(Timestamp::FromUnixSeconds(1'750'000'000));
  AuthConfig c;
  c.kind = AuthConfig::Kind::kWorkloadIdentity;
  c.tenant_id = kTenant;
  c.client_id = kClientId;
  c.federated_token_file = dir.Write("t", kFederatedToken);
  auto provider = MakeTokenProvider(c, transport, clock, env);
  ASSERT_TRUE(provider.ok());
  ExpectClean(CollectFailures(**provider, transport), {kFederatedToken, kIssuedToken});
}

TEST(SecrecyTest, IdentityHeaderNeverInMessages) {
  ScriptedTransport transport;
  MapEnvironment env;
  env.Set("IDENTITY_ENDPOINT", "http://127.0.0.1:42356/msi/token");
  env.Set("IDENTITY_HEADER", kIdentityHeader);
  FakeClock clock(Timestamp::FromUnixSeconds(1'750'000'000));
  AuthConfig c;
  c.kind = AuthConfig::Kind::kManagedIdentity;
  auto provider = MakeTokenProvider(c, transport, clock, env);
  ASSERT_TRUE(provider.ok());
  ExpectClean(CollectFailures(**provider, transport), {kIdentityHeader, kIssuedToken});
}

TEST(SecrecyTest, ConstructionErrorsNeverQuoteTheCredential) {
  TempDir dir;
  ScriptedTransport transport;
  MapEnvironment env;
  FakeClock clock(Timestamp::FromUnixSeconds(1'750'000'000));
  AuthConfig c;
  c.tenant_id = kTenant;
  c.client_id = kClientId;
  // A secret pasted where a path belongs, and a private key where a certificate belongs.
  c.client_secret_file = kSecret;
  auto provider = MakeTokenProvider(c, transport, clock, env);
  ASSERT_FALSE(provider.ok());
  EXPECT_NE(provider.status().message().find("cannot read the file named by auth.client_secret_file"), std::string::npos);

  const std::string key = NewRsaKeyPem();
  c.kind = AuthConfig::Kind::kCertificate;
  c.certificate_file = dir.Write("k.pem", key);
  provider = MakeTokenProvider(c, transport, clock, env);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().message().find(key.substr(key.find('\n') + 1, 64)), std::string::npos);
  EXPECT_EQ(provider.status().message().find("PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace xdrsync::auth
