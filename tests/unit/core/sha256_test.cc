#include "xdrsync/core/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace xdrsync {
namespace {

// FIPS 180-4 examples and the NIST long-message vector.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1'000'000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, PiecewiseUpdatesGiveTheSameDigest) {
  // Lengths around the 55/56/64-byte padding boundaries, fed in uneven pieces.
  for (size_t n : {55u, 56u, 63u, 64u, 65u, 119u, 120u, 1000u}) {
    SCOPED_TRACE(n);
    std::string text;
    for (size_t i = 0; i < n; ++i) text.push_back(static_cast<char>('a' + i % 26));
    Sha256 s;
    for (size_t at = 0; at < n; at += 7) s.Update(std::string_view(text).substr(at, 7));
    EXPECT_EQ(s.Finish(), Sha256Of(text));
  }
}

TEST(Sha256Test, TheSameDigestsWithOrWithoutTheShaExtensions) {
  // Where the machine has SHA-NI every digest above went through it; the portable rounds must
  // agree on every length and byte value (and on a machine without it, both are the portable ones).
  std::string text;
  uint32_t x = 2463534242u;
  for (size_t n = 0; n < 700; ++n) {
    SCOPED_TRACE(n);
    EXPECT_EQ(Sha256Of(text), detail::PortableSha256Of(text));
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    text.push_back(static_cast<char>(x & 0xFF));
  }
  EXPECT_EQ(detail::PortableSha256Of(std::string(1'000'000, 'a')), Sha256Of(std::string(1'000'000, 'a')));
  std::printf("sha256: %s\n", detail::Sha256UsesShaExtensions() ? "SHA extensions" : "portable rounds");
}

}  // namespace
}  // namespace xdrsync
