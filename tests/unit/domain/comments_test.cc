#include "xdrsync/domain/comments.h"

#include <gtest/gtest.h>

namespace xdrsync::domain {
namespace {

TEST(CommentsTest, MarkersAreFoundAndValidated) {
  const std::string uuid = "ac9a5780-98b5-5ec6-9873-32585d2eabab";
  EXPECT_EQ(Marker(uuid), "[xdrsync:ac9a5780-98b5-5ec6-9873-32585d2eabab]");
  EXPECT_EQ(FindMarker("x " + Marker(uuid) + " y"), uuid);
  EXPECT_FALSE(FindMarker("[xdrsync:not-a-uuid]"));
  EXPECT_FALSE(FindMarker("[xdrsync:ignore]"));
  EXPECT_TRUE(HasMarker("xdrsync:" + uuid));
  EXPECT_FALSE(HasMarker("xdrsync:ignore"));
}

TEST(CommentsTest, CanonicalIdsDistinguishIdenticalComments) {
  const Timestamp t = *Timestamp::Parse("2025-06-01T10:00:00.1234567Z");
  std::vector<DefenderComment> cs = {{" same ", "a@x", t}, {"same", "a@x", t.PlusTicks(9)}, {"other", "a@x", t}};
  const auto ids = CanonicalDefenderCommentIds(cs);
  ASSERT_EQ(ids.size(), 3u);
  // Trimmed text and a time truncated to milliseconds make the first two one triple.
  EXPECT_EQ(ids[0].substr(0, ids[0].find('#')), ids[1].substr(0, ids[1].find('#')));
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_NE(ids[0].substr(0, 10), ids[2].substr(0, 10));
  // Both shapes of the Graph API give the same id for the same comment.
  EXPECT_EQ(CanonicalDefenderCommentIds({cs[2]})[0], ids[2]);
}

TEST(CommentsTest, CopyIdsAreDeterministicPerLinkAndSource) {
  const auto a = CopyUuid("l1", Side::kDefender, "42", "abc#0");
  EXPECT_EQ(a, CopyUuid("l1", Side::kDefender, "42", "abc#0"));
  EXPECT_NE(a, CopyUuid("l2", Side::kDefender, "42", "abc#0"));
  EXPECT_NE(a, CopyUuid("l1", Side::kSentinel, "42", "abc#0"));
  EXPECT_NE(OwnCommentUuid("l1", "alerts", "x"), OwnCommentUuid("l1", "merge", "x"));
}

TEST(CommentsTest, RenderedCopyCarriesMarkerHeaderAndText) {
  const std::string u = CopyUuid("l", Side::kSentinel, "s", "c1");
  const std::string text =
      RenderCopiedComment(u, Side::kSentinel, "bob@fabrikam.com", Timestamp::FromUnixSeconds(0), "hello");
  EXPECT_EQ(FindMarker(text), u);
  EXPECT_NE(text.find("From Sentinel"), std::string::npos);
  EXPECT_NE(text.find("bob@fabrikam.com"), std::string::npos);
  EXPECT_NE(text.find("1970-01-01T00:00:00Z"), std::string::npos);
  EXPECT_NE(text.find("hello"), std::string::npos);
}

TEST(CommentsTest, LongCommentsAreCutVisiblyWithinTheSentinelLimit) {
  const std::string u = CopyUuid("l", Side::kDefender, "1", "c");
  const std::string text = RenderCopiedComment(u, Side::kDefender, "a", std::nullopt, std::string(40'000, 'x'));
  EXPECT_LE(text.size(), kSentinelCommentMaxChars);
  EXPECT_NE(text.find("truncated"), std::string::npos);
  EXPECT_EQ(FindMarker(text), u);
}

TEST(CommentsTest, SystemAuthors) {
  EXPECT_TRUE(IsSystemCommentAuthor("Microsoft Defender XDR - alert correlation"));
  EXPECT_FALSE(IsSystemCommentAuthor("alice@contoso.com"));
}

}  // namespace
}  // namespace xdrsync::domain
