// The client secret credential: the token request it sends and where the secret comes from.
#include <gtest/gtest.h>

#include "auth_test_support.h"
#include "xdrsync/auth/token_provider.h"

namespace xdrsync::auth {
namespace {

using namespace testing;  // NOLINT: the test support names

class ClientSecretTest : public ::testing::Test {
 protected:
  ClientSecretTest() { env_.Set("XDRSYNC_TEST_SECRET", kSecret); }

  AuthConfig Config() const {
    AuthConfig c;
    c.kind = AuthConfig::Kind::kClientSecret;
    c.tenant_id = kTenant;
    c.client_id = kClientId;
    c.client_secret_env = "XDRSYNC_TEST_SECRET";
    return c;
  }
  std::unique_ptr<TokenProvider> Make(const AuthConfig& c) {
    auto p = MakeTokenProvider(c, transport_, clock_, env_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }
  std::string SecretSent() const { return ParseForm(transport_.last().body)["client_secret"]; }

  static constexpr char kSecret[] = "Ab3~q+Z/x=y&z%w 9";
  ScriptedTransport transport_;
  MapEnvironment env_;
  FakeClock clock_{Timestamp::FromUnixSeconds(1'750'000'000)};
  TempDir dir_;
};

TEST_F(ClientSecretTest, PostsAFormEncodedClientCredentialsRequest) {
  auto provider = Make(Config());
  transport_.Push(TokenResponse("tok-1"));
  const auto token = provider->Token(kGraphScope);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->value, "tok-1");
  EXPECT_EQ(token->expires_on, clock_.Now() + 3599);

  const http::Request r = transport_.last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, std::string("https://login.microsoftonline.com/") + kTenant + "/oauth2/v2.0/token");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(HeaderOf(r, "Accept"), "application/json");
  EXPECT_EQ(r.api, "login");
  EXPECT_EQ(r.tenant, kTenant);
  EXPECT_EQ(r.deadline, std::chrono::seconds(30));
  const auto form = ParseForm(r.body);
  EXPECT_EQ(form, (std::map<std::string, std::string>{{"client_id", kClientId},
                                                      {"scope", kGraphScope},
                                                      {"grant_type", "client_credentials"},
                                                      {"client_secret", kSecret}}));
  // Reserved characters of the secret and the scope are percent-encoded on the wire.
  EXPECT_NE(r.body.find("client_secret=Ab3~q%2BZ%2Fx%3Dy%26z%25w%209"), std::string::npos) << "body not encoded";
  EXPECT_NE(r.body.find("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"), std::string::npos);
}

TEST_F(ClientSecretTest, NationalCloudLoginUrlAndTimeoutAreConfiguration) {
  AuthConfig c = Config();
  c.login_url = "https://login.microsoftonline.us/";
  c.request_timeout_seconds = 7;
  auto provider = Make(c);
  transport_.Push(TokenResponse("tok"));
  ASSERT_TRUE(provider->Token("https://graph.microsoft.us/.default").ok());
  EXPECT_EQ(transport_.last().url, std::string("https://login.microsoftonline.us/") + kTenant + "/oauth2/v2.0/token");
  EXPECT_EQ(ParseForm(transport_.last().body)["scope"], "https://graph.microsoft.us/.default");
  EXPECT_EQ(transport_.last().deadline, std::chrono::seconds(7));
}

TEST_F(ClientSecretTest, EnvironmentSecretIsReReadOnEveryFetch) {
  auto provider = Make(Config());
  transport_.SetHandler([](const http::Request&) { return Result<http::Response>(TokenResponse("tok")); });
  ASSERT_TRUE(provider->Token(kGraphScope).ok());
  EXPECT_EQ(SecretSent(), kSecret);
  env_.Set("XDRSYNC_TEST_SECRET", "rotated-secret\n");
  ASSERT_TRUE(provider->Token(kGraphScope, /*force_refresh=*/true).ok());
  EXPECT_EQ(SecretSent(), "rotated-secret");
}

TEST_F(ClientSecretTest, FileSecretIsTrimmedOfItsNewlineAndReReadOnEveryFetch) {
  AuthConfig c = Config();
  c.client_secret_env.clear();
  c.client_secret_file = dir_.Write("secret", "file-secret\r\n");
  auto provider = Make(c);
  transport_.SetHandler([](const http::Request&) { return Result<http::Response>(TokenResponse("tok")); });
  ASSERT_TRUE(provider->Token(kGraphScope).ok());
  EXPECT_EQ(SecretSent(), "file-secret");

  dir_.Write("secret", "file-secret-2\n");
  clock_.Advance(3600);  // the cached token expired, so the next call fetches with the new secret
  ASSERT_TRUE(provider->Token(kGraphScope).ok());
  EXPECT_EQ(SecretSent(), "file-secret-2");
}

TEST_F(ClientSecretTest, SystemdCredentialIsReadFromCredentialsDirectory) {
  AuthConfig c = Config();
  c.client_secret_env.clear();
  c.client_secret_credential = "client-secret";
  env_.Set("CREDENTIALS_DIRECTORY", dir_.path().string());
  dir_.Write("client-secret", "cred-secret\n");
  auto provider = Make(c);
  transport_.SetHandler([](const http::Request&) { return Result<http::Response>(TokenResponse("tok")); });
  ASSERT_TRUE(provider->Token(kGraphScope).ok());
  EXPECT_EQ(SecretSent(), "cred-secret");

  dir_.Write("client-secret", "cred-secret-2");
  ASSERT_TRUE(provider->Token(kGraphScope, true).ok());
  EXPECT_EQ(SecretSent(), "cred-secret-2");
}

TEST_F(ClientSecretTest, ConstructionNamesWhatIsMissing) {
  struct Case {
    const char* name;
    std::function<void(AuthConfig&, MapEnvironment&)> setup;
    Code code;
    std::string contains;
  };
  const std::string missing = (dir_.path() / "absent").string();
  const Case cases[] = {
      {"unset variable", [](AuthConfig&, MapEnvironment& e) { e.Unset("XDRSYNC_TEST_SECRET"); },
       Code::kFailedPrecondition, "the environment variable named by auth.client_secret_env is not set"},
      {"empty variable", [](AuthConfig&, MapEnvironment& e) { e.Set("XDRSYNC_TEST_SECRET", ""); },
       Code::kFailedPrecondition, "the environment variable named by auth.client_secret_env is empty"},
      {"no source", [](AuthConfig& c, MapEnvironment&) { c.client_secret_env.clear(); }, Code::kInvalidArgument,
       "exactly one of client_secret_env, client_secret_file, client_secret_credential (0 given)"},
      {"two sources", [](AuthConfig& c, MapEnvironment&) { c.client_secret_file = "/x"; }, Code::kInvalidArgument,
       "(2 given)"},
      {"missing file",
       [&](AuthConfig& c, MapEnvironment&) {
         c.client_secret_env.clear();
         c.client_secret_file = missing;
       },
       Code::kFailedPrecondition, "cannot read the file named by auth.client_secret_file: No such file or directory"},
      {"directory instead of a file",
       [&](AuthConfig& c, MapEnvironment&) {
         c.client_secret_env.clear();
         c.client_secret_file = dir_.path().string();
       },
       Code::kFailedPrecondition, "is not a regular file"},
      {"empty file",
       [&](AuthConfig& c, MapEnvironment&) {
         c.client_secret_env.clear();
         c.client_secret_file = dir_.Write("empty", "\n");
       },
       Code::kFailedPrecondition, "is empty"},
      {"no credentials directory",
       [](AuthConfig& c, MapEnvironment&) {
         c.client_secret_env.clear();
         c.client_secret_credential = "client-secret";
       },
       Code::kFailedPrecondition, "$CREDENTIALS_DIRECTORY is not (LoadCredential= missing?)"},
      {"credential as a path",
       [](AuthConfig& c, MapEnvironment&) {
         c.client_secret_env.clear();
         c.client_secret_credential = "../etc/passwd";
       },
       Code::kInvalidArgument, "not a path"},
      {"negative margin", [](AuthConfig& c, MapEnvironment&) { c.refresh_margin_seconds = -1; },
       Code::kInvalidArgument, "auth.refresh_margin_seconds must be between 0 and 86400"},
      {"zero timeout", [](AuthConfig& c, MapEnvironment&) { c.request_timeout_seconds = 0; },
       Code::kInvalidArgument, "auth.request_timeout_seconds must be between 1 and 3600"},
      {"no client id", [](AuthConfig& c, MapEnvironment&) { c.client_id.clear(); }, Code::kInvalidArgument,
       "auth.client_id is required"},
      {"tenant that would bend the URL", [](AuthConfig& c, MapEnvironment&) { c.tenant_id = "x/../y"; },
       Code::kInvalidArgument, "is not a tenant GUID or domain"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    AuthConfig config = Config();
    MapEnvironment env;
    env.Set("XDRSYNC_TEST_SECRET", kSecret);
    c.setup(config, env);
    const auto provider = MakeTokenProvider(config, transport_, clock_, env);
    ASSERT_FALSE(provider.ok());
    EXPECT_EQ(provider.status().code(), c.code);
    EXPECT_NE(provider.status().message().find(c.contains), std::string::npos) << provider.status().message();
  }
  EXPECT_EQ(transport_.calls(), 0u);
}

TEST_F(ClientSecretTest, SecretRemovedAfterStartFailsTheFetchWithoutARequest) {
  AuthConfig c = Config();
  c.client_secret_env.clear();
  c.client_secret_file = dir_.Write("secret", "s");
  auto provider = Make(c);
  std::filesystem::remove(c.client_secret_file);
  const auto token = provider->Token(kGraphScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), Code::kFailedPrecondition);
  // The key is named; the path is not (it could be a secret pasted in the wrong place).
  EXPECT_NE(token.status().message().find("auth.client_secret_file"), std::string::npos) << token.status().message();
  EXPECT_EQ(token.status().message().find(c.client_secret_file), std::string::npos) << token.status().message();
  EXPECT_EQ(transport_.calls(), 0u);
}

TEST_F(ClientSecretTest, TransportFailureKeepsItsCodeAndNamesTheTenant) {
  auto provider = Make(Config());
  transport_.Push(Status(Code::kUnavailable, "connect to login.microsoftonline.com: connection refused"));
  const auto token = provider->Token(kGraphScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), Code::kUnavailable);
  EXPECT_EQ(token.status().message(), std::string("tenant ") + kTenant +
                                          ": connect to login.microsoftonline.com: connection refused");
}

TEST_F(ClientSecretTest, RevokedSecretIsUnauthenticatedWithTheErrorCode) {
  auto provider = Make(Config());
  transport_.Push(JsonResponse(
      401, R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.",)"
           R"("error_codes":[7000215],"trace_id":"t-1","correlation_id":"c-1"})"));
  const auto token = provider->Token(kGraphScope);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(token.status().message(), std::string("tenant ") + kTenant +
                                          ": invalid_client AADSTS7000215 (the client secret is wrong or revoked; "
                                          "trace_id t-1)");
}

}  // namespace
}  // namespace xdrsync::auth
