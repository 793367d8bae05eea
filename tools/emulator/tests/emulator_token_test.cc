// Entra token endpoints over HTTP, and what the APIs do with the tokens they issue.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "emulator_fixture.h"
#include "jwt.h"

namespace xdrsync::emulator::testing {
namespace {

using nlohmann::json;

// An RSA key pair for client assertions, made fresh per test (2048-bit generation is fast enough).
struct RsaKey {
  RsaKey() : key(EVP_RSA_gen(2048)) {}
  ~RsaKey() { EVP_PKEY_free(key); }
  std::string PublicPem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<size_t>(len));
    BIO_free(bio);
    return pem;
  }
  std::string SignPs256(const json& header, const json& payload) const {
    std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, key);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    size_t len = 0;
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(len);
    return input + "." + Base64UrlEncode(sig);
  }
  EVP_PKEY* key;
};

class EmulatorToken : public EmulatorFixture {
 protected:
  ClientResponse Form(const std::string& tenant, const std::string& form) {
    return http_->Send("POST", "/" + tenant + "/oauth2/v2.0/token",
                       {{"Content-Type", "application/x-www-form-urlencoded"}}, form);
  }
  json Claims(const std::string& token) { return ParseJwt(token)->payload; }
};

TEST_F(EmulatorToken, SecretGrantIssuesPerScopeTokensWithRolesTenantAndExpiry) {
  auto r = Form("t1", "grant_type=client_credentials&client_id=xdrsync-app&client_secret=xdrsync-secret"
                      "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = r.Json();
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 3599);
  json graph = Claims(body["access_token"]);
  EXPECT_EQ(graph["aud"], "https://graph.microsoft.com");
  EXPECT_EQ(graph["tid"], "t1");
  EXPECT_EQ(graph["roles"], json({"SecurityIncident.ReadWrite.All", "SecurityAlert.ReadWrite.All"}));
  EXPECT_EQ(graph["exp"].get<long long>() - graph["iat"].get<long long>(), 3599);
  json arm = Claims(ArmToken());
  EXPECT_EQ(arm["aud"], "https://management.azure.com");
  EXPECT_FALSE(arm.contains("roles"));
}

TEST_F(EmulatorToken, RealShapedErrors) {
  auto wrong = Form("t1", "grant_type=client_credentials&client_id=xdrsync-app&client_secret=nope"
                          "&scope=https://graph.microsoft.com/.default");
  ASSERT_EQ(wrong.status, 401);
  json e = wrong.Json();
  EXPECT_EQ(e["error"], "invalid_client");
  EXPECT_EQ(e["error_codes"], json({7000215}));
  EXPECT_EQ(e["error_description"].get<std::string>().rfind("AADSTS7000215: Invalid client secret provided.", 0), 0u);
  for (const char* key : {"timestamp", "trace_id", "correlation_id"}) EXPECT_TRUE(e.contains(key)) << key;
  EXPECT_EQ(Form("t1", "grant_type=client_credentials&client_id=ghost&client_secret=x&scope=https://graph.microsoft.com/.default")
                .Json()["error_codes"], json({700016}));
  EXPECT_EQ(Form("t1", "grant_type=client_credentials&client_id=xdrsync-app&client_secret=xdrsync-secret&scope=https://graph.microsoft.com")
                .Json()["error"], "invalid_scope");
  EXPECT_EQ(Form("nope", "grant_type=client_credentials").Json()["error_codes"], json({90002}));
  EXPECT_EQ(Form("t1", "grant_type=password&client_id=xdrsync-app").Json()["error"], "unsupported_grant_type");
}

TEST_F(EmulatorToken, CertificateAssertionIsCheckedForSignatureAudienceAndExpiry) {
  RsaKey key;
  Control("POST", "/clients", {{"tenant", "t1"}, {"client_id", "cert-app"}, {"certificate_pem", key.PublicPem()}});
  long long now = EpochSeconds(emu_->clock().Now());
  auto assertion = [&](const std::string& aud, long long exp) {
    return key.SignPs256({{"alg", "PS256"}, {"typ", "JWT"}},
                         {{"aud", aud}, {"iss", "cert-app"}, {"sub", "cert-app"}, {"jti", "1"},
                          {"nbf", now}, {"iat", now}, {"exp", exp}});
  };
  auto request = [&](const std::string& jwt) {
    return Form("t1", "grant_type=client_credentials&client_id=cert-app&scope=https://management.azure.com/.default"
                      "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                      "&client_assertion=" + jwt);
  };
  std::string aud = "https://login.microsoftonline.com/t1/oauth2/v2.0/token";
  EXPECT_EQ(request(assertion(aud, now + 300)).status, 200);
  EXPECT_EQ(request(assertion(emu_->base_url() + "/t1/oauth2/v2.0/token", now + 300)).status, 200);
  EXPECT_EQ(request(assertion("https://elsewhere/token", now + 300)).Json()["error_codes"], json({50013}));
  EXPECT_EQ(request(assertion(aud, now - 10)).Json()["error_codes"], json({700024}));
  EXPECT_EQ(request("not-a-jwt").Json()["error_codes"], json({50027}));
  RsaKey other;
  std::string forged = other.SignPs256({{"alg", "PS256"}}, {{"aud", aud}, {"iss", "cert-app"}, {"sub", "cert-app"},
                                                            {"jti", "2"}, {"exp", now + 300}});
  EXPECT_EQ(request(forged).Json()["error_codes"], json({700027}));
}

TEST_F(EmulatorToken, FederatedAssertionNeedsTheRegisteredIssuerAndSubject) {
  Control("POST", "/clients", {{"tenant", "t1"}, {"client_id", "wi-app"}, {"federated_issuer", "https://oidc.example"},
                               {"federated_subject", "system:serviceaccount:sec:xdrsync"}});
  long long now = EpochSeconds(emu_->clock().Now());
  auto federated = [&](const std::string& sub) {
    return SignHs256({{"alg", "RS256"}}, {{"aud", "api://AzureADTokenExchange"}, {"iss", "https://oidc.example"},
                                          {"sub", sub}, {"exp", now + 600}}, "k");
  };
  auto request = [&](const std::string& jwt) {
    return Form("t1", "grant_type=client_credentials&client_id=wi-app&scope=https://graph.microsoft.com/.default"
                      "&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=" + jwt);
  };
  EXPECT_EQ(request(federated("system:serviceaccount:sec:xdrsync")).status, 200);
  EXPECT_EQ(request(federated("someone-else")).Json()["error_codes"], json({700213}));
}

TEST_F(EmulatorToken, ManagedIdentityEndpoints) {
  auto no_header = http_->Get("/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/");
  EXPECT_EQ(no_header.status, 400);
  auto imds = http_->Send("GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/",
                          {{"Metadata", "true"}});
  ASSERT_EQ(imds.status, 200) << imds.body;
  EXPECT_TRUE(imds.Json()["expires_in"].is_string());
  EXPECT_EQ(Claims(imds.Json()["access_token"])["aud"], "https://management.azure.com");
  EXPECT_EQ(http_->Get(Incidents() + "?" + kApi, imds.Json()["access_token"]).status, 200);
  EXPECT_EQ(http_->Send("GET", "/msi/token?api-version=2019-08-01&resource=https://graph.microsoft.com",
                        {{"X-IDENTITY-HEADER", "wrong"}}).status, 401);
  auto app = http_->Send("GET", "/msi/token?api-version=2019-08-01&resource=https://graph.microsoft.com",
                         {{"X-IDENTITY-HEADER", "emulator-identity-header"}});
  ASSERT_EQ(app.status, 200) << app.body;
  EXPECT_TRUE(app.Json().contains("expires_on"));
  EXPECT_FALSE(app.Json().contains("expires_in"));
}

TEST_F(EmulatorToken, ExpiredMissingAndWrongAudienceTokensGet401WithAChallenge) {
  std::string graph = GraphToken();
  std::string arm = ArmToken();
  EXPECT_EQ(http_->Get("/v1.0/security/incidents", graph).status, 200);
  emu_->clock().Advance(std::chrono::seconds(3600));
  auto expired = http_->Get("/v1.0/security/incidents", graph);
  ASSERT_EQ(expired.status, 401);
  EXPECT_EQ(expired.Json()["error"]["code"], "InvalidAuthenticationToken");
  EXPECT_NE(expired.Header("www-authenticate").find("Bearer"), std::string::npos);
  auto arm_expired = http_->Get(Incidents() + "?" + kApi, arm);
  ASSERT_EQ(arm_expired.status, 401);
  EXPECT_EQ(arm_expired.Json()["error"]["code"], "ExpiredAuthenticationToken");
  EXPECT_NE(arm_expired.Header("www-authenticate").find("invalid_token"), std::string::npos);
  EXPECT_EQ(http_->Get("/v1.0/security/incidents").status, 401);
  EXPECT_EQ(http_->Get(Incidents() + "?" + kApi).Json()["error"]["code"], "AuthenticationFailed");
  EXPECT_EQ(http_->Get("/v1.0/security/incidents", ArmToken()).status, 401);
  EXPECT_EQ(http_->Get(Incidents() + "?" + kApi, GraphToken()).Json()["error"]["code"], "InvalidAuthenticationTokenAudience");
}

TEST_F(EmulatorToken, ConfigurableLifetimeAndMissingRoles) {
  Control("POST", "/settings", {{"token_lifetime_s", 60}});
  std::string token = GraphToken();
  EXPECT_EQ(Claims(token)["exp"].get<long long>() - Claims(token)["iat"].get<long long>(), 60);
  Control("POST", "/clients", {{"tenant", "t1"}, {"client_id", "ro"}, {"secret", "s"},
                               {"graph_roles", {"SecurityIncident.Read.All"}}});
  std::string ro = emu_->MintToken("t1", "ro", "https://graph.microsoft.com/.default");
  EXPECT_EQ(http_->Get("/v1.0/security/incidents", ro).status, 200);
  auto denied = http_->SendJson("PATCH", "/v1.0/security/incidents/1001", {{"status", "active"}}, ro);
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.Json()["error"]["message"].get<std::string>().find("SecurityIncident.ReadWrite.All"), std::string::npos);
  EXPECT_EQ(http_->Get("/v1.0/security/alerts_v2", ro).status, 403);
}

}  // namespace
}  // namespace xdrsync::emulator::testing
