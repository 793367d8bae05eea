#include "xdrsync/core/shard.h"

#include <charconv>
#include <optional>

namespace xdrsync {
namespace {

std::optional<uint32_t> Number(std::string_view text) {
  uint32_t v = 0;
  if (text.empty() || text.size() > 9) return std::nullopt;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

// A plain number, or the trailing "-<number>" of a StatefulSet pod name.
std::optional<uint32_t> Ordinal(std::string_view text) {
  if (auto n = Number(text)) return n;
  const size_t dash = text.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  return Number(text.substr(dash + 1));
}

}  // namespace

uint64_t Fnv1a64(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

Result<Shard> ParseShard(std::string_view spec) {
  const std::string shown(spec.substr(0, 80));
  const size_t slash = spec.rfind('/');
  if (slash == std::string_view::npos) {
    return InvalidArgument("shard '" + shown + "' is not ORDINAL/COUNT (e.g. 2/4 or xdrsync-2/4)");
  }
  const auto ordinal = Ordinal(spec.substr(0, slash));
  const auto count = Number(spec.substr(slash + 1));
  if (!ordinal) {
    return InvalidArgument("shard '" + shown + "': the ordinal is neither a number nor a pod name ending in -<number>");
  }
  if (!count || *count < 1 || *count > kMaxShards) {
    return InvalidArgument("shard '" + shown + "': the count must be a whole number from 1 to " +
                           std::to_string(kMaxShards));
  }
  if (*ordinal >= *count) {
    return InvalidArgument("shard '" + shown + "': the ordinal must be below the count (0 to " +
                           std::to_string(*count - 1) + ")");
  }
  return Shard{*ordinal, *count};
}

}  // namespace xdrsync
