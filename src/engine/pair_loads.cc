// The pairs a cycle looks at, read from the store by the ids capture found (listed incidents,
// outbox rows, merge chains, redirects, a sweep's changed pairs), so a cycle's memory and store
// work follow the changes, not the size of the link. A sweep pages through the link.
#include "runner_impl.h"

namespace xdrsync::engine {

namespace {

// Pairs a full sweep holds at a time.
constexpr int64_t kSweepPage = 1000;

}  // namespace

void KeepPair(const store::Pair& p, Capture& cap) {
  if (cap.pairs_asked.insert(p.key.defender_id).second) cap.pairs[p.key.defender_id] = p;
}

Status LinkRunner::Impl::LoadPairs(const std::set<std::string>& ids, Capture& cap) {
  std::vector<std::string> wanted;
  for (const auto& id : ids) {
    if (!cap.pairs_asked.count(id)) wanted.push_back(id);
  }
  if (wanted.empty()) return Status::Ok();
  auto found = ctx.store->PairsByDefenderIds(Link(), wanted);
  if (!found.ok()) return found.status();
  cap.pairs_asked.insert(wanted.begin(), wanted.end());
  for (auto& p : *found) cap.pairs[p.key.defender_id] = std::move(p);
  return Status::Ok();
}

Result<std::map<std::string, std::string>> LinkRunner::Impl::PairsOfTwins(const std::vector<std::string>& names,
                                                                           Capture& cap) {
  std::map<std::string, std::string> by_sentinel;
  if (names.empty()) return by_sentinel;
  auto found = ctx.store->PairsBySentinelIds(Link(), names);
  if (!found.ok()) return found.status();
  for (const auto& p : *found) {
    by_sentinel[p.sentinel_id] = p.key.defender_id;
    KeepPair(p, cap);
  }
  return by_sentinel;
}

Status LinkRunner::Impl::ResolveLabelledTwins(Capture& cap) {
  if (cap.labelled_candidates.empty()) return Status::Ok();
  // A candidate is known when a pair has its twin id or its name as Sentinel id or as marker.
  // Most are known by Sentinel id (indexed); only the rest are looked for by marker.
  std::set<std::string> known;
  auto unknown = [&] {
    std::vector<std::string> ids;
    for (const auto& [twin, name] : cap.labelled_candidates) {
      if (known.count(twin) || known.count(name)) continue;
      ids.push_back(twin);
      ids.push_back(name);
    }
    return ids;
  };
  auto by_name = ctx.store->PairsBySentinelIds(Link(), unknown());
  if (!by_name.ok()) return by_name.status();
  for (const auto& p : *by_name) known.insert(p.sentinel_id);
  if (auto rest = unknown(); !rest.empty()) {
    auto by_marker = ctx.store->PairsByMarkers(Link(), rest);
    if (!by_marker.ok()) return by_marker.status();
    for (const auto& p : *by_marker) known.insert(p.marker);
  }
  for (const auto& [twin, name] : cap.labelled_candidates) {
    if (!known.count(twin) && !known.count(name)) cap.labelled_twins[twin] = name;
  }
  cap.labelled_candidates.clear();
  return Status::Ok();
}

Status LinkRunner::Impl::ForEachPair(const std::function<Status(const store::Pair&)>& visit) {
  return store::ForEachPair(*ctx.store, Link(), visit, kSweepPage);
}

}  // namespace xdrsync::engine
