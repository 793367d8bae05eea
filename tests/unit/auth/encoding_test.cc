#include "auth/encoding.h"

#include <gtest/gtest.h>

#include "auth/managed_identity.h"
#include "auth_test_support.h"

namespace xdrsync::auth {
namespace {

TEST(Base64UrlTest, MatchesRfc4648Vectors) {
  // RFC 4648 §10 vectors, in the URL alphabet and without padding.
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
}

TEST(Base64UrlTest, DecodesWithOrWithoutPaddingAndRejectsGarbage) {
  EXPECT_EQ(Base64UrlDecode("Zm9vYg"), "foob");
  EXPECT_EQ(Base64UrlDecode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64UrlDecode("-_-_"), "\xfb\xff\xbf");
  EXPECT_EQ(Base64UrlDecode("Zm9v+g"), std::nullopt);  // standard alphabet, not URL-safe
  EXPECT_EQ(Base64UrlDecode("Z"), std::nullopt);
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(all)), all);
}

TEST(UrlEncodeTest, EncodesEverythingButUnreserved) {
  EXPECT_EQ(UrlEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(UrlEncode("https://graph.microsoft.com/.default"), "https%3A%2F%2Fgraph.microsoft.com%2F.default");
  EXPECT_EQ(UrlEncode("a b+c&d=e%f"), "a%20b%2Bc%26d%3De%25f");
  EXPECT_EQ(UrlEncode("\xc3\xa9"), "%C3%A9");
}

TEST(UrlEncodeTest, FormBodyRoundTripsThroughADecoder) {
  const FormFields fields{{"client_secret", "p+ss/w=rd&x y~%"}, {"scope", "https://x/.default"}};
  const auto decoded = testing::ParseForm(FormBody(fields));
  EXPECT_EQ(decoded.at("client_secret"), "p+ss/w=rd&x y~%");
  EXPECT_EQ(decoded.at("scope"), "https://x/.default");
}

TEST(UrlEncodeTest, AppendQueryKeepsAnExistingQuery) {
  EXPECT_EQ(AppendQuery("http://h/t", {{"a", "1"}}), "http://h/t?a=1");
  EXPECT_EQ(AppendQuery("http://h/t?x=y", {{"a", "1"}}), "http://h/t?x=y&a=1");
  EXPECT_EQ(AppendQuery("http://h/t?", {{"a", "1"}}), "http://h/t?a=1");
  EXPECT_EQ(AppendQuery("http://h/t", {}), "http://h/t");
}

TEST(ResourceOfScopeTest, DropsDefaultSuffixOnly) {
  EXPECT_EQ(ResourceOfScope("https://graph.microsoft.com/.default"), "https://graph.microsoft.com");
  EXPECT_EQ(ResourceOfScope("https://management.azure.com//.default"), "https://management.azure.com/");
  EXPECT_EQ(ResourceOfScope("https://management.azure.com/"), "https://management.azure.com/");
}

TEST(TrimTrailingSlashesTest, Trims) {
  EXPECT_EQ(TrimTrailingSlashes("https://login.microsoftonline.us//"), "https://login.microsoftonline.us");
  EXPECT_EQ(TrimTrailingSlashes("https://login.microsoftonline.us"), "https://login.microsoftonline.us");
}

}  // namespace
}  // namespace xdrsync::auth
