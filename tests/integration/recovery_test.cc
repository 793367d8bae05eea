// Losing the state database (spec §10): `rebuild-state` re-derives pairs from the deterministic
// twin ids and the comment markers, writes nothing, and the next `once` neither duplicates a twin
// or a comment nor overwrites a disagreement. Also the less common Defender statuses and merge chains.
#include <filesystem>

#include "sync_fixture.h"
#include "twin_id.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class RecoveryTest : public SyncTest {};

TEST_F(RecoveryTest, RebuildStateAfterLosingTheDatabaseDuplicatesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(emu_->CreateIncident(kContoso, {{"displayName", "Kept " + std::to_string(i)},
                                                  {"severity", "high"},
                                                  {"comments", {"keep-note-" + std::to_string(i)}},
                                                  {"author", "bob@contoso.com"}}));
  }
  Once();
  emu_->CommentArm(kWorkspace, Twin(ids[0]).value("name", ""), "soc-note", "sam@soc.example");
  Once();
  std::filesystem::remove(dir_ + "/state.db");
  std::filesystem::remove(dir_ + "/state.db-wal");
  std::filesystem::remove(dir_ + "/state.db-shm");

  // While the state is gone, the two sides drift apart on one pair.
  emu_->UpdateArm(kWorkspace, Twin(ids[2]).value("name", ""), {{"severity", "Low"}, {"author", "sam@soc.example"}});
  emu_->ClearRequests();
  const ProcessResult rebuild = Xdrsync({"rebuild-state"});
  EXPECT_EQ(rebuild.exit_code, 0) << rebuild.out << rebuild.err;
  EXPECT_NE(rebuild.out.find("3 pairs adopted"), std::string::npos) << rebuild.out;
  EXPECT_TRUE(WritesSinceClear().empty()) << "rebuild-state writes nothing:\n" << Describe(WritesSinceClear());

  Once();
  EXPECT_EQ(emu_->ArmIncidents(kWorkspace).size(), 3u);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(ids[static_cast<size_t>(i)]);
    const std::string note = "keep-note-" + std::to_string(i);
    EXPECT_EQ(CountContaining(ArmCommentTexts(Twin(ids[static_cast<size_t>(i)])), note), 1u);
  }
  EXPECT_EQ(CountContaining(CommentTexts(emu_->Incident(kContoso, ids[0])), "soc-note"), 1u);
  // The disagreement is journaled for an operator, not overwritten.
  EXPECT_EQ(Str(Twin(ids[2]), "/properties/severity"), "Low");
  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
}

// Workspaces onboarded to the Defender portal: the twins are named by the service, so the pairs come
// back from the twin label each finished twin carries, by `rebuild-state` or by the daemon itself.
class DefenderAlertRecoveryTest : public SyncTest, public ::testing::WithParamInterface<bool> {
 protected:
  void LoseState() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(dir_ + "/state.db" + suffix);
  }
};

TEST_P(DefenderAlertRecoveryTest, LostStateComesBackFromTheTwinLabelsWithoutAWrite) {
  const bool rebuild = GetParam();
  ASSERT_NO_FATAL_FAILURE(StartEmulator(
      OnboardedScenario(kSoc, {"SecurityIncident.ReadWrite.All", "SecurityAlert.ReadWrite.All"})));
  config_["sentinel_workspaces"][0] = Workspace("soc", kWorkspace, kSoc, "defender");
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    ids.push_back(emu_->CreateIncident(kContoso, {{"displayName", "Onboarded " + std::to_string(i)},
                                                  {"severity", "high"},
                                                  {"alertCount", 2},
                                                  {"comments", {"keep-note-" + std::to_string(i)}},
                                                  {"author", "bob@contoso.com"}}));
  }
  Once();
  Once();
  const json twins = emu_->ArmIncidents(kWorkspace);
  ASSERT_EQ(twins.size(), 2u) << twins.dump(1);
  emu_->CommentArm(kWorkspace, twins[0].value("name", ""), "soc-note", "sam@soc.example");
  Once();
  LoseState();

  emu_->ClearRequests();
  if (rebuild) {
    const ProcessResult r = Xdrsync({"rebuild-state"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("link contoso-to-soc: 2 pairs adopted"), std::string::npos) << r.out;
  }
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << "nothing changed, nothing to write:\n" << Describe(WritesSinceClear());
  EXPECT_EQ(emu_->ArmIncidents(kWorkspace).size(), 2u);
  for (const json& twin : emu_->ArmIncidents(kWorkspace)) {
    EXPECT_EQ(CountContaining(ArmCommentTexts(twin), "keep-note-"), 1u) << twin.dump(1);
  }
  EXPECT_EQ(CountContaining(CommentTexts(emu_->Incident(kContoso, ids[0])), "soc-note") +
                CountContaining(CommentTexts(emu_->Incident(kContoso, ids[1])), "soc-note"),
            1u);
  // And the pairs sync again: a change on Defender reaches its twin.
  emu_->UpdateIncident(kContoso, ids[1], {{"status", "inProgress"}, {"author", "bob@contoso.com"}});
  Once();
  size_t active = 0;
  for (const json& twin : emu_->ArmIncidents(kWorkspace)) active += Str(twin, "/properties/status") == "Active";
  EXPECT_EQ(active, 1u);
}

INSTANTIATE_TEST_SUITE_P(ByRebuildOrByItself, DefenderAlertRecoveryTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "RebuildState" : "Automatic"; });

TEST_F(RecoveryTest, AwaitingActionMapsToActive) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id =
      emu_->CreateIncident(kContoso, {{"displayName", "Waiting on the user"}, {"status", "awaitingAction"}});
  Once();
  EXPECT_EQ(Str(Twin(id), "/properties/status"), "Active");
  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << "awaitingAction and Active agree:\n" << Describe(WritesSinceClear());
}

TEST_F(RecoveryTest, ChainedMergesCarryCommentsOnWithoutDuplicates) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string c = emu_->CreateIncident(kContoso, {{"displayName", "C"}, {"alertCount", 1}});
  const std::string b = emu_->CreateIncident(kContoso, {{"displayName", "B"}, {"alertCount", 1}});
  const std::string a = emu_->CreateIncident(
      kContoso, {{"displayName", "A"}, {"alertCount", 1}, {"comments", {"from-A"}}, {"author", "carol@contoso.com"}});
  Once();
  emu_->Call("POST", std::string("/tenants/") + kContoso + "/merge", {{"source", a}, {"target", b}});
  Once();
  ASSERT_EQ(CountContaining(ArmCommentTexts(Twin(b)), "from-A"), 1u) << Twin(b)["_comments"].dump(1);
  emu_->Call("POST", std::string("/tenants/") + kContoso + "/merge", {{"source", b}, {"target", c}});
  Once();
  Once();
  EXPECT_TRUE(HasLabel(Twin(b), "Redirected"));
  EXPECT_EQ(Str(Twin(b), "/properties/status"), "Closed");
  EXPECT_EQ(CountContaining(ArmCommentTexts(Twin(c)), "from-A"), 1u) << Twin(c)["_comments"].dump(1);
  EXPECT_EQ(CountContaining(CommentTexts(emu_->Incident(kContoso, c)), "from-A"), 1u);
  EXPECT_EQ(emu_->ArmIncidents(kWorkspace).size(), 3u);
}

}  // namespace
}  // namespace xdrsync::integration
