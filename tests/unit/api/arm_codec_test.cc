#include "xdrsync/api/arm_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/api/wire_samples.h"

namespace xdrsync::api {
namespace {

using domain::SClassification;
using domain::SOwnerType;
using domain::SReason;
using domain::SSeverity;
using domain::SStatus;
using nlohmann::json;
using testing::kArmComment;
using testing::kArmIncident;
using testing::kRemove;
using testing::With;

TEST(SentinelIncidentTest, ParsesTheDocumentedShape) {
  Result<domain::SentinelIncident> r = ParseSentinelIncident(kArmIncident);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const domain::SentinelIncident& s = *r;
  EXPECT_EQ(s.name, "73e01a99-5cd7-4139-a149-9f2736ff2ab5");
  EXPECT_NE(s.arm_id.find("/providers/Microsoft.SecurityInsights/incidents/73e01a99"),
            std::string::npos);
  EXPECT_EQ(s.etag, "\"0300bf09-0000-0000-0000-5c37296e0000\"");
  EXPECT_EQ(s.last_modified_by, "9f1c9a0e-1111-2222-3333-444455556666");
  EXPECT_EQ(s.title, "Multi-stage incident on one endpoint");
  EXPECT_EQ(s.severity.value, SSeverity::kHigh);
  EXPECT_EQ(s.status.value, SStatus::kClosed);
  EXPECT_EQ(s.classification->value, SClassification::kFalsePositive);
  EXPECT_EQ(s.classification_reason->value, SReason::kIncorrectAlertLogic);
  EXPECT_EQ(s.classification_comment, "Not a malicious activity");
  ASSERT_TRUE(s.owner.has_value());
  EXPECT_EQ(s.owner->object_id, "2046feea-040d-4a46-9e2b-91c2941bfa70");
  EXPECT_EQ(s.owner->email, "john.doe@contoso.com");
  EXPECT_EQ(s.owner->assigned_to, "john doe");
  EXPECT_EQ(s.owner->user_principal_name, "john@contoso.com");
  EXPECT_EQ(s.owner->owner_type.value, SOwnerType::kUser);
  EXPECT_EQ(s.labels, (std::vector<domain::SentinelLabel>{{"Redirected", "User"},
                                                          {"ransomware", "AutoAssigned"}}));
  EXPECT_EQ(s.first_activity->ToString(), "2019-01-01T13:00:30.1234567Z");
  EXPECT_EQ(s.last_activity->ToString(), "2019-01-01T13:05:30.0000000Z");
  EXPECT_EQ(s.created.ToString(), "2019-01-01T13:15:30.0000001Z");
  EXPECT_EQ(s.last_modified.ToString(), "2019-01-01T13:15:30.8764433Z");
  EXPECT_EQ(s.incident_number, 3177);
  EXPECT_EQ(s.provider_name, "Microsoft XDR");
  EXPECT_EQ(s.provider_incident_id, "2972395");
  EXPECT_EQ(s.provider_incident_url,
            "https://security.microsoft.com/incidents/2972395?tid=12f988bf");
  EXPECT_EQ(s.alerts_count, 3);
  EXPECT_TRUE(s.unknown_values.empty());
}

TEST(SentinelIncidentTest, LenientValuesAndMissingOptionals) {
  json doc = json::parse(kArmIncident);
  doc["properties"]["severity"] = "HIGH";
  doc["properties"]["status"] = "active";
  doc["properties"]["classification"] = "benignpositive";
  doc["properties"]["classificationReason"] = "suspiciousbutexpected";
  doc["properties"]["owner"] = {{"objectId", nullptr},
                                {"email", nullptr},
                                {"assignedTo", nullptr},
                                {"userPrincipalName", nullptr},
                                {"ownerType", nullptr}};
  doc["properties"].erase("labels");
  doc["properties"].erase("firstActivityTimeUtc");
  doc["properties"].erase("additionalData");
  doc.erase("etag");
  doc.erase("systemData");
  Result<domain::SentinelIncident> r = ParseSentinelIncident(doc.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->severity.value, SSeverity::kHigh);
  EXPECT_EQ(r->status.value, SStatus::kActive);
  EXPECT_EQ(r->classification->value, SClassification::kBenignPositive);
  EXPECT_EQ(r->classification_reason->value, SReason::kSuspiciousButExpected);
  EXPECT_FALSE(r->owner.has_value()) << "an all-null owner is no owner";
  EXPECT_TRUE(r->labels.empty());
  EXPECT_FALSE(r->first_activity.has_value());
  EXPECT_EQ(r->alerts_count, 0);
  EXPECT_EQ(r->etag, "");

  Result<domain::SentinelIncident> minimal =
      ParseSentinelIncident(R"({"name":"n1","properties":{}})");
  ASSERT_TRUE(minimal.ok()) << minimal.status().ToString();
  EXPECT_FALSE(minimal->classification.has_value());
  EXPECT_EQ(minimal->status.raw, "");
}

TEST(SentinelIncidentTest, UnknownValuesAreKeptAndFlagged) {
  json doc = json::parse(kArmIncident);
  doc["properties"]["severity"] = "Critical";
  doc["properties"]["classificationReason"] = "DuplicateIncident";
  doc["properties"]["owner"]["ownerType"] = "ServicePrincipal";
  Result<domain::SentinelIncident> r = ParseSentinelIncident(doc.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->severity.raw, "Critical");
  EXPECT_FALSE(r->classification_reason->known());
  EXPECT_EQ(r->owner->owner_type.raw, "ServicePrincipal");
  EXPECT_EQ(r->unknown_values,
            (std::vector<std::string>{"properties.severity=Critical",
                                      "properties.classificationReason=DuplicateIncident",
                                      "properties.owner.ownerType=ServicePrincipal"}));
}

TEST(SentinelIncidentTest, WrongTypesNameTheIncidentAndTheField) {
  struct Case {
    const char* name;
    const char* pointer;
    json value;
    const char* message;
  };
  const std::string id = "incident 73e01a99-5cd7-4139-a149-9f2736ff2ab5: ";
  const std::vector<Case> cases = {
      {"labels object", "/properties/labels", json::object(),
       "field 'properties.labels': expected an array, got object"},
      {"label without name", "/properties/labels/0/labelName", kRemove,
       "field 'properties.labels[0].labelName': missing"},
      {"severity number", "/properties/severity", 3,
       "field 'properties.severity': expected a string, got number"},
      {"owner string", "/properties/owner", "john",
       "field 'properties.owner': expected an object, got string"},
      {"incidentNumber string", "/properties/incidentNumber", "3177",
       "field 'properties.incidentNumber': expected an integer, got string"},
      {"alertsCount float", "/properties/additionalData/alertsCount", 1.5,
       "field 'properties.additionalData.alertsCount': expected an integer, got number"},
      {"bad modified time", "/properties/lastModifiedTimeUtc", "01/01/2019 13:15",
       "field 'properties.lastModifiedTimeUtc': invalid timestamp '01/01/2019 13:15'"},
      {"etag number", "/etag", 5, "field 'etag': expected a string, got number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<domain::SentinelIncident> r =
        ParseSentinelIncident(With(kArmIncident, c.pointer, c.value));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kParseError);
    const std::string expected = id + c.message;
    EXPECT_EQ(r.status().message().substr(0, expected.size()), expected);
  }
  const std::vector<std::pair<const char*, std::string>> required = {
      {"no name", With(kArmIncident, "/name", kRemove)},
      {"no properties", With(kArmIncident, "/properties", kRemove)},
      {"null properties", With(kArmIncident, "/properties", nullptr)},
  };
  for (const auto& [name, body] : required) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(ParseSentinelIncident(body).ok());
  }
  EXPECT_EQ(ParseSentinelIncident(With(kArmIncident, "/name", kRemove)).status().message(),
            "incident: field 'name': missing");
}

TEST(SentinelIncidentPageTest, BadItemsBesideGoodOnesAndNextLink) {
  json good = json::parse(kArmIncident);
  json bad = good;
  bad["name"] = "b2";
  bad["properties"]["labels"] = json::object();
  const json page = {{"value", {good, bad, json{{"properties", json::object()}}}},
                     {"nextLink", "https://management.azure.com/...&$skipToken=abc"}};
  Result<Page<domain::SentinelIncident>> r = ParseSentinelIncidentPage(page.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->items.size(), 1u);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].id, "b2");
  EXPECT_EQ(r->errors[0].status.message(),
            "incident b2: field 'properties.labels': expected an array, got object");
  EXPECT_EQ(r->errors[1].index, 2u);
  EXPECT_EQ(r->errors[1].status.message(), "incident at index 2: field 'name': missing");
  EXPECT_EQ(r->next_link, "https://management.azure.com/...&$skipToken=abc");

  Result<Page<domain::SentinelIncident>> last =
      ParseSentinelIncidentPage(R"({"value":[],"nextLink":null})");
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->items.empty());
  EXPECT_EQ(last->next_link, "");
  EXPECT_FALSE(ParseSentinelIncidentPage(R"({"value":[)").ok());
}

TEST(SentinelIncidentPageTest, NamesThatAreNotPlainPathSegmentsAreItemErrors) {
  json good = json::parse(kArmIncident);
  json dots = good;
  dots["name"] = "..";
  json slash = good;
  slash["name"] = "x/../../workspaces/other";
  json page = {{"value", {good, dots, slash}}};
  Result<Page<domain::SentinelIncident>> r = ParseSentinelIncidentPage(page.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->errors.size(), 2u);
}

TEST(SentinelCommentTest, CommentAndCommentPage) {
  Result<domain::SentinelComment> one = ParseSentinelComment(kArmComment);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->id, "4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014");
  EXPECT_EQ(one->message, "Some message");
  EXPECT_EQ(one->author_name, "john doe");
  EXPECT_EQ(one->author_upn, "john@contoso.com");
  EXPECT_EQ(one->author_object_id, "2046feea-040d-4a46-9e2b-91c2941bfa70");
  EXPECT_EQ(one->created.ToString(), "2019-01-01T13:15:30.1234567Z");
  EXPECT_EQ(one->etag, "0300bf09-0000-0000-0000-5c37296e0000");

  json bad = json::parse(kArmComment);
  bad["name"] = "c2";
  bad["properties"]["author"]["email"] = 12;
  json automation = {{"name", "c3"},
                     {"properties", {{"message", "by a playbook"}, {"author", nullptr}}}};
  const json page = {{"value", {json::parse(kArmComment), bad, automation}}};
  Result<Page<domain::SentinelComment>> r = ParseSentinelCommentPage(page.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->items[1].author_name, "");
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].status.message(),
            "comment c2: field 'properties.author.email': expected a string, got number");
  EXPECT_EQ(r->next_link, "");
}

TEST(ArmErrorTest, CloudErrorShapes) {
  struct Case {
    const char* name;
    const char* body;
    ArmError expected;
  };
  const std::vector<Case> cases = {
      {"conflict",
       R"({"error":{"code":"Conflict","message":"Newer version of resource 'x' exists. Data was not saved"}})",
       {"Conflict", "Newer version of resource 'x' exists. Data was not saved", ""}},
      {"with target and innerError null",
       R"({"error":{"code":"BadRequest","message":"classification 'BenignPositive' must have classificationReason",
           "target":"properties.classificationReason","innerError":null}})",
       {"BadRequest", "classification 'BenignPositive' must have classificationReason",
        "properties.classificationReason"}},
      {"bare",
       R"({"code":"UnsupportedApiVersion","message":"The HTTP method 'PUT' is not supported"})",
       {"UnsupportedApiVersion", "The HTTP method 'PUT' is not supported", ""}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<ArmError> r = ParseArmError(c.body);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->code, c.expected.code);
    EXPECT_EQ(r->message, c.expected.message);
    EXPECT_EQ(r->target, c.expected.target);
  }
  EXPECT_FALSE(ParseArmError("Service Unavailable").ok());
  EXPECT_FALSE(ParseArmError(R"({"status":503})").ok());
}

}  // namespace
}  // namespace xdrsync::api
