#include "xdrsync/domain/digest.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace xdrsync::domain {
namespace {

std::vector<DefenderAlert> Alerts(size_t n) {
  std::vector<DefenderAlert> out;
  for (size_t i = 0; i < n; ++i) {
    DefenderAlert a;
    a.id = "da" + std::to_string(1000 + i);
    a.title = "Suspicious process " + std::to_string(i);
    a.severity = ParseDSeverity("high");
    a.service_source = "microsoftDefenderForEndpoint";
    a.created = Timestamp::FromUnixSeconds(1'700'000'000 + static_cast<int64_t>(i));
    out.push_back(a);
  }
  return out;
}

DefenderIncident Incident() {
  DefenderIncident d;
  d.id = "42";
  d.web_url = "https://security.microsoft.com/incidents/42?tid=t";
  d.description = "Attack overview";
  return d;
}

TEST(DigestTest, DescriptionStartsWithDeepLinkAndCountAndStaysWithinLimit) {
  const std::string s = RenderTwinDescription(Incident(), Alerts(200));
  EXPECT_EQ(s.rfind("Defender incident 42: https://security.microsoft.com/incidents/42?tid=t", 0), 0u);
  EXPECT_NE(s.find("Alerts: 200"), std::string::npos);
  EXPECT_NE(s.find("Attack overview"), std::string::npos);
  EXPECT_LE(s.size(), kTwinDescriptionMaxChars);
  EXPECT_NE(s.find("da1199"), std::string::npos);  // the newest alert first
  DefenderIncident big = Incident();
  big.description = std::string(20'000, 'd');
  const std::string t = RenderTwinDescription(big, Alerts(3));
  EXPECT_LE(t.size(), kTwinDescriptionMaxChars);
  EXPECT_NE(t.find("truncated"), std::string::npos);
}

TEST(DigestTest, RenderingIsDeterministicAndOrderIndependent) {
  auto a = Alerts(20);
  auto b = a;
  std::reverse(b.begin(), b.end());
  EXPECT_EQ(RenderTwinDescription(Incident(), a), RenderTwinDescription(Incident(), b));
  EXPECT_EQ(RenderAlertTable(Incident(), a), RenderAlertTable(Incident(), b));
  // Alert status changes do not churn the digest.
  b[3].status = "resolved";
  EXPECT_EQ(RenderAlertTable(Incident(), a), RenderAlertTable(Incident(), b));
}

TEST(DigestTest, AlertTableShowsAtMost150RowsAndSaysSo) {
  const std::string t = RenderAlertTable(Incident(), Alerts(200));
  EXPECT_NE(t.find("showing 150 of 200"), std::string::npos);
  EXPECT_NE(t.find("da1149"), std::string::npos);
  EXPECT_EQ(t.find("da1150"), std::string::npos);
  EXPECT_EQ(RenderAlertTable(Incident(), Alerts(10)).find("showing"), std::string::npos);
}

TEST(DigestTest, OverflowLabelHasHysteresis) {
  EXPECT_FALSE(WantsOverflowLabel(150, false));
  EXPECT_TRUE(WantsOverflowLabel(151, false));
  EXPECT_TRUE(WantsOverflowLabel(145, true));
  EXPECT_FALSE(WantsOverflowLabel(145, false));
  EXPECT_FALSE(WantsOverflowLabel(140, true));
}

}  // namespace
}  // namespace xdrsync::domain
