// Sharding links across processes (docs/scaling.md): process ORDINAL of COUNT serves exactly the
// links whose FNV-1a 64 hash of the name, modulo COUNT, equals ORDINAL. The hash is fixed by this
// header: every version of xdrsync assigns a link to the same ordinal for the same COUNT.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "xdrsync/core/status.h"

namespace xdrsync {

// FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3), over the bytes of `text`.
uint64_t Fnv1a64(std::string_view text);

struct Shard {
  uint32_t ordinal = 0;
  uint32_t count = 1;  // 1: one process serves every link

  // Does this process serve `link`?
  bool Serves(std::string_view link) const { return count <= 1 || Fnv1a64(link) % count == ordinal; }
  std::string ToString() const { return std::to_string(ordinal) + "/" + std::to_string(count); }
};

inline constexpr uint32_t kMaxShards = 1024;

// "ORDINAL/COUNT". ORDINAL is a number, or a StatefulSet pod name ending in "-<number>"
// ("xdrsync-3" is 3), so a manifest can pass "$(POD_NAME)/$(XDRSYNC_SHARDS)". COUNT is 1 to 1024 and
// ORDINAL below it. kInvalidArgument with one line saying what is wrong.
Result<Shard> ParseShard(std::string_view spec);

}  // namespace xdrsync
