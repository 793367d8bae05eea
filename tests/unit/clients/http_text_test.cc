// Query encoding, URL parts and the HTTP Date header.
#include "http_text.h"

#include <gtest/gtest.h>

namespace xdrsync::api::detail {
namespace {

TEST(EncodeQueryValueTest, SpacesPlusAndAmpersandAreEncodedODataPunctuationIsNot) {
  EXPECT_EQ(EncodeQueryValue("lastUpdateDateTime ge 2025-06-01T10:00:00+02:00"),
            "lastUpdateDateTime%20ge%202025-06-01T10:00:00%2B02:00");
  EXPECT_EQ(EncodeQueryValue("status ne 'resolved'"), "status%20ne%20'resolved'");
  EXPECT_EQ(EncodeQueryValue("a&b=c#d%"), "a%26b%3Dc%23d%25");
  EXPECT_EQ(EncodeQueryValue("properties/createdTimeUtc desc"), "properties/createdTimeUtc%20desc");
  EXPECT_EQ(EncodeQueryValue("\xC3\xA9"), "%C3%A9");
}

TEST(EncodePathSegmentTest, OnlyUnreservedCharactersStay) {
  EXPECT_EQ(EncodePathSegment("73e01a99-5cd7_4139.a~b"), "73e01a99-5cd7_4139.a~b");
  EXPECT_EQ(EncodePathSegment("a/b?c"), "a%2Fb%3Fc");
  // Dot segments would be resolved to the parent resource on the way.
  EXPECT_EQ(EncodePathSegment(".."), "%2E%2E");
  EXPECT_EQ(EncodePathSegment("."), "%2E");
  EXPECT_EQ(EncodePathSegment("..."), "...");
}

TEST(ODataStringTest, QuotesAreDoubled) { EXPECT_EQ(ODataString("it's"), "'it''s'"); }

TEST(UrlPartsTest, PathAndOrigin) {
  EXPECT_EQ(UrlPath("https://graph.microsoft.com/v1.0/security/incidents?$top=50#x"), "/v1.0/security/incidents");
  EXPECT_EQ(UrlPath("https://graph.microsoft.com"), "");
  EXPECT_EQ(UrlPath("not a url"), "");
  EXPECT_EQ(UrlOrigin("HTTPS://Graph.Microsoft.com:443/v1.0?x"), "https://graph.microsoft.com:443");
  EXPECT_EQ(UrlOrigin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(UrlOrigin("/relative/path"), "");
  EXPECT_EQ(TrimTrailingSlash("https://a.example//"), "https://a.example");
}

TEST(ParseHttpDateTest, ReadsImfFixdate) {
  std::optional<Timestamp> t = ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->ToSecondsString(), "1994-11-06T08:49:37Z");
  EXPECT_EQ(ParseHttpDate(" Tue, 31 Dec 2024 23:59:59 GMT ")->ToSecondsString(), "2024-12-31T23:59:59Z");
}

TEST(ParseHttpDateTest, RefusesEverythingElse) {
  for (const char* text :
       {"", "yesterday", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 0x Nov 1994 08:49:37 GMT"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(ParseHttpDate(text).has_value());
  }
}

TEST(CodeForHttpStatusTest, SuccessAndTheOddOnes) {
  EXPECT_EQ(CodeForHttpStatus(200), Code::kOk);
  EXPECT_EQ(CodeForHttpStatus(206), Code::kOk);
  EXPECT_EQ(CodeForHttpStatus(302), Code::kInvalidArgument);
  EXPECT_EQ(CodeForHttpStatus(599), Code::kUnavailable);
}

}  // namespace
}  // namespace xdrsync::api::detail
