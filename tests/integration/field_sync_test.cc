// Spec §4 field rows travelling both ways through the real binaries: status, classification,
// closing comment, owner (with the owner map's domain rewrite), tags, severity, reopen.
#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class FieldSyncTest : public SyncTest {
 protected:
  // One incident with its twin in place.
  std::string Paired(const json& spec) {
    const std::string id = emu_->CreateIncident(kContoso, spec);
    Once();
    EXPECT_TRUE(Twin(id).is_object()) << "no twin for " << id;
    return id;
  }
  std::string TwinName(const std::string& id) const { return Twin(id).value("name", ""); }
  void ExpectIdle() {
    emu_->ClearRequests();
    Once();
    EXPECT_TRUE(WritesSinceClear().empty()) << "no analyst change, yet it wrote:\n" << Describe(WritesSinceClear());
  }
};

TEST_F(FieldSyncTest, SentinelCloseAsFalsePositiveResolvesDefenderThenReopens) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = Paired({{"displayName", "VPN anomaly"}, {"severity", "medium"}});
  emu_->UpdateArm(kWorkspace, TwinName(id),
                  {{"status", "Closed"},
                   {"classification", "FalsePositive"},
                   {"classificationReason", "IncorrectAlertLogic"},
                   {"classificationComment", "Known VPN egress; allow-listed."},
                   {"author", "sam@soc.example"}});
  Once();
  json d = emu_->Incident(kContoso, id);
  EXPECT_EQ(d.value("status", ""), "resolved");
  EXPECT_EQ(d.value("classification", ""), "falsePositive");
  const bool comment_carried =
      d.value("resolvingComment", json("")).dump().find("Known VPN egress") != std::string::npos ||
      CountContaining(CommentTexts(d), "Known VPN egress") == 1;
  EXPECT_TRUE(comment_carried) << d.dump(1);
  // The twin keeps the analyst's finer reason: Defender's falsePositive maps to it already.
  EXPECT_EQ(Twin(id)["properties"].value("classificationReason", ""), "IncorrectAlertLogic");
  ExpectIdle();

  emu_->UpdateArm(kWorkspace, TwinName(id), {{"status", "Active"}, {"author", "sam@soc.example"}});
  Once();
  d = emu_->Incident(kContoso, id);
  EXPECT_EQ(d.value("status", ""), "inProgress") << "Sentinel Active reopens Defender as inProgress";
  ExpectIdle();
}

TEST_F(FieldSyncTest, DefenderResolveClosesTwinAndDefenderReopenReopensIt) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = Paired({{"displayName", "Ransomware precursor"}, {"severity", "high"}});
  emu_->UpdateIncident(kContoso, id,
                       {{"status", "resolved"},
                        {"classification", "truePositive"},
                        {"determination", "malware"},
                        {"resolvingComment", "Contained and reimaged."},
                        {"author", "dan@contoso.com"}});
  Once();
  json p = Twin(id)["properties"];
  EXPECT_EQ(p.value("status", ""), "Closed");
  EXPECT_EQ(p.value("classification", ""), "TruePositive");
  EXPECT_EQ(p.value("classificationReason", ""), "SuspiciousActivity");
  EXPECT_EQ(p.value("classificationComment", ""), "Contained and reimaged.");
  ExpectIdle();

  emu_->UpdateIncident(kContoso, id, {{"status", "active"}, {"author", "dan@contoso.com"}});
  Once();
  p = Twin(id)["properties"];
  EXPECT_EQ(p.value("status", ""), "New");
  ExpectIdle();
}

TEST_F(FieldSyncTest, OwnerTravelsBothWaysThroughTheDomainRewrite) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  config_["links"][0]["owners"] = {{"domains", {{"contoso.com", "soc.example"}}}, {"unmapped", "copy-as-is"}};
  const std::string id = Paired({{"displayName", "Phishing wave"}, {"assignedTo", "alice@contoso.com"}});
  EXPECT_EQ(Str(Twin(id), "/properties/owner/userPrincipalName"), "alice@soc.example");

  emu_->UpdateIncident(kContoso, id, {{"assignedTo", "bob@contoso.com"}, {"author", "alice@contoso.com"}});
  Once();
  EXPECT_EQ(Str(Twin(id), "/properties/owner/userPrincipalName"), "bob@soc.example");
  ExpectIdle();

  emu_->UpdateArm(kWorkspace, TwinName(id),
                  {{"owner",
                    {{"userPrincipalName", "carol@soc.example"},
                     {"email", "carol@soc.example"},
                     {"assignedTo", "Carol"},
                     {"ownerType", "User"}}},
                   {"author", "sam@soc.example"}});
  Once();
  EXPECT_EQ(emu_->Incident(kContoso, id).value("assignedTo", json("")), "carol@contoso.com");
  ExpectIdle();
}

TEST_F(FieldSyncTest, TagsMergeBothWaysAndSeverityAndTitleFollowDefender) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = Paired({{"displayName", "Lateral movement"}, {"severity", "low"}, {"customTags", {"a"}}});
  emu_->UpdateIncident(kContoso, id,
                       {{"customTags", {"a", "from-defender"}},
                        {"severity", "high"},
                        {"displayName", "Lateral movement via SMB"},
                        {"author", "alice@contoso.com"}});
  Once();
  json twin = Twin(id);
  EXPECT_TRUE(HasLabel(twin, "from-defender"));
  EXPECT_EQ(twin["properties"].value("severity", ""), "High");
  EXPECT_EQ(twin["properties"].value("title", ""), "Lateral movement via SMB");

  json labels = json::array();
  for (const auto& l : LabelNames(twin)) {
    if (l != "a") labels.push_back({{"labelName", l}, {"labelType", "User"}});
  }
  labels.push_back({{"labelName", "from-sentinel"}, {"labelType", "User"}});
  emu_->UpdateArm(kWorkspace, TwinName(id), {{"labels", labels}, {"author", "sam@soc.example"}});
  Once();
  const json tags = emu_->Incident(kContoso, id).value("customTags", json::array());
  EXPECT_NE(std::find(tags.begin(), tags.end(), "from-sentinel"), tags.end()) << tags.dump();
  EXPECT_NE(std::find(tags.begin(), tags.end(), "from-defender"), tags.end()) << tags.dump();
  EXPECT_EQ(std::find(tags.begin(), tags.end(), "a"), tags.end()) << "removed in Sentinel: " << tags.dump();
  ExpectIdle();
}

}  // namespace
}  // namespace xdrsync::integration
