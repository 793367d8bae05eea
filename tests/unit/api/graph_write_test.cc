// Graph request bodies, error bodies and the createAlert exchange.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/api/wire_samples.h"
#include "xdrsync/api/graph_codec.h"

namespace xdrsync::api {
namespace {

using domain::DClassification;
using domain::DDetermination;
using domain::DefenderPatch;
using domain::DSeverity;
using domain::DStatus;
using nlohmann::json;

TEST(GraphPatchTest, OnlySetFieldsInMetadataSpelling) {
  struct Case {
    const char* name;
    DefenderPatch patch;
    json expected;
  };
  std::vector<Case> cases;
  cases.push_back({"empty", {}, json::object()});
  {
    DefenderPatch p;
    p.status = DStatus::kResolved;
    p.classification = DClassification::kTruePositive;
    p.determination = DDetermination::kCompromisedAccount;
    cases.push_back({"resolve",
                     p,
                     {{"status", "resolved"},
                      {"classification", "truePositive"},
                      {"determination", "compromisedAccount"}}});
  }
  {
    DefenderPatch p;
    p.assigned_to = std::optional<std::string>();
    cases.push_back({"clear owner", p, {{"assignedTo", nullptr}}});
  }
  {
    DefenderPatch p;
    p.assigned_to = std::optional<std::string>("soc@contoso.com");
    p.custom_tags = std::vector<std::string>{"synced-from-sentinel", "vip"};
    cases.push_back(
        {"owner and tags",
         p,
         {{"assignedTo", "soc@contoso.com"}, {"customTags", {"synced-from-sentinel", "vip"}}}});
  }
  {
    DefenderPatch p;
    p.custom_tags = std::vector<std::string>{};
    p.resolving_comment = "closed in Sentinel";
    p.display_name = "renamed";
    p.description = "";
    p.severity = DSeverity::kHigh;
    p.determination = DDetermination::kNotEnoughDataToValidate;
    cases.push_back({"text fields, empty tag list",
                     p,
                     {{"customTags", json::array()},
                      {"resolvingComment", "closed in Sentinel"},
                      {"displayName", "renamed"},
                      {"description", ""},
                      {"severity", "high"},
                      {"determination", "notEnoughDataToValidate"}}});
  }
  {
    DefenderPatch p;
    p.status = DStatus::kUnrecognized;
    p.severity = DSeverity::kLow;
    cases.push_back({"unrecognized enum left out", p, {{"severity", "low"}}});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(json::parse(SerializeDefenderPatch(c.patch)), c.expected);
  }
}

TEST(GraphPatchTest, InvalidUtf8InModelStringsIsReplacedNotThrown) {
  DefenderPatch p;
  p.display_name = std::string("bad \xC3\x28 text");
  p.custom_tags = std::vector<std::string>{"\xFF"};
  const std::string body = SerializeDefenderPatch(p);
  const json parsed = json::parse(body);
  EXPECT_EQ(parsed["displayName"], "bad \xEF\xBF\xBD( text");
  EXPECT_EQ(parsed["customTags"][0], "\xEF\xBF\xBD");
}

TEST(GraphCommentBodyTest, CarriesTheODataType) {
  const json body =
      json::parse(SerializeDefenderComment("Closed in Sentinel by \"Ann\"\n[xdrsync:abc]"));
  EXPECT_EQ(body, (json{{"@odata.type", "microsoft.graph.security.alertComment"},
                        {"comment", "Closed in Sentinel by \"Ann\"\n[xdrsync:abc]"}}));
}

TEST(GraphErrorTest, BothInnerErrorSpellingsAndEmptyCode) {
  struct Case {
    const char* name;
    const char* body;
    GraphError expected;
  };
  const std::vector<Case> cases = {
      {"top limit, empty code",
       R"({"error":{"code":"","message":"The limit of '50' for Top query has been exceeded.","details":[],
           "innerError":{"date":"2025-01-11T19:43:26","request-id":"3f6c","client-request-id":"3f6c"}}})",
       {"", "The limit of '50' for Top query has been exceeded.", "", "3f6c", "3f6c",
        "2025-01-11T19:43:26"}},
      {"schema spelling, nested",
       R"({"error":{"code":"badRequest","message":"Invalid","innererror":{"code":"invalidRange",
           "innererror":{"request-id":"r-2","date":"2025-01-11T19:43:27"}}}})",
       {"badRequest", "Invalid", "invalidRange", "r-2", "", "2025-01-11T19:43:27"}},
      {"throttled",
       R"({"error":{"code":"TooManyRequests","message":"Too many requests."}})",
       {"TooManyRequests", "Too many requests.", "", "", "", ""}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<GraphError> r = ParseGraphError(c.body);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->code, c.expected.code);
    EXPECT_EQ(r->message, c.expected.message);
    EXPECT_EQ(r->inner_code, c.expected.inner_code);
    EXPECT_EQ(r->request_id, c.expected.request_id);
    EXPECT_EQ(r->client_request_id, c.expected.client_request_id);
    EXPECT_EQ(r->date, c.expected.date);
  }
  for (const char* body :
       {"<html>Bad Gateway</html>", R"({"message":"x"})", "", R"({"error":"x"})"}) {
    SCOPED_TRACE(body);
    EXPECT_FALSE(ParseGraphError(body).ok());
  }
}

TEST(GraphCreateAlertTest, SerializesTheWrappedInput) {
  CreateAlertInput in;
  in.title = "[xdrsync] Sentinel incident 4711";
  in.severity = DSeverity::kHigh;
  in.description = "Mirror of a Sentinel incident";
  in.category = "SuspiciousActivity";
  in.is_excluded_from_correlation = true;
  in.sentinel_workspace =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws";
  in.entity_definitions.push_back({"user", "userPrincipalName", "ann@contoso.com", "impacted"});
  const json body = json::parse(SerializeCreateAlert(in));
  const json expected = {{"createAlertInput",
                          {{"title", "[xdrsync] Sentinel incident 4711"},
                           {"severity", "high"},
                           {"description", "Mirror of a Sentinel incident"},
                           {"category", "SuspiciousActivity"},
                           {"isExcludedFromCorrelation", true},
                           {"sentinelWorkspace", in.sentinel_workspace},
                           {"entityDefinitions",
                            {{{"entityType", "user"},
                              {"entityIdentifier", "userPrincipalName"},
                              {"identifierValue", "ann@contoso.com"},
                              {"role", "impacted"}}}}}}};
  EXPECT_EQ(body, expected);

  in.link_to_incident = 2972395;
  in.mitre_techniques = {"T1566"};
  in.recommended_actions = "Reset the password";
  const json linked = json::parse(SerializeCreateAlert(in))["createAlertInput"];
  EXPECT_EQ(linked["linkToIncident"], 2972395);
  EXPECT_EQ(linked["mitreTechniques"], json::array({"T1566"}));
  EXPECT_EQ(linked["recommendedActions"], "Reset the password");
}

TEST(GraphCreateAlertTest, ParsesTheReply) {
  Result<CreatedAlert> r = ParseCreateAlertReply(
      R"({"@odata.context":"https://graph.microsoft.com/beta/$metadata#security.alert",
          "id":"ma638123456789012345_1","incidentId":"2972401","status":"new","detectionSource":"manual"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->alert_id, "ma638123456789012345_1");
  EXPECT_EQ(r->incident_id, "2972401");

  Result<CreatedAlert> numeric = ParseCreateAlertReply(R"({"id":"a","incidentId":2972401})");
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->incident_id, "2972401");

  Result<CreatedAlert> missing = ParseCreateAlertReply(R"({"id":"a"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "createAlert reply: field 'incidentId': missing");
  EXPECT_FALSE(ParseCreateAlertReply("{").ok());
}

}  // namespace
}  // namespace xdrsync::api
