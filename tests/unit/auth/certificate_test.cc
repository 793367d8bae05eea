// The certificate credential: the client assertion is checked the way Entra ID would check it,
// with an independent OpenSSL verification against a throwaway self-signed certificate.
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "auth/certificate.h"
#include "auth/encoding.h"
#include "auth_test_support.h"
#include "test_pki.h"
#include "xdrsync/auth/token_provider.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::auth {
namespace {

using namespace testing;  // NOLINT: the test support names
using Json = nlohmann::json;

struct Jwt {
  Json header;
  Json claims;
  std::string signing_input;
  std::string signature;
};

Jwt SplitJwt(const std::string& jwt) {
  const auto parts = Split(jwt, '.');
  EXPECT_EQ(parts.size(), 3u);
  Jwt out;
  if (parts.size() != 3) return out;
  out.header = Json::parse(Base64UrlDecode(parts[0]).value_or("null"));
  out.claims = Json::parse(Base64UrlDecode(parts[1]).value_or("null"));
  out.signing_input = parts[0] + "." + parts[1];
  out.signature = Base64UrlDecode(parts[2]).value_or("");
  return out;
}

// Lower-case 8-4-4-4-12 hex with version 4 and the RFC 9562 variant. (No std::regex: GCC 12
// warns inside it under the sanitizer build.)
bool IsRandomUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

class CertificateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_pem_ = new std::string(NewRsaKeyPem());
    cert_pem_ = new std::string(SelfSignedCertPem(*key_pem_, "xdrsync-test", 2));
    other_key_pem_ = new std::string(NewRsaKeyPem());
  }
  static void TearDownTestSuite() {
    delete key_pem_;
    delete cert_pem_;
    delete other_key_pem_;
  }

  AuthConfig Config() const {
    AuthConfig c;
    c.kind = AuthConfig::Kind::kCertificate;
    c.tenant_id = kTenant;
    c.client_id = kClientId;
    c.certificate_file = dir_.Write("cert.pem", *cert_pem_);
    c.private_key_file = dir_.Write("key.pem", *key_pem_);
    return c;
  }
  Result<std::unique_ptr<TokenProvider>> Make(const AuthConfig& c) {
    return MakeTokenProvider(c, transport_, clock_, env_);
  }
  std::string AssertionSent() const { return ParseForm(transport_.last().body)["client_assertion"]; }

  static std::string* key_pem_;
  static std::string* cert_pem_;
  static std::string* other_key_pem_;
  ScriptedTransport transport_;
  MapEnvironment env_;
  // X.509 validity is checked against this clock, so it starts at the real time.
  FakeClock clock_{Timestamp::FromUnixSeconds(static_cast<int64_t>(std::time(nullptr)))};
  TempDir dir_;
};
std::string* CertificateTest::key_pem_ = nullptr;
std::string* CertificateTest::cert_pem_ = nullptr;
std::string* CertificateTest::other_key_pem_ = nullptr;

TEST_F(CertificateTest, SendsAPs256AssertionThatVerifiesWithTheCertificate) {
  auto provider = Make(Config());
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  transport_.Push(TokenResponse("tok"));
  ASSERT_TRUE((*provider)->Token(kGraphScope).ok());

  const auto form = ParseForm(transport_.last().body);
  EXPECT_EQ(form.at("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  EXPECT_EQ(form.at("client_id"), kClientId);
  EXPECT_EQ(form.at("grant_type"), "client_credentials");
  EXPECT_EQ(form.at("scope"), kGraphScope);
  EXPECT_EQ(form.count("client_secret"), 0u);

  const Jwt jwt = SplitJwt(form.at("client_assertion"));
  EXPECT_EQ(jwt.header["alg"], "PS256");
  EXPECT_EQ(jwt.header["typ"], "JWT");
  EXPECT_EQ(jwt.header["x5t#S256"], Base64UrlEncode(CertDerSha256(*cert_pem_)));

  const int64_t now = clock_.Now().unix_seconds();
  EXPECT_EQ(jwt.claims["aud"], std::string("https://login.microsoftonline.com/") + kTenant + "/oauth2/v2.0/token");
  EXPECT_EQ(jwt.claims["iss"], kClientId);
  EXPECT_EQ(jwt.claims["sub"], kClientId);
  EXPECT_EQ(jwt.claims["nbf"], now);
  EXPECT_EQ(jwt.claims["iat"], now);
  EXPECT_EQ(jwt.claims["exp"], now + 600);
  EXPECT_TRUE(IsRandomUuid(jwt.claims["jti"].get<std::string>())) << jwt.claims["jti"];

  EXPECT_TRUE(VerifyPs256(*cert_pem_, jwt.signing_input, jwt.signature));
  EXPECT_FALSE(VerifyPs256(*cert_pem_, jwt.signing_input + "x", jwt.signature));
  EXPECT_FALSE(VerifyPs256(SelfSignedCertPem(*other_key_pem_, "other", 1), jwt.signing_input, jwt.signature));
}

TEST_F(CertificateTest, KeyMayLiveInTheCertificateFile) {
  AuthConfig c = Config();
  c.certificate_file = dir_.Write("combined.pem", *key_pem_ + *cert_pem_);
  c.private_key_file.clear();
  auto provider = Make(c);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  transport_.Push(TokenResponse("tok"));
  ASSERT_TRUE((*provider)->Token(kGraphScope).ok());
  const Jwt jwt = SplitJwt(AssertionSent());
  EXPECT_TRUE(VerifyPs256(*cert_pem_, jwt.signing_input, jwt.signature));
}

TEST_F(CertificateTest, EveryFetchSignsAFreshAssertion) {
  auto provider = Make(Config());
  ASSERT_TRUE(provider.ok());
  transport_.SetHandler([](const http::Request&) { return Result<http::Response>(TokenResponse("tok")); });
  ASSERT_TRUE((*provider)->Token(kGraphScope).ok());
  const Jwt first = SplitJwt(AssertionSent());
  clock_.Advance(30);
  ASSERT_TRUE((*provider)->Token(kGraphScope, true).ok());
  const Jwt second = SplitJwt(AssertionSent());
  EXPECT_NE(first.claims["jti"], second.claims["jti"]);
  EXPECT_EQ(second.claims["iat"], first.claims["iat"].get<int64_t>() + 30);
}

TEST_F(CertificateTest, RenewedCertificateIsUsedFromTheNextFetch) {
  const AuthConfig c = Config();
  auto provider = Make(c);
  ASSERT_TRUE(provider.ok());
  transport_.SetHandler([](const http::Request&) { return Result<http::Response>(TokenResponse("tok")); });
  ASSERT_TRUE((*provider)->Token(kGraphScope).ok());

  const std::string renewed = SelfSignedCertPem(*other_key_pem_, "renewed", 2);
  dir_.Write("cert.pem", renewed);
  dir_.Write("key.pem", *other_key_pem_);
  ASSERT_TRUE((*provider)->Token(kGraphScope, true).ok());
  const Jwt jwt = SplitJwt(AssertionSent());
  EXPECT_EQ(jwt.header["x5t#S256"], Base64UrlEncode(CertDerSha256(renewed)));
  EXPECT_TRUE(VerifyPs256(renewed, jwt.signing_input, jwt.signature));
}

TEST_F(CertificateTest, SovereignCloudAudienceUsesThatCloudsLoginHost) {
  AuthConfig c = Config();
  c.login_url = "https://login.chinacloudapi.cn";
  auto provider = Make(c);
  ASSERT_TRUE(provider.ok());
  transport_.Push(TokenResponse("tok"));
  ASSERT_TRUE((*provider)->Token("https://microsoftgraph.chinacloudapi.cn/.default").ok());
  EXPECT_EQ(SplitJwt(AssertionSent()).claims["aud"],
            std::string("https://login.chinacloudapi.cn/") + kTenant + "/oauth2/v2.0/token");
}

TEST_F(CertificateTest, BadMaterialFailsAtConstructionWithAClearLine) {
  struct Case {
    const char* name;
    std::function<void(AuthConfig&)> setup;
    std::string contains;
  };
  const Case cases[] = {
      {"missing certificate", [&](AuthConfig& c) { c.certificate_file = (dir_.path() / "nope.pem").string(); },
       "cannot read the file named by auth.certificate_file: No such file or directory"},
      {"missing key", [&](AuthConfig& c) { c.private_key_file = (dir_.path() / "nokey.pem").string(); },
       "cannot read the file named by auth.private_key_file"},
      {"mismatched key", [&](AuthConfig& c) { c.private_key_file = dir_.Write("other.pem", *other_key_pem_); },
       "does not match the certificate"},
      {"no certificate in file", [&](AuthConfig& c) { c.certificate_file = dir_.Write("k.pem", *key_pem_); },
       "holds no PEM certificate"},
      {"no key in certificate file", [](AuthConfig& c) { c.private_key_file.clear(); }, "cannot read a PEM private key from the file named by auth.certificate_file"},
      {"encrypted key",
       [&](AuthConfig& c) { c.private_key_file = dir_.Write("enc.pem", EncryptedKeyPem(*key_pem_, "pw")); },
       "encrypted keys are not supported"},
      {"EC key", [&](AuthConfig& c) { c.private_key_file = dir_.Write("ec.pem", NewEcKeyPem()); },
       "is not an RSA key"},
      {"no certificate configured", [](AuthConfig& c) { c.certificate_file.clear(); }, "auth.certificate_file is required"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    AuthConfig config = Config();
    c.setup(config);
    const auto provider = Make(config);
    ASSERT_FALSE(provider.ok());
    EXPECT_NE(provider.status().message().find(c.contains), std::string::npos) << provider.status().message();
    EXPECT_EQ(provider.status().message().find("PRIVATE KEY"), std::string::npos);
  }
  EXPECT_EQ(transport_.calls(), 0u);
}

TEST_F(CertificateTest, ExpiredCertificateIsReportedBeforeAnyRequest) {
  auto provider = Make(Config());
  ASSERT_TRUE(provider.ok());
  clock_.Advance(3 * 24 * 3600);
  const auto token = (*provider)->Token(kGraphScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(token.status().message().find("has expired"), std::string::npos) << token.status().message();
  EXPECT_EQ(transport_.calls(), 0u);
}

}  // namespace
}  // namespace xdrsync::auth
