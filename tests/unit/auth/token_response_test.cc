#include "auth/token_response.h"

#include <gtest/gtest.h>

#include "auth_test_support.h"

namespace xdrsync::auth {
namespace {

using testing::FakeJwt;
using testing::JsonResponse;

const Timestamp kNow = Timestamp::FromUnixSeconds(1'750'000'000);

TEST(ReadTokenResponseTest, ReadsEntraIdAnswerWithExpiresIn) {
  const auto token = ReadTokenResponse(testing::TokenResponse("opaque-token", 3599), kNow, "tenant t", Endpoint::kLogin);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->value, "opaque-token");
  EXPECT_EQ(token->expires_on, kNow + 3599);
  EXPECT_TRUE(token->roles.empty());  // opaque tokens are tolerated
  EXPECT_EQ(token->tenant_id, "");
}

TEST(ReadTokenResponseTest, ReadsExpiresOnAsStringOrNumber) {
  for (const std::string expires_on : {R"("1750003600")", "1750003600"}) {
    SCOPED_TRACE(expires_on);
    const auto token = ReadTokenResponse(
        JsonResponse(200, R"({"access_token":"a","expires_on":)" + expires_on + R"(,"resource":"r","token_type":"Bearer"})"),
        kNow, "mi", Endpoint::kAppService);
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    EXPECT_EQ(token->expires_on, Timestamp::FromUnixSeconds(1'750'003'600));
  }
}

TEST(ReadTokenResponseTest, PrefersExpiresInOverExpiresOnToBeImmuneToClockSkew) {
  // IMDS sends both, as strings; our clock may disagree with the issuer's.
  const auto token = ReadTokenResponse(
      JsonResponse(200, R"({"access_token":"a","expires_in":"3599","expires_on":"1","not_before":"0"})"), kNow, "mi",
      Endpoint::kImds);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->expires_on, kNow + 3599);
}

TEST(ReadTokenResponseTest, ReadsRolesAndTenantFromJwtPayload) {
  const std::string jwt =
      FakeJwt(R"({"aud":"https://graph.microsoft.com","tid":"72f988bf-86f1-41af-91ab-2d7cd011db47",)"
              R"("roles":["SecurityIncident.ReadWrite.All","SecurityAlert.ReadWrite.All",7]})");
  const auto token = ReadTokenResponse(testing::TokenResponse(jwt), kNow, "tenant t", Endpoint::kLogin);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->tenant_id, "72f988bf-86f1-41af-91ab-2d7cd011db47");
  EXPECT_EQ(token->roles, (std::vector<std::string>{"SecurityIncident.ReadWrite.All", "SecurityAlert.ReadWrite.All"}));
  EXPECT_TRUE(HasAnyRole(*token, {"SecurityAlert.Create.All", "SecurityAlert.ReadWrite.All"}));
  EXPECT_FALSE(HasAnyRole(*token, {"SecurityAlert.Create.All"}));
  EXPECT_FALSE(HasAnyRole(*token, {"securityalert.readwrite.all"}));
}

TEST(ReadTokenResponseTest, ToleratesMalformedJwtPayloads) {
  for (const std::string& value : {std::string("a.b.c"), std::string("a.!!!.c"), FakeJwt("[1,2]"), FakeJwt("{\"roles\":\"x\"}"),
                                  std::string("only.two")}) {
    SCOPED_TRACE(value);
    const JwtClaims claims = ReadUnverifiedClaims(value);
    EXPECT_TRUE(claims.roles.empty());
    EXPECT_EQ(claims.tenant_id, "");
  }
}

TEST(ReadTokenResponseTest, MalformedSuccessIsParseErrorWithoutTheBody) {
  struct Case {
    const char* name;
    std::string body;
  };
  const Case cases[] = {
      {"not json", "<html>secret-ish body</html>"},
      {"no token", R"({"expires_in":3599,"note":"secret-ish body"})"},
      {"no expiry", R"({"access_token":"secret-ish body"})"},
      {"array", R"(["secret-ish body"])"},
      {"absurd expires_in", R"({"access_token":"secret-ish body","expires_in":99999999999999})"},
      {"absurd expires_on", R"({"access_token":"secret-ish body","expires_on":"99999999999999999"})"},
      {"negative expiry", R"({"access_token":"secret-ish body","expires_in":-5,"expires_on":-1e300})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto token = ReadTokenResponse(JsonResponse(200, c.body), kNow, "tenant t", Endpoint::kLogin);
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.status().code(), Code::kParseError);
    EXPECT_EQ(token.status().message().find("secret-ish"), std::string::npos) << token.status().message();
  }
}

std::string EntraError(const std::string& error, int64_t code, const std::string& description) {
  return R"({"error":")" + error + R"(","error_description":")" + description + R"(","error_codes":[)" +
         std::to_string(code) +
         R"(],"timestamp":"2025-06-01 10:00:00Z","trace_id":"0b4e1c2a-trace","correlation_id":"5d6e-corr"})";
}

TEST(TokenErrorStatusTest, WrongSecretIsOneActionableLine) {
  const Status s = TokenErrorStatus(
      JsonResponse(401, EntraError("invalid_client", 7000215,
                                   "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
                                   "request is the client secret value.\\r\\nTrace ID: 0b4e1c2a-trace")),
      "tenant 72f988bf-86f1-41af-91ab-2d7cd011db47", Endpoint::kLogin);
  EXPECT_EQ(s.code(), Code::kUnauthenticated);
  EXPECT_EQ(s.message(),
            "tenant 72f988bf-86f1-41af-91ab-2d7cd011db47: invalid_client AADSTS7000215 (the client secret is wrong or "
            "revoked; trace_id 0b4e1c2a-trace)");
}

TEST(TokenErrorStatusTest, MapsEachKindOfRefusal) {
  struct Case {
    const char* name;
    int status;
    std::string body;
    Endpoint endpoint;
    Code code;
    std::string contains;
  };
  const Case cases[] = {
      {"expired secret", 401, EntraError("invalid_client", 7000222, "AADSTS7000222: expired"), Endpoint::kLogin,
       Code::kUnauthenticated, "AADSTS7000222 (the client secret has expired"},
      {"unknown app", 400, EntraError("unauthorized_client", 700016, "AADSTS700016: App not found"), Endpoint::kLogin,
       Code::kUnauthenticated, "unauthorized_client AADSTS700016"},
      {"bad assertion", 401, EntraError("invalid_client", 700027, "AADSTS700027: bad"), Endpoint::kLogin,
       Code::kUnauthenticated, "certificate is not registered"},
      {"federation mismatch", 400, EntraError("invalid_grant", 70021, "AADSTS70021: no match"), Endpoint::kLogin,
       Code::kUnauthenticated, "invalid_grant AADSTS70021"},
      {"no consent", 400, EntraError("invalid_grant", 65001, "AADSTS65001: consent"), Endpoint::kLogin,
       Code::kPermissionDenied, "has not consented"},
      {"unknown resource", 400, EntraError("invalid_resource", 500011, "AADSTS500011: resource"), Endpoint::kLogin,
       Code::kPermissionDenied, "check the scope"},
      {"unknown code keeps the description's first sentence", 400,
       EntraError("invalid_request", 9999999, "AADSTS9999999: Something odd happened. More text.\\r\\nTrace ID: x"),
       Endpoint::kLogin, Code::kUnauthenticated, "invalid_request AADSTS9999999 (Something odd happened; trace_id"},
      {"403 without body", 403, "", Endpoint::kLogin, Code::kPermissionDenied, "HTTP 403 from the token endpoint"},
      {"throttled", 429, EntraError("temporarily_unavailable", 50196, "AADSTS50196: loop"), Endpoint::kLogin,
       Code::kResourceExhausted, "temporarily_unavailable"},
      {"server error", 503, "<html>busy</html>", Endpoint::kLogin, Code::kUnavailable, "HTTP 503"},
      {"server error with json", 500, EntraError("server_error", 50000, "AADSTS50000: oops"), Endpoint::kLogin,
       Code::kUnavailable, "server_error AADSTS50000"},
      {"IMDS identity not yet assigned", 404, R"({"error":"not_found"})", Endpoint::kImds, Code::kUnavailable,
       "not_found"},
      {"IMDS updating", 410, "", Endpoint::kImds, Code::kUnavailable, "HTTP 410 from the identity endpoint"},
      {"IMDS bad client id", 400,
       R"({"error":"invalid_request","error_description":"Identity not found"})", Endpoint::kImds,
       Code::kUnauthenticated, "invalid_request (Identity not found)"},
      {"App Service nested error", 400, R"({"error":{"code":"UnsupportedApiVersion","message":"Bad version. x"}})",
       Endpoint::kAppService, Code::kUnauthenticated, "UnsupportedApiVersion (Bad version)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Status s = TokenErrorStatus(JsonResponse(c.status, c.body), "who", c.endpoint);
    EXPECT_EQ(s.code(), c.code) << s.ToString();
    EXPECT_NE(s.message().find(c.contains), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
    EXPECT_EQ(s.message().rfind("who: ", 0), 0u) << s.message();
  }
}

TEST(RedactedTest, ReplacesEverySecretOccurrence) {
  const Status s =
      Redacted(Status(Code::kUnauthenticated, "a s3cr3t b s3cr3t c token1 d"), {"s3cr3t", "", "token1", "d"});
  EXPECT_EQ(s.message(), "a *** b *** c *** d");
  EXPECT_EQ(s.code(), Code::kUnauthenticated);
}

}  // namespace
}  // namespace xdrsync::auth
