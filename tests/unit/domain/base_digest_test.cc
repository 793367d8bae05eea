// Long free-text bases kept as digests (fields.h: BaseValue) and compared by SameValue.
#include <gtest/gtest.h>

#include "xdrsync/domain/comments.h"
#include "xdrsync/domain/fields.h"

namespace xdrsync::domain {
namespace {

const std::string kLong = "Suspicious sign-in followed by mailbox rule creation on " + std::string(80, 'x');

TEST(BaseDigestTest, OnlyLongFreeTextBecomesADigest) {
  for (Field f : {Field::kTitle, Field::kDescription, Field::kClosingComment}) {
    SCOPED_TRACE(FieldName(f));
    const std::string kept = BaseValue(Side::kDefender, f, kLong);
    EXPECT_TRUE(IsBaseDigest(kept));
    EXPECT_EQ(kept.size(), 33u);
    EXPECT_EQ(BaseValue(Side::kDefender, f, kept), kept) << "a digest stays a digest";
    const std::string at_limit(kBaseDigestAboveBytes, 'y');
    EXPECT_EQ(BaseValue(Side::kDefender, f, at_limit), at_limit) << "short text is kept as it is";
  }
  // Tags merge as sets and owners compare tolerantly: their bases keep the text, however long.
  for (Field f : {Field::kTags, Field::kOwner, Field::kStatus, Field::kClassification, Field::kSeverity}) {
    SCOPED_TRACE(FieldName(f));
    EXPECT_EQ(BaseValue(Side::kSentinel, f, kLong), kLong);
  }
}

TEST(BaseDigestTest, SameValueComparesTextWithADigestEitherWay) {
  for (Side side : {Side::kDefender, Side::kSentinel}) {
    for (Field f : {Field::kTitle, Field::kDescription, Field::kClosingComment}) {
      SCOPED_TRACE(std::string(SideName(side)) + " " + std::string(FieldName(f)));
      const std::string base = BaseValue(side, f, kLong);
      EXPECT_TRUE(SameValue(side, f, kLong, base));
      EXPECT_TRUE(SameValue(side, f, base, kLong));
      EXPECT_TRUE(SameValue(side, f, base, base));
      EXPECT_FALSE(SameValue(side, f, kLong + ".", base));
      EXPECT_FALSE(SameValue(side, f, "", base));
      EXPECT_FALSE(SameValue(side, f, base, BaseValue(side, f, kLong + ".")));
      // A digest of a short value (never stored, but well defined) still compares by content.
      EXPECT_TRUE(SameValue(side, f, "short", BaseDigest(side, f, "short")));
    }
  }
  // A digest means nothing for a field whose bases are never digests.
  EXPECT_FALSE(SameValue(Side::kSentinel, Field::kOwner, "", BaseDigest(Side::kSentinel, Field::kTitle, "")));
}

TEST(BaseDigestTest, ASentinelTitleDigestKeepsTheTwinMarkerTolerance) {
  const std::string marker = Marker("28970c5a-e275-5b3b-9eb0-44f657d45885");
  // Bases stored by earlier versions kept a defender-alert twin's marker in the title.
  const std::string stored = BaseValue(Side::kSentinel, Field::kTitle, kLong + " " + marker);
  EXPECT_TRUE(SameValue(Side::kSentinel, Field::kTitle, kLong, stored));
  EXPECT_TRUE(SameValue(Side::kSentinel, Field::kTitle, kLong + " " + marker, BaseValue(Side::kSentinel, Field::kTitle, kLong)));
  EXPECT_FALSE(SameValue(Side::kSentinel, Field::kTitle, kLong + " renamed", stored));
  // On the Defender side a marker-like suffix is content, as with text.
  EXPECT_FALSE(SameValue(Side::kDefender, Field::kTitle, kLong, BaseValue(Side::kDefender, Field::kTitle, kLong + " " + marker)));
}

TEST(BaseDigestTest, NoTextIsTakenForADigest) {
  const std::string digest = BaseDigest(Side::kDefender, Field::kDescription, kLong);
  EXPECT_FALSE(IsBaseDigest(digest.substr(1)));        // without the mark
  EXPECT_FALSE(IsBaseDigest(digest + "0"));            // too long
  std::string upper = digest;
  upper[1] = 'A';
  EXPECT_FALSE(IsBaseDigest(upper));                   // not lower-case hex
  EXPECT_FALSE(IsBaseDigest("\xFF" + std::string(32, 'g')));
  EXPECT_FALSE(IsBaseDigest(std::string(33, 'a')));
}

}  // namespace
}  // namespace xdrsync::domain
