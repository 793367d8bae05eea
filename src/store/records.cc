#include "xdrsync/store/records.h"

#include <utility>

namespace xdrsync::store {
namespace {

// One table per enum, so the names written and the names read can never drift apart.
constexpr std::pair<PairState, std::string_view> kPairStates[] = {
    {PairState::kActive, "active"},
    {PairState::kMerged, "merged"},
    {PairState::kDeletedInSentinel, "deleted-in-sentinel"},
    {PairState::kSourceGone, "source-gone"},
    {PairState::kCreatePending, "create-pending"},
};

constexpr std::pair<CreationWay, std::string_view> kCreationWays[] = {
    {CreationWay::kArm, "arm"},
    {CreationWay::kDefenderAlert, "defender-alert"},
    {CreationWay::kLink, "link"},
};

constexpr std::pair<Direction, std::string_view> kDirections[] = {
    {Direction::kDefenderToSentinel, "defender-to-sentinel"},
    {Direction::kSentinelToDefender, "sentinel-to-defender"},
};

template <typename E, size_t N>
std::string_view NameOf(const std::pair<E, std::string_view> (&table)[N], E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> Lookup(const std::pair<E, std::string_view> (&table)[N], std::string_view name) {
  for (const auto& [e, n] : table) {
    if (n == name) return e;
  }
  return std::nullopt;
}

}  // namespace

std::string_view PairStateName(PairState s) { return NameOf(kPairStates, s); }
std::optional<PairState> ParsePairState(std::string_view s) { return Lookup(kPairStates, s); }

std::string_view CreationWayName(CreationWay w) { return NameOf(kCreationWays, w); }
std::optional<CreationWay> ParseCreationWay(std::string_view s) { return Lookup(kCreationWays, s); }

std::string_view DirectionName(Direction d) { return NameOf(kDirections, d); }
std::optional<Direction> ParseDirection(std::string_view s) { return Lookup(kDirections, s); }

}  // namespace xdrsync::store
