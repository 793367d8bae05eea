// The message schedule SHA-1 and SHA-256 share: input cut into 64-byte blocks, then padded with
// 0x80, zeros and the message length in bits (big-endian) to a whole block.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace xdrsync::detail {

class HashBlocks {
 public:
  // Calls block(const uint8_t*) for each whole 64-byte block.
  template <typename Block>
  void Update(const uint8_t* data, size_t size, Block&& block) {
    total_bytes_ += size;
    // Whole blocks straight from the input when nothing is buffered (no copy).
    while (buffered_ == 0 && size >= buffer_.size()) {
      block(data);
      data += buffer_.size();
      size -= buffer_.size();
    }
    while (size > 0) {
      const size_t take = std::min(size, buffer_.size() - buffered_);
      std::memcpy(buffer_.data() + buffered_, data, take);
      buffered_ += take;
      data += take;
      size -= take;
      if (buffered_ == buffer_.size()) {
        block(buffer_.data());
        buffered_ = 0;
      }
    }
  }

  // Pads the message to whole blocks; nothing may be added afterwards.
  template <typename Block>
  void Finish(Block&& block) {
    const uint64_t bits = total_bytes_ * 8;
    // 0x80, zeros up to 56 bytes into a block, then the length: one or two blocks in all.
    uint8_t tail[72] = {0x80};
    const size_t zeros = (buffered_ < 56 ? 56 : 120) - buffered_ - 1;
    for (int i = 0; i < 8; ++i) tail[1 + zeros + static_cast<size_t>(i)] = static_cast<uint8_t>(bits >> (56 - 8 * i));
    Update(tail, 1 + zeros + 8, block);
  }

 private:
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace xdrsync::detail
