// SHA-1, for UUIDv5 (RFC 9562) and stable content hashes. Not for security.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "xdrsync/core/hash_blocks.h"

namespace xdrsync {

using Sha1Digest = std::array<uint8_t, 20>;

class Sha1 {
 public:
  Sha1();
  void Update(std::string_view data);
  void Update(const uint8_t* data, size_t size);
  Sha1Digest Finish();

 private:
  void Block(const uint8_t* block);
  std::array<uint32_t, 5> h_;
  detail::HashBlocks blocks_;
};

Sha1Digest Sha1Of(std::string_view data);
std::string HexLower(const uint8_t* data, size_t size);
// Hex of the SHA-1 of data: a stable content hash for ids and change detection.
std::string Sha1Hex(std::string_view data);

}  // namespace xdrsync
