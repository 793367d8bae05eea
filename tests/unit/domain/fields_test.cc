#include "xdrsync/domain/fields.h"

#include <gtest/gtest.h>
#include "xdrsync/domain/comments.h"

namespace xdrsync::domain {
namespace {

DefenderIncident SampleDefender() {
  DefenderIncident d;
  d.id = "42";
  d.display_name = "Multi-stage incident";
  d.status = ParseDStatus("Active");
  d.severity = ParseDSeverity("High");
  d.assigned_to = "Alice@Contoso.com";
  d.classification = ParseDClassification("truePositive");
  d.determination = ParseDDetermination("compromisedUser");
  d.resolving_comment = "done";
  d.custom_tags = {"b", "a", "b"};
  return d;
}

TEST(FieldsTest, CanonicalDefenderValues) {
  const FieldValues v = CanonicalDefender(SampleDefender(), "rendered");
  EXPECT_EQ(v[Field::kStatus], "active");
  EXPECT_EQ(v[Field::kOwner], "alice@contoso.com");
  EXPECT_EQ(v[Field::kClassification], "truePositive/compromisedAccount");
  EXPECT_EQ(v[Field::kClosingComment], "done");
  EXPECT_EQ(v[Field::kSeverity], "high");
  EXPECT_EQ(v[Field::kDescription], "rendered");
  EXPECT_EQ(v[Field::kTags], "a\nb");
}

TEST(FieldsTest, UnknownAndNullClassificationAreTheSame) {
  DefenderIncident d = SampleDefender();
  d.classification.reset();
  d.determination.reset();
  EXPECT_EQ(CanonicalDefender(d, "")[Field::kClassification], "");
  d.classification = ParseDClassification("unknown");
  d.determination = ParseDDetermination("notAvailable");
  EXPECT_EQ(CanonicalDefender(d, "")[Field::kClassification], "");
  d.determination = ParseDDetermination("other");
  EXPECT_EQ(CanonicalDefender(d, "")[Field::kClassification], "unknown/other");
}

TEST(FieldsTest, CanonicalSentinelSkipsOwnedAndAutoLabels) {
  SentinelIncident s;
  s.status = ParseSStatus("Closed");
  s.classification = ParseSClassification("Undetermined");
  s.labels = {{"phish", "User"}, {"Redirected", "User"}, {"xdrsync:conflict", "User"}, {"auto", "AutoAssigned"}};
  s.owner = SentinelOwner{"0b5e", "Bob@Fabrikam.com", "Bob", "Bob@Fabrikam.com", ParseSOwnerType("User")};
  const FieldValues v = CanonicalSentinel(s);
  EXPECT_EQ(v[Field::kTags], "phish");
  EXPECT_EQ(v[Field::kClassification], "");
  EXPECT_EQ(v[Field::kOwner], "upn:bob@fabrikam.com|oid:0b5e|email:bob@fabrikam.com");
}

TEST(FieldsTest, SentinelOwnersCompareByObjectIdThenUpn) {
  EXPECT_TRUE(SameValue(Side::kSentinel, Field::kOwner, "upn:a@x|oid:1", "upn:other@x|oid:1"));
  EXPECT_FALSE(SameValue(Side::kSentinel, Field::kOwner, "upn:a@x|oid:1", "upn:a@x|oid:2"));
  EXPECT_TRUE(SameValue(Side::kSentinel, Field::kOwner, "upn:a@x", "upn:a@x|oid:2"));
  EXPECT_FALSE(SameValue(Side::kSentinel, Field::kOwner, "", "upn:a@x"));
  EXPECT_TRUE(SameValue(Side::kSentinel, Field::kOwner, "name:SOC Tier 1", "name:soc tier 1"));
  EXPECT_TRUE(SameValue(Side::kDefender, Field::kTags, "a\nb", "a\nb"));
}

TEST(FieldsTest, VersionStampOrder) {
  const Timestamp t = Timestamp::FromUnixSeconds(100);
  EXPECT_TRUE(IsNewer({t + 1, ""}, {t, ""}));
  EXPECT_FALSE(IsNewer({t, ""}, {t, ""}));
  EXPECT_FALSE(IsNewer({t - 1, "x"}, {t, "y"}));
  EXPECT_TRUE(IsNewer({t, "\"2\""}, {t, "\"1\""}));
}

TEST(FieldsTest, DefenderPatchCarriesOnlyTheGivenFields) {
  FieldValues v;
  v[Field::kStatus] = "resolved";
  v[Field::kClassification] = "falsePositive/notMalicious";
  v[Field::kOwner] = "";
  v[Field::kTags] = "x\ny";
  const DefenderPatch p = DefenderPatchFor(v, {Field::kStatus, Field::kClassification, Field::kOwner, Field::kTags});
  ASSERT_TRUE(p.status);
  EXPECT_EQ(*p.status, DStatus::kResolved);
  EXPECT_EQ(*p.classification, DClassification::kFalsePositive);
  EXPECT_EQ(*p.determination, DDetermination::kNotMalicious);
  ASSERT_TRUE(p.assigned_to);
  EXPECT_FALSE(p.assigned_to->has_value());  // clear
  EXPECT_EQ(*p.custom_tags, (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(p.severity);
  EXPECT_FALSE(p.display_name);
  EXPECT_TRUE(DefenderPatchFor(v, {}).empty());
}

TEST(FieldsTest, SentinelWriteIsAlwaysValidWhenClosed) {
  SentinelIncident cur;
  cur.status = ParseSStatus("Active");
  cur.labels = {{"Redirected", "User"}, {"old", "User"}, {"auto", "AutoAssigned"}};
  FieldValues v = CanonicalSentinel(cur);
  v[Field::kStatus] = "Closed";
  SentinelIncident s = SentinelWithFields(cur, v, {Field::kStatus});
  ASSERT_TRUE(s.classification);
  EXPECT_EQ(s.classification->value, SClassification::kUndetermined);
  EXPECT_FALSE(s.classification_reason);
  v[Field::kClassification] = "TruePositive";
  s = SentinelWithFields(cur, v, {Field::kStatus, Field::kClassification});
  EXPECT_EQ(s.classification->value, SClassification::kTruePositive);
  ASSERT_TRUE(s.classification_reason);
  EXPECT_EQ(s.classification_reason->value, SReason::kSuspiciousActivity);
  // A known but mismatched pair is repaired rather than sent to be refused.
  v[Field::kClassification] = "TruePositive/InaccurateData";
  s = SentinelWithFields(cur, v, {Field::kStatus, Field::kClassification});
  EXPECT_EQ(s.classification_reason->value, SReason::kSuspiciousActivity);
  v[Field::kClassification] = "FalsePositive/IncorrectAlertLogic";
  s = SentinelWithFields(cur, v, {Field::kStatus, Field::kClassification});
  EXPECT_EQ(s.classification_reason->value, SReason::kIncorrectAlertLogic);
  v[Field::kTags] = "new";
  s = SentinelWithFields(cur, v, {Field::kTags});
  EXPECT_TRUE(HasLabel(s, "Redirected"));
  EXPECT_TRUE(HasLabel(s, "auto"));
  EXPECT_TRUE(HasLabel(s, "new"));
  EXPECT_FALSE(HasLabel(s, "old"));
}

TEST(FieldsTest, ReservedLabels) {
  EXPECT_TRUE(IsReservedLabel("Redirected"));
  EXPECT_TRUE(IsReservedLabel("150+ alerts"));
  EXPECT_TRUE(IsReservedLabel("xdrsync:anything"));
  EXPECT_FALSE(IsReservedLabel("phishing"));
  SentinelIncident s;
  SetReservedLabel(s, kLabelOverflow, true);
  SetReservedLabel(s, kLabelOverflow, true);
  EXPECT_EQ(s.labels.size(), 1u);
  SetReservedLabel(s, kLabelOverflow, false);
  EXPECT_TRUE(s.labels.empty());
}

}  // namespace
}  // namespace xdrsync::domain

namespace xdrsync::domain {
namespace {

TEST(FieldsTest, ADefenderAlertTwinsTitleMarkerIsNotContentAndStaysOnATitleWrite) {
  SentinelIncident s;
  const std::string marker = Marker("28970c5a-e275-5b3b-9eb0-44f657d45885");
  s.title = "Chaos incident 3/4 " + marker;
  EXPECT_EQ(CanonicalSentinel(s)[Field::kTitle], "Chaos incident 3/4");
  FieldValues v;
  v[Field::kTitle] = "Renamed in Defender";
  EXPECT_EQ(SentinelWithFields(s, v, {Field::kTitle}).title, "Renamed in Defender " + marker);
  // Only a trailing twin marker counts; anything else in a title is content.
  for (const std::string& title : std::vector<std::string>{"Plain", marker + " at the start", "Ends in [xdrsync:not-a-uuid]",
                                  "No space before" + marker}) {
    SentinelIncident other;
    other.title = title;
    EXPECT_EQ(CanonicalSentinel(other)[Field::kTitle], title);
    EXPECT_EQ(SentinelWithFields(other, v, {Field::kTitle}).title, "Renamed in Defender");
  }
}

}  // namespace
}  // namespace xdrsync::domain
