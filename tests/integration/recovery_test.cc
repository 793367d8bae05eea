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
