// The shard hash is a published contract (docs/scaling.md): fixed vectors pin it, so no change can
// silently move links between processes.
#include "xdrsync/core/shard.h"

#include <gtest/gtest.h>

#include <map>

namespace xdrsync {
namespace {

TEST(ShardTest, Fnv1a64MatchesTheReferenceVectors) {
  struct Case {
    std::string text;
    uint64_t hash;
  };
  const std::vector<Case> cases = {
      {"", 0xcbf29ce484222325ULL},  // the offset basis
      {"a", 0xaf63dc4c8601ec8cULL},
      {"foobar", 0x85944171f73967e8ULL},
      {"contoso-to-soc", 0x5d29a7838f4ecb94ULL},
      {"fabrikam-to-soc", 0x61781f52a4b5747eULL},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(Fnv1a64(c.text), c.hash);
  }
}

TEST(ShardTest, ALinkBelongsToExactlyOneOrdinal) {
  const std::map<std::string, uint32_t> of_three = {
      {"contoso-to-soc", 2}, {"fabrikam-to-soc", 2}, {"tailspin-to-soc", 2}, {"northwind-to-soc", 1}};
  for (const auto& [link, ordinal] : of_three) {
    SCOPED_TRACE(link);
    for (uint32_t o = 0; o < 3; ++o) EXPECT_EQ((Shard{o, 3}.Serves(link)), o == ordinal);
    EXPECT_TRUE((Shard{0, 1}.Serves(link))) << "one process serves everything";
  }
  EXPECT_TRUE((Shard{0, 4}.Serves("contoso-to-soc")));
  EXPECT_TRUE((Shard{2, 4}.Serves("northwind-to-soc")));
}

TEST(ShardTest, ParsesNumbersAndStatefulSetPodNames) {
  struct Case {
    std::string spec;
    uint32_t ordinal, count;
  };
  for (const auto& c : std::vector<Case>{{"0/1", 0, 1}, {"2/4", 2, 4}, {"xdrsync-3/8", 3, 8},
                                         {"sync-eu-west-0/2", 0, 2}, {"1023/1024", 1023, 1024}}) {
    SCOPED_TRACE(c.spec);
    auto s = ParseShard(c.spec);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->ordinal, c.ordinal);
    EXPECT_EQ(s->count, c.count);
  }
}

TEST(ShardTest, RefusesWhatIsNotAShardInOneLine) {
  for (const std::string spec : {"", "3", "4/4", "5/4", "-1/4", "a/4", "xdrsync/4", "1/0", "1/1025", "1/x",
                                 "xdrsync-/3", "1/4/", "1 /4", "$(POD_NAME)/$(XDRSYNC_SHARDS)"}) {
    SCOPED_TRACE(spec);
    auto s = ParseShard(spec);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(s.status().message().find('\n'), std::string::npos);
    EXPECT_NE(s.status().message().find("shard"), std::string::npos);
  }
}

}  // namespace
}  // namespace xdrsync
