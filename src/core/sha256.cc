#include "xdrsync/core/sha256.h"

#include <algorithm>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "xdrsync/core/sha1.h"

namespace xdrsync {
namespace {

constexpr std::array<uint32_t, 64> kRound = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

#if defined(__x86_64__)
// One block with the SHA extensions (SHA-NI: Intel since Goldmont and Ice Lake, AMD since Zen),
// about ten times the portable rounds below: half of the store's CPU a change was SHA-256 (the
// digests of long free-text bases). The state is kept as ABEF/CDGH, the order sha256rnds2 wants.
// Each group of four rounds takes four words of the schedule; msg1 and msg2 make the next words.
__attribute__((target("sha,sse4.1,ssse3"))) void ShaNiBlock(uint32_t* h, const uint8_t* block) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i cdab = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0xB1);
  __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4)), 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  const __m128i abef_in = abef, cdgh_in = cdgh;
  __m128i w[4];
  for (int g = 0; g < 16; ++g) {
    if (g < 4) {
      w[g] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * g)), byte_swap);
    }
    const __m128i& now = w[g % 4];
    __m128i k = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kRound.data() + 4 * g));
    __m128i msg = _mm_add_epi32(now, k);
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
    if (g >= 3 && g <= 14) {
      __m128i& next = w[(g + 1) % 4];
      next = _mm_sha256msg2_epu32(_mm_add_epi32(next, _mm_alignr_epi8(now, w[(g + 3) % 4], 4)), now);
    }
    msg = _mm_shuffle_epi32(msg, 0x0E);
    abef = _mm_sha256rnds2_epu32(abef, cdgh, msg);
    if (g >= 1 && g <= 12) w[(g + 3) % 4] = _mm_sha256msg1_epu32(w[(g + 3) % 4], now);
  }
  abef = _mm_add_epi32(abef, abef_in);
  cdgh = _mm_add_epi32(cdgh, cdgh_in);
  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), _mm_alignr_epi8(dchg, feba, 8));
}

bool HasShaNi() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  const bool sse = (c & bit_SSE4_1) != 0 && (c & bit_SSSE3) != 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return sse && (b & bit_SHA) != 0;
}
#endif

}  // namespace

namespace detail {

bool Sha256UsesShaExtensions() {
#if defined(__x86_64__)
  static const bool has = HasShaNi();
  return has;
#else
  return false;
#endif
}

Sha256Digest PortableSha256Of(std::string_view data) {
  Sha256 s;
  s.portable_ = true;
  s.Update(data);
  return s.Finish();
}

}  // namespace detail

Sha256::Sha256()
    : h_{0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u} {}

void Sha256::Update(std::string_view data) { Update(reinterpret_cast<const uint8_t*>(data.data()), data.size()); }

void Sha256::Update(const uint8_t* data, size_t size) {
  blocks_.Update(data, size, [this](const uint8_t* block) { Block(block); });
}

Sha256Digest Sha256::Finish() {
  blocks_.Finish([this](const uint8_t* block) { Block(block); });
  Sha256Digest out;
  for (size_t i = 0; i < 8; ++i) {
    for (size_t j = 0; j < 4; ++j) out[i * 4 + j] = static_cast<uint8_t>(h_[i] >> (24 - 8 * j));
  }
  return out;
}

void Sha256::Block(const uint8_t* block) {
#if defined(__x86_64__)
  if (!portable_ && detail::Sha256UsesShaExtensions()) {
    ShaNiBlock(h_.data(), block);
    return;
  }
#endif
  uint32_t w[64];
  for (size_t i = 0; i < 16; ++i) {
    w[i] = static_cast<uint32_t>(block[i * 4]) << 24 | static_cast<uint32_t>(block[i * 4 + 1]) << 16 |
           static_cast<uint32_t>(block[i * 4 + 2]) << 8 | static_cast<uint32_t>(block[i * 4 + 3]);
  }
  for (size_t i = 16; i < 64; ++i) {
    const uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  // The working variables in locals the compiler keeps in registers: the same instructions as a
  // shifted array, but no loads and stores on the way (about a fifth of the store's CPU a change).
  uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
  for (size_t i = 0; i < 64; ++i) {
    const uint32_t s1 = Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25);
    const uint32_t ch = (e & f) ^ (~e & g);
    const uint32_t t1 = h + s1 + ch + kRound[i] + w[i];
    const uint32_t s0 = Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22);
    const uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + s0 + maj;
  }
  const uint32_t v[8] = {a, b, c, d, e, f, g, h};
  for (size_t i = 0; i < 8; ++i) h_[i] += v[i];
}

Sha256Digest Sha256Of(std::string_view data) {
  Sha256 s;
  s.Update(data);
  return s.Finish();
}

std::string Sha256Hex(std::string_view data) {
  const Sha256Digest d = Sha256Of(data);
  return HexLower(d.data(), d.size());
}

}  // namespace xdrsync
