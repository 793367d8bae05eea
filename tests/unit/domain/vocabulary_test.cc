#include "xdrsync/domain/vocabulary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xdrsync::domain {
namespace {

TEST(VocabularyTest, DeterminationAliasesFoldToTheMetadataSpelling) {
  struct Case {
    std::string wire;
    DDetermination want;
  };
  const std::vector<Case> cases = {
      {"multiStagedAttack", DDetermination::kMultiStagedAttack},
      {"MultiStagedAttack", DDetermination::kMultiStagedAttack},
      {"compromisedAccount", DDetermination::kCompromisedAccount},
      {"compromisedUser", DDetermination::kCompromisedAccount},
      {"CompromisedUser", DDetermination::kCompromisedAccount},
      {"notMalicious", DDetermination::kNotMalicious},
      {"clean", DDetermination::kNotMalicious},
      {"Clean", DDetermination::kNotMalicious},
      {"notEnoughDataToValidate", DDetermination::kNotEnoughDataToValidate},
      {"insufficientData", DDetermination::kNotEnoughDataToValidate},
      {"NoEnoughDataToValidate", DDetermination::kNotEnoughDataToValidate},
      {"confirmedActivity", DDetermination::kConfirmedActivity},
      {"confirmedUserActivity", DDetermination::kConfirmedActivity},
      {"NotAvailable", DDetermination::kUnknown},
      {"apt", DDetermination::kApt},
      {"securityPersonnel", DDetermination::kSecurityPersonnel},
      {"lineOfBusinessApplication", DDetermination::kLineOfBusinessApplication},
      {"unknownFutureValue", DDetermination::kUnknownFutureValue},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.wire);
    const auto v = ParseDDetermination(c.wire);
    EXPECT_TRUE(v.known());
    EXPECT_EQ(v.value, c.want);
  }
  EXPECT_EQ(ToWire(DDetermination::kCompromisedAccount), "compromisedAccount");
  EXPECT_EQ(ToWire(DDetermination::kNotMalicious), "notMalicious");
  EXPECT_EQ(ToWire(DDetermination::kConfirmedActivity), "confirmedActivity");
}

TEST(VocabularyTest, EnumsAreCaseInsensitiveBothWays) {
  EXPECT_EQ(ParseDStatus("Active").value, DStatus::kActive);
  EXPECT_EQ(ParseDStatus("INPROGRESS").value, DStatus::kInProgress);
  EXPECT_EQ(ParseDStatus("awaitingAction").value, DStatus::kAwaitingAction);
  EXPECT_EQ(ParseDClassification("TruePositive").value, DClassification::kTruePositive);
  EXPECT_EQ(ParseDSeverity("Medium").value, DSeverity::kMedium);
  EXPECT_EQ(ParseDSeverity("UnSpecified").value, DSeverity::kUnknown);
  EXPECT_EQ(ParseSStatus("closed").value, SStatus::kClosed);
  EXPECT_EQ(ParseSClassification("benignpositive").value, SClassification::kBenignPositive);
  EXPECT_EQ(ParseSReason("INACCURATEDATA").value, SReason::kInaccurateData);
  EXPECT_EQ(ParseSOwnerType("group").value, SOwnerType::kGroup);
  EXPECT_EQ(ParseSSeverity(" High ").value, SSeverity::kHigh);
}

TEST(VocabularyTest, UnknownValuesAreKeptVerbatimAndFlagged) {
  const auto v = ParseDStatus("pendingReview");
  EXPECT_FALSE(v.known());
  EXPECT_EQ(v.raw, "pendingReview");
  EXPECT_EQ(WireText(v), "pendingReview");
  const auto s = ParseSSeverity("Critical");
  EXPECT_FALSE(s.known());
  EXPECT_EQ(WireText(s), "Critical");
  EXPECT_EQ(ToWire(SSeverity::kUnrecognized), "");
}

TEST(VocabularyTest, DeterminationFitsItsClassification) {
  EXPECT_TRUE(DeterminationFits(DClassification::kTruePositive, DDetermination::kMalware));
  EXPECT_TRUE(DeterminationFits(DClassification::kTruePositive, DDetermination::kPhishing));
  EXPECT_FALSE(DeterminationFits(DClassification::kTruePositive, DDetermination::kNotMalicious));
  EXPECT_TRUE(DeterminationFits(DClassification::kFalsePositive, DDetermination::kNotEnoughDataToValidate));
  EXPECT_FALSE(DeterminationFits(DClassification::kFalsePositive, DDetermination::kSecurityTesting));
  EXPECT_TRUE(DeterminationFits(DClassification::kInformationalExpectedActivity, DDetermination::kSecurityTesting));
  EXPECT_TRUE(DeterminationFits(DClassification::kInformationalExpectedActivity, DDetermination::kOther));
  EXPECT_TRUE(DeterminationFits(DClassification::kFalsePositive, DDetermination::kUnknown));
}

}  // namespace
}  // namespace xdrsync::domain
