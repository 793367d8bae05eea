// One case per row of the mapping tables of spec §4.
#include "xdrsync/domain/mapping.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xdrsync::domain {
namespace {

struct Row {
  std::string name;
  std::string from;
  std::string to;  // "<none>" = no translation
};

std::string ToS(Field f, const std::string& v, const MappingPolicy& p = {}) {
  auto m = MapToSentinel(f, v, p);
  return m ? m->value : "<none>";
}

std::string ToD(Field f, const std::string& v, const std::string& current = "", const MappingPolicy& p = {}) {
  auto m = MapToDefender(f, v, current, p);
  return m ? m->value : "<none>";
}

TEST(MappingTest, StatusDefenderToSentinel) {
  const std::vector<Row> rows = {
      {"active -> New", "active", "New"},
      {"inProgress -> Active", "inProgress", "Active"},
      {"awaitingAction -> Active", "awaitingAction", "Active"},
      {"unknownFutureValue -> Active", "unknownFutureValue", "Active"},
      {"resolved -> Closed", "resolved", "Closed"},
      {"redirected -> Closed", "redirected", "Closed"},
      {"unrecognised -> nothing", "pendingReview", "<none>"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(ToS(Field::kStatus, r.from), r.to);
  }
}

TEST(MappingTest, StatusSentinelToDefender) {
  const std::vector<Row> rows = {
      {"New -> active", "New", "active"},
      {"Active -> inProgress", "Active", "inProgress"},
      {"Closed -> resolved", "Closed", "resolved"},
      {"unrecognised -> nothing", "Snoozed", "<none>"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(ToD(Field::kStatus, r.from), r.to);
  }
}

TEST(MappingTest, ClassificationDefenderToSentinel) {
  const std::vector<Row> rows = {
      {"truePositive/any", "truePositive/malware", "TruePositive/SuspiciousActivity"},
      {"truePositive without determination", "truePositive", "TruePositive/SuspiciousActivity"},
      {"informationalExpectedActivity/any", "informationalExpectedActivity/securityTesting",
       "BenignPositive/SuspiciousButExpected"},
      {"falsePositive/any", "falsePositive/notMalicious", "FalsePositive/InaccurateData"},
      {"unknown or null", "", ""},
      {"unknown with a determination", "unknown/other", ""},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(ToS(Field::kClassification, r.from), r.to);
  }
}

TEST(MappingTest, ClassificationSentinelToDefenderKeepsFittingDeterminations) {
  struct Case {
    std::string name, sentinel, defender_now, want;
  };
  const std::vector<Case> cases = {
      {"TP keeps a TP determination", "TruePositive/SuspiciousActivity", "truePositive/phishing",
       "truePositive/phishing"},
      {"TP from FP determination becomes other", "TruePositive/SuspiciousActivity", "falsePositive/notMalicious",
       "truePositive/other"},
      {"TP with unset determination stays unset", "TruePositive/SuspiciousActivity", "", "truePositive"},
      {"TP keeps unknown determination unset", "TruePositive/SuspiciousActivity", "truePositive", "truePositive"},
      {"BP keeps a compatible determination", "BenignPositive/SuspiciousButExpected",
       "informationalExpectedActivity/lineOfBusinessApplication",
       "informationalExpectedActivity/lineOfBusinessApplication"},
      {"BP from TP determination becomes other", "BenignPositive/SuspiciousButExpected", "truePositive/malware",
       "informationalExpectedActivity/other"},
      {"FP/InaccurateData keeps compatible", "FalsePositive/InaccurateData",
       "falsePositive/notEnoughDataToValidate", "falsePositive/notEnoughDataToValidate"},
      {"FP/IncorrectAlertLogic", "FalsePositive/IncorrectAlertLogic", "truePositive/malware", "falsePositive/other"},
      {"Undetermined -> unknown", "", "truePositive/malware", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ToD(Field::kClassification, c.sentinel, c.defender_now), c.want);
  }
}

TEST(MappingTest, LossyClassificationAgreesInsteadOfFlapping) {
  const MappingPolicy p;
  EXPECT_TRUE(Agree(Field::kClassification, "truePositive/malware", "TruePositive/SuspiciousActivity", p));
  EXPECT_TRUE(Agree(Field::kClassification, "truePositive/phishing", "TruePositive/SuspiciousActivity", p));
  EXPECT_TRUE(Agree(Field::kClassification, "falsePositive/notMalicious", "FalsePositive/IncorrectAlertLogic", p));
  EXPECT_TRUE(Agree(Field::kClassification, "", "", p));
  EXPECT_FALSE(Agree(Field::kClassification, "truePositive/malware", "FalsePositive/InaccurateData", p));
  EXPECT_FALSE(Agree(Field::kClassification, "", "TruePositive/SuspiciousActivity", p));
}

TEST(MappingTest, Severity) {
  const std::vector<Row> to_s = {
      {"informational", "informational", "Informational"},
      {"low", "low", "Low"},
      {"medium", "medium", "Medium"},
      {"high", "high", "High"},
      {"unknown -> link default Medium", "unknown", "Medium"},
      {"unknownFutureValue -> link default", "unknownFutureValue", "Medium"},
  };
  for (const auto& r : to_s) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(ToS(Field::kSeverity, r.from), r.to);
  }
  MappingPolicy p;
  p.unknown_severity = "High";
  EXPECT_EQ(ToS(Field::kSeverity, "unknown", p), "High");
  EXPECT_EQ(ToD(Field::kSeverity, "Informational"), "informational");
  EXPECT_EQ(ToD(Field::kSeverity, "High"), "high");
  EXPECT_EQ(ToD(Field::kSeverity, "Critical"), "<none>");
  EXPECT_TRUE(Agree(Field::kSeverity, "unknown", "Medium", MappingPolicy{}));
}

TEST(MappingTest, TitleDescriptionClosingCommentTags) {
  MappingPolicy p;
  p.title_prefix = "[contoso] ";
  EXPECT_EQ(ToS(Field::kTitle, "Ransomware", p), "[contoso] Ransomware");
  EXPECT_EQ(ToD(Field::kTitle, "[contoso] Ransomware", "", p), "Ransomware");
  EXPECT_EQ(ToD(Field::kTitle, "Renamed", "", p), "Renamed");
  EXPECT_EQ(ToS(Field::kDescription, "text"), "text");
  EXPECT_EQ(ToD(Field::kDescription, "text"), "<none>");  // the twin description never travels back
  EXPECT_EQ(ToS(Field::kClosingComment, "fixed"), "fixed");
  EXPECT_EQ(ToD(Field::kClosingComment, "fixed"), "fixed");
  EXPECT_EQ(ToS(Field::kTags, "a\nxdrsync:ignore\nRedirected"), "a");
  EXPECT_EQ(ToD(Field::kTags, "a\n150+ alerts"), "a");
}

}  // namespace
}  // namespace xdrsync::domain
