#include "xdrsync/core/uuid.h"

#include <gtest/gtest.h>

#include "xdrsync/core/sha1.h"

namespace xdrsync {
namespace {

TEST(Sha1Test, KnownVectors) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Sha1Hex(std::string(1'000'000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(UuidTest, V5MatchesRfcExample) {
  // RFC 9562 Appendix A.4: DNS namespace, name "www.example.com".
  auto dns = Uuid::Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  ASSERT_TRUE(dns.ok());
  EXPECT_EQ(Uuid::V5(*dns, "www.example.com").ToString(), "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

TEST(UuidTest, TwinIdMatchesTheSpecVector) {
  EXPECT_EQ(TwinId("72f988bf-86f1-41af-91ab-2d7cd011db47", "2972395"),
            "ac9a5780-98b5-5ec6-9873-32585d2eabab");
  // The tenant id is lower-cased first, so its spelling cannot produce a second twin.
  EXPECT_EQ(TwinId("72F988BF-86F1-41AF-91AB-2D7CD011DB47", "2972395"),
            "ac9a5780-98b5-5ec6-9873-32585d2eabab");
}

TEST(UuidTest, ParseAcceptsBracesAndCaseRejectsGarbage) {
  auto a = Uuid::Parse("{1953C2AD-1F91-4E8E-9778-B4A684BB2037}");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->ToString(), "1953c2ad-1f91-4e8e-9778-b4a684bb2037");
  EXPECT_FALSE(Uuid::Parse("1953c2ad-1f91-4e8e-9778-b4a684bb203").ok());
  EXPECT_FALSE(Uuid::Parse("1953c2ad_1f91-4e8e-9778-b4a684bb2037").ok());
  EXPECT_FALSE(Uuid::Parse("zzzzzzzz-1f91-4e8e-9778-b4a684bb2037").ok());
}

}  // namespace
}  // namespace xdrsync
