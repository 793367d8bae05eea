// Comments are append-only copies both ways (spec §4): each analyst comment reaches the other side
// exactly once, carries its origin, and xdrsync's own copies are never copied back.
#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class CommentsTest : public SyncTest {};

TEST_F(CommentsTest, CommentsTravelBothWaysWithoutDuplicates) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Beaconing host"},
                                                         {"severity", "high"},
                                                         {"comments", {"D1: host isolated by tier 1"}},
                                                         {"author", "alice@contoso.com"}});
  Once();
  const std::string twin = Twin(id).value("name", "");
  ASSERT_FALSE(twin.empty());
  EXPECT_EQ(CountContaining(ArmCommentTexts(Twin(id)), "D1: host isolated by tier 1"), 1u);

  emu_->CommentIncident(kContoso, id, "D2: C2 domain identified", "bob@contoso.com");
  emu_->CommentArm(kWorkspace, twin, "S1: blocked the domain at the proxy", "sam@soc.example");
  emu_->CommentArm(kWorkspace, twin, "S2: ticket INC-4711 opened", "sam@soc.example");
  Once();
  Once();

  const json d = emu_->Incident(kContoso, id);
  const auto d_texts = CommentTexts(d);
  const auto s_texts = ArmCommentTexts(Twin(id));
  for (const char* text : {"D1: host isolated by tier 1", "D2: C2 domain identified",
                           "S1: blocked the domain at the proxy", "S2: ticket INC-4711 opened"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(CountContaining(d_texts, text), 1u) << "Defender comments:\n" << d.value("comments", json()).dump(1);
    EXPECT_EQ(CountContaining(s_texts, text), 1u) << "Sentinel comments:\n" << Twin(id)["_comments"].dump(1);
  }
  // Copies name where they came from, and carry the marker that keeps them from bouncing back.
  for (const auto& t : d_texts) {
    if (t.find("S1: blocked") == std::string::npos) continue;
    EXPECT_NE(t.find("[xdrsync:"), std::string::npos) << t;
    EXPECT_NE(t.find("sam@soc.example"), std::string::npos) << "origin author missing: " << t;
  }
  // Sentinel copies S1 and S2 appear in order after D2 is not required; their order among themselves is.
  size_t s1 = d_texts.size(), s2 = d_texts.size();
  for (size_t i = 0; i < d_texts.size(); ++i) {
    if (d_texts[i].find("S1: blocked") != std::string::npos) s1 = i;
    if (d_texts[i].find("S2: ticket") != std::string::npos) s2 = i;
  }
  EXPECT_LT(s1, s2) << "copies are made one at a time in the source's order";

  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
}

TEST_F(CommentsTest, IdenticalCommentTextsAreBothCopied) {
  // Two identical Defender comments by the same author differ only by time or ordinal: both travel.
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Noisy"}, {"severity", "low"}});
  Once();
  emu_->CommentIncident(kContoso, id, "same words", "bob@contoso.com");
  emu_->CommentIncident(kContoso, id, "same words", "bob@contoso.com");
  Once();
  Once();
  EXPECT_EQ(CountContaining(ArmCommentTexts(Twin(id)), "same words"), 2u) << Twin(id)["_comments"].dump(1);
  EXPECT_EQ(CountContaining(CommentTexts(emu_->Incident(kContoso, id)), "same words"), 2u);
}

}  // namespace
}  // namespace xdrsync::integration
