// SHA-256 (FIPS 180-4), self-contained so the pure modules (domain/) can name a stable content
// digest without a crypto library. Not for keys or signatures.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "xdrsync/core/hash_blocks.h"

namespace xdrsync {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256;

namespace detail {
// Whether this machine's blocks go through the SHA extensions (x86-64 SHA-NI).
bool Sha256UsesShaExtensions();
// The digest by the portable rounds whatever the machine has, to check the fast path against.
Sha256Digest PortableSha256Of(std::string_view data);
}  // namespace detail

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  void Update(const uint8_t* data, size_t size);
  // The digest of everything given; the object is spent afterwards.
  Sha256Digest Finish();

 private:
  friend Sha256Digest detail::PortableSha256Of(std::string_view data);
  void Block(const uint8_t* block);
  std::array<uint32_t, 8> h_;
  bool portable_ = false;
  detail::HashBlocks blocks_;
};

Sha256Digest Sha256Of(std::string_view data);
// Lower-case hex of the SHA-256 of data (64 digits).
std::string Sha256Hex(std::string_view data);

}  // namespace xdrsync
