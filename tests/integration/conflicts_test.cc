// Both sides changed the same field (spec §5.4): each policy of the link decides — newest (with a
// tie going to tie_side), defender-wins, sentinel-wins, manual.
#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class ConflictsTest : public SyncTest {};

TEST_F(ConflictsTest, EachPolicyDecidesItsField) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  config_["links"][0]["directions"] = {{"severity", "both"}};
  config_["links"][0]["conflicts"] = {{"default", "newest"},          {"owner", "sentinel-wins"},
                                      {"status", "defender-wins"},    {"severity", "manual"},
                                      {"newest_min_gap_seconds", 60}, {"tie_side", "defender"}};
  const std::string x = emu_->CreateIncident(
      kContoso, {{"displayName", "Owner and severity"}, {"severity", "medium"}, {"assignedTo", "alice@contoso.com"}});
  const std::string y = emu_->CreateIncident(kContoso, {{"displayName", "Status"}, {"severity", "high"}});
  const std::string z = emu_->CreateIncident(kContoso, {{"displayName", "Newest classification"}});
  const std::string w = emu_->CreateIncident(kContoso, {{"displayName", "Tied classification"}});
  Once();
  auto twin_name = [&](const std::string& id) { return Twin(id).value("name", ""); };

  // Defender first...
  emu_->UpdateIncident(kContoso, x, {{"assignedTo", "dan@contoso.com"}, {"severity", "high"}, {"author", "d"}});
  emu_->UpdateIncident(kContoso, y, {{"status", "resolved"}, {"author", "d"}});
  emu_->UpdateIncident(kContoso, z,
                       {{"classification", "truePositive"}, {"determination", "malware"}, {"author", "d"}});
  // ...then two minutes later Sentinel.
  emu_->Call("POST", "/clock", {{"advance_seconds", 120}});
  emu_->UpdateArm(
      kWorkspace, twin_name(x),
      {{"owner", {{"userPrincipalName", "sam@soc.example"}, {"email", "sam@soc.example"}, {"ownerType", "User"}}},
       {"severity", "Low"},
       {"author", "sam@soc.example"}});
  emu_->UpdateArm(kWorkspace, twin_name(y), {{"status", "Active"}, {"author", "sam@soc.example"}});
  emu_->UpdateArm(
      kWorkspace, twin_name(z),
      {{"classification", "FalsePositive"}, {"classificationReason", "InaccurateData"}, {"author", "sam@soc.example"}});
  // Within the gap of each other: a tie, which tie_side gives to Defender.
  emu_->UpdateIncident(
      kContoso, w,
      {{"classification", "informationalExpectedActivity"}, {"determination", "securityTesting"}, {"author", "d"}});
  emu_->UpdateArm(
      kWorkspace, twin_name(w),
      {{"classification", "FalsePositive"}, {"classificationReason", "InaccurateData"}, {"author", "sam@soc.example"}});
  Once();

  // sentinel-wins: the owner.
  EXPECT_EQ(emu_->Incident(kContoso, x).value("assignedTo", json("")), "sam@soc.example");
  EXPECT_EQ(Str(Twin(x), "/properties/owner/userPrincipalName"), "sam@soc.example");
  // manual: nothing written, the twin labelled for a human.
  EXPECT_EQ(emu_->Incident(kContoso, x).value("severity", ""), "high");
  EXPECT_EQ(Twin(x)["properties"].value("severity", ""), "Low");
  EXPECT_TRUE(HasLabel(Twin(x), "xdrsync:conflict")) << Twin(x)["properties"]["labels"].dump();
  // defender-wins: the status.
  EXPECT_EQ(emu_->Incident(kContoso, y).value("status", ""), "resolved");
  EXPECT_EQ(Twin(y)["properties"].value("status", ""), "Closed");
  // newest: Sentinel's later classification.
  EXPECT_EQ(emu_->Incident(kContoso, z).value("classification", json("")), "falsePositive");
  EXPECT_EQ(Twin(z)["properties"].value("classification", ""), "FalsePositive");
  // newest, tied: Defender.
  EXPECT_EQ(emu_->Incident(kContoso, w).value("classification", json("")), "informationalExpectedActivity");
  EXPECT_EQ(Twin(w)["properties"].value("classification", ""), "BenignPositive");

  const ProcessResult audit = Xdrsync({"audit", "--incident", x});
  EXPECT_NE(audit.out.find("conflict"), std::string::npos) << "the conflict is journaled:\n" << audit.out;

  // The manual conflict waits: further runs write nothing until a person decides.
  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
}

}  // namespace
}  // namespace xdrsync::integration
