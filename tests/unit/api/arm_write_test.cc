// Sentinel PUT and comment bodies, and parse → serialize → parse round trips on both sides.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/api/wire_samples.h"
#include "xdrsync/api/arm_codec.h"
#include "xdrsync/api/graph_codec.h"

namespace xdrsync::api {
namespace {

using domain::Lenient;
using domain::SClassification;
using domain::SentinelIncident;
using domain::SReason;
using domain::SStatus;
using nlohmann::json;
using testing::kArmIncident;

SentinelIncident Sample() { return *ParseSentinelIncident(kArmIncident); }

TEST(SentinelPutTest, CarriesEveryWritableFieldAndNoReadOnlyOne) {
  Result<std::string> body = SerializeSentinelPut(Sample());
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  const json expected = {{"etag", "\"0300bf09-0000-0000-0000-5c37296e0000\""},
                         {"properties",
                          {{"title", "Multi-stage incident on one endpoint"},
                           {"description", "This is a demo incident"},
                           {"severity", "High"},
                           {"status", "Closed"},
                           {"classification", "FalsePositive"},
                           {"classificationReason", "IncorrectAlertLogic"},
                           {"classificationComment", "Not a malicious activity"},
                           {"owner",
                            {{"objectId", "2046feea-040d-4a46-9e2b-91c2941bfa70"},
                             {"email", "john.doe@contoso.com"},
                             {"assignedTo", "john doe"},
                             {"userPrincipalName", "john@contoso.com"},
                             {"ownerType", "User"}}},
                           {"labels",
                            {{{"labelName", "Redirected"}, {"labelType", "User"}},
                             {{"labelName", "ransomware"}, {"labelType", "AutoAssigned"}}}},
                           {"firstActivityTimeUtc", "2019-01-01T13:00:30.1234567Z"},
                           {"lastActivityTimeUtc", "2019-01-01T13:05:30.0000000Z"}}}};
  EXPECT_EQ(json::parse(*body), expected);
}

TEST(SentinelPutTest, CreateOwnerAndOptionalMembers) {
  SentinelIncident s = Sample();
  s.etag.clear();
  s.status = {SStatus::kNew, "New"};
  s.classification.reset();
  s.classification_reason.reset();
  s.classification_comment.clear();
  s.owner = domain::SentinelOwner{};
  s.owner->object_id = "2046feea-040d-4a46-9e2b-91c2941bfa70";
  s.labels.clear();
  s.first_activity.reset();
  s.last_activity.reset();
  const json body = json::parse(*SerializeSentinelPut(s));
  EXPECT_FALSE(body.contains("etag")) << "a create carries no etag";
  const json& p = body["properties"];
  EXPECT_FALSE(p.contains("classification"));
  EXPECT_FALSE(p.contains("classificationReason"));
  EXPECT_EQ(p["classificationComment"], "");
  EXPECT_EQ(p["owner"],
            (json{{"objectId", "2046feea-040d-4a46-9e2b-91c2941bfa70"}, {"ownerType", "Unknown"}}));
  EXPECT_EQ(p["labels"], json::array());
  EXPECT_FALSE(p.contains("firstActivityTimeUtc"));

  s.owner.reset();
  EXPECT_FALSE(json::parse(*SerializeSentinelPut(s))["properties"].contains("owner"));
}

TEST(SentinelPutTest, RefusesBodiesSentinelMustReject) {
  struct Case {
    const char* name;
    std::optional<Lenient<SClassification>> classification;
    std::optional<Lenient<SReason>> reason;
    SStatus status;
    bool ok;
  };
  const Lenient<SClassification> tp{SClassification::kTruePositive, "TruePositive"};
  const Lenient<SClassification> bp{SClassification::kBenignPositive, "BenignPositive"};
  const Lenient<SClassification> fp{SClassification::kFalsePositive, "FalsePositive"};
  const Lenient<SClassification> und{SClassification::kUndetermined, "Undetermined"};
  const Lenient<SClassification> odd{SClassification::kUnrecognized, "Duplicate"};
  const Lenient<SReason> act{SReason::kSuspiciousActivity, "SuspiciousActivity"};
  const Lenient<SReason> exp{SReason::kSuspiciousButExpected, "SuspiciousButExpected"};
  const Lenient<SReason> logic{SReason::kIncorrectAlertLogic, "IncorrectAlertLogic"};
  const Lenient<SReason> data{SReason::kInaccurateData, "InaccurateData"};
  const std::vector<Case> cases = {
      {"closed tp/activity", tp, act, SStatus::kClosed, true},
      {"closed bp/expected", bp, exp, SStatus::kClosed, true},
      {"closed fp/logic", fp, logic, SStatus::kClosed, true},
      {"closed fp/data", fp, data, SStatus::kClosed, true},
      {"closed undetermined", und, std::nullopt, SStatus::kClosed, true},
      {"closed without classification", std::nullopt, std::nullopt, SStatus::kClosed, false},
      {"closed tp without reason", tp, std::nullopt, SStatus::kClosed, false},
      {"closed bp without reason", bp, std::nullopt, SStatus::kClosed, false},
      {"closed tp/data mismatch", tp, data, SStatus::kClosed, false},
      {"closed undetermined with reason", und, act, SStatus::kClosed, false},
      {"closed unrecognised", odd, act, SStatus::kClosed, false},
      {"active without classification", std::nullopt, std::nullopt, SStatus::kActive, true},
      {"active tp/activity", tp, act, SStatus::kActive, true},
      {"active tp without reason", tp, std::nullopt, SStatus::kActive, false},
      {"active reason alone", std::nullopt, act, SStatus::kActive, false},
      {"new unrecognised kept", odd, std::nullopt, SStatus::kNew, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    SentinelIncident s = Sample();
    s.status = {c.status, std::string(domain::ToWire(c.status))};
    s.classification = c.classification;
    s.classification_reason = c.reason;
    Result<std::string> body = SerializeSentinelPut(s);
    EXPECT_EQ(body.ok(), c.ok) << (body.ok() ? *body : body.status().ToString());
    if (!body.ok()) {
      EXPECT_EQ(body.status().code(), Code::kInvalidArgument);
      EXPECT_EQ(body.status().message().rfind(
                    "PUT of incident '73e01a99-5cd7-4139-a149-9f2736ff2ab5': ", 0),
                0u);
    }
  }
  SentinelIncident untitled = Sample();
  untitled.title.clear();
  EXPECT_FALSE(SerializeSentinelPut(untitled).ok());
  SentinelIncident no_severity = Sample();
  no_severity.severity = {};
  EXPECT_FALSE(SerializeSentinelPut(no_severity).ok());
}

TEST(SentinelPutTest, UnknownValuesAreWrittenBackAndBadUtf8IsReplaced) {
  SentinelIncident s = Sample();
  s.status = {SStatus::kActive, "Active"};
  s.severity = {domain::SSeverity::kUnrecognized, "Critical"};
  s.title = std::string("t\xE2\x82");
  const json p = json::parse(*SerializeSentinelPut(s))["properties"];
  EXPECT_EQ(p["severity"], "Critical");
  EXPECT_EQ(p["title"], "t\xEF\xBF\xBD");
}

TEST(SentinelCommentBodyTest, WrapsTheMessage) {
  EXPECT_EQ(json::parse(SerializeSentinelComment("<b>hi</b> \"there\"")),
            (json{{"properties", {{"message", "<b>hi</b> \"there\""}}}}));
}

TEST(RoundTripTest, SentinelParseSerializeParseKeepsWritableValues) {
  const SentinelIncident first = Sample();
  json body = json::parse(*SerializeSentinelPut(first));
  body["name"] = first.name;  // the resource name travels in the URL, not the PUT body
  Result<SentinelIncident> again = ParseSentinelIncident(body.dump());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->etag, first.etag);
  EXPECT_EQ(again->title, first.title);
  EXPECT_EQ(again->description, first.description);
  EXPECT_EQ(again->severity, first.severity);
  EXPECT_EQ(again->status, first.status);
  EXPECT_EQ(again->classification, first.classification);
  EXPECT_EQ(again->classification_reason, first.classification_reason);
  EXPECT_EQ(again->classification_comment, first.classification_comment);
  EXPECT_EQ(again->owner->object_id, first.owner->object_id);
  EXPECT_EQ(again->owner->user_principal_name, first.owner->user_principal_name);
  EXPECT_EQ(again->owner->owner_type, first.owner->owner_type);
  EXPECT_EQ(again->labels, first.labels);
  EXPECT_EQ(again->first_activity, first.first_activity);
  EXPECT_EQ(again->last_activity, first.last_activity);
}

TEST(RoundTripTest, DefenderParsePatchParseKeepsWritableValues) {
  Result<domain::DefenderIncident> first = ParseDefenderIncident(testing::kGraphIncident);
  ASSERT_TRUE(first.ok());
  domain::DefenderPatch patch;
  patch.status = first->status.value;
  patch.assigned_to = first->assigned_to;
  patch.classification = first->classification->value;
  patch.determination = first->determination->value;
  patch.custom_tags = first->custom_tags;
  patch.display_name = first->display_name;
  patch.description = first->description;
  patch.severity = first->severity.value;
  json body = json::parse(SerializeDefenderPatch(patch));
  body["id"] = first->id;
  Result<domain::DefenderIncident> again = ParseDefenderIncident(body.dump());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->status, first->status);
  EXPECT_EQ(again->assigned_to, first->assigned_to);
  EXPECT_EQ(again->classification, first->classification);
  EXPECT_EQ(again->determination, first->determination);
  EXPECT_EQ(again->custom_tags, first->custom_tags);
  EXPECT_EQ(again->display_name, first->display_name);
  EXPECT_EQ(again->description, first->description);
  EXPECT_EQ(again->severity, first->severity);
}

}  // namespace
}  // namespace xdrsync::api
