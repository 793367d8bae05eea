// Change capture (spec §8): incremental listings from both watermarks minus the overlap, the pairs
// they touch, both sides of every touched pair read in full, and the redirect chains of merges.
#include <algorithm>
#include <cstdint>

#include "runner_impl.h"
#include "xdrsync/core/uuid.h"

namespace xdrsync::engine {

using domain::Side;

bool IsAuthFailure(const Status& s) {
  return s.code() == Code::kUnauthenticated || s.code() == Code::kPermissionDenied;
}

namespace {

void Newest(std::optional<Timestamp>& slot, std::optional<Timestamp> t) {
  if (t && (!slot || *t > *slot)) slot = t;
}

// Items stamped beyond `limit` are still synced, but flagged: their stamp says nothing about how
// far capture has come. Returns the newest stamp that may move a watermark: the newest one not
// beyond `limit` (a client that did not leave such stamps out already).
template <typename Item>
std::optional<Timestamp> CappedNewest(const std::vector<Item>& items, Timestamp Item::*stamp,
                                      std::optional<Timestamp> newest, Timestamp limit, size_t* future) {
  if (!newest || *newest <= limit) {
    for (const auto& item : items) *future += item.*stamp > limit ? 1u : 0u;
    return newest;
  }
  std::optional<Timestamp> capped;
  for (const auto& item : items) {
    if (item.*stamp > limit) {
      ++*future;
    } else if (!capped || *capped < item.*stamp) {
      capped = item.*stamp;
    }
  }
  return capped;
}

store::QuarantineChange Bad(const std::string& link, Side side, const api::ItemError& e, Timestamp now) {
  store::QuarantineEntry q;
  q.link = link;
  q.side = side;
  q.incident_id = e.id.empty() ? "#" + std::to_string(e.index) : e.id;
  q.error = e.status.ToString();
  q.attempts = 1;
  q.since = now;
  q.updated = now;
  return {q, false};
}

// A listing that came back whole, every item readable, saw every change made before it began
// (on the service's clock: ours plus the offset its Date headers show). The watermark may move
// there though nothing newer was listed, so a quiet link stops listing its last burst once the
// overlap has passed; the overlap, counted back from there, still covers skew and changes shown late.
// A listing that does not say when it began is taken to have begun with the cycle (`cycle_began`).
template <typename Item>
std::optional<Timestamp> ListedUpTo(const api::Listing<Item>& listing, Timestamp cycle_began, int64_t offset_ticks,
                                    Timestamp limit) {
  if (!listing.complete || !listing.errors.empty()) return std::nullopt;
  const Timestamp t = listing.began.value_or(cycle_began).PlusTicks(offset_ticks);
  return t > limit ? limit : t;
}

// The link meta key under which a side's listing continuation is kept.
std::string ContinueKey(Side side) { return std::string("continue_listing.") + std::string(domain::SideName(side)); }

// A listing that ended early (its page budget spent) but read in order saw everything up to its
// newest stamp, and the watermark moved there. Listed again from the watermark minus the overlap,
// a burst of more incidents than one listing reads, all within the overlap, would be listed from
// its start every cycle and what came after it never reached: the next listing goes on from
// that stamp instead (as a listing's own segments do), and once one comes back whole the overlap
// applies again.
void ContinueListing(Side side, bool complete, std::optional<Timestamp> newest, Capture& cap) {
  if (!complete && newest) {
    cap.continuations[side] = newest;
  } else if (complete && cap.continued.count(side)) {
    cap.continuations[side] = std::nullopt;
  }
}

}  // namespace

void AddContinuations(const std::string& link, const Capture& cap, store::Decision& decision) {
  for (const auto& [side, from] : cap.continuations) {
    decision.link_meta.push_back(
        {link, ContinueKey(side), from ? std::optional<std::string>(from->ToString()) : std::nullopt});
  }
}

Status LinkRunner::Impl::CaptureChanges(const CycleOptions& options, Timestamp now, Capture& cap,
                                        CycleReport& report) {
  if (!options.resync.empty()) return CaptureForResync(options.resync, now, cap);
  if (Status s = LoadOutboxRows(now, cap); !s.ok()) return s;
  const std::set<std::string> from_rows = cap.touched;
  std::map<std::string, std::string> listed_etags;  // pair (Defender id) -> Sentinel etag listed
  auto defender_since = ListSince(Side::kDefender, now, cap);
  if (!defender_since.ok()) return defender_since.status();
  if (Status s = ListDefender(*defender_since, now, cap, report); !s.ok()) return s;
  auto sentinel_since = ListSince(Side::kSentinel, now, cap);
  if (!sentinel_since.ok()) return sentinel_since.status();
  if (Status s = ListSentinel(*sentinel_since, now, listed_etags, cap, report); !s.ok()) return s;
  if (Status s = LoadPairs(cap.touched, cap); !s.ok()) return s;

  // A remap concerns twins whose sides did not change, and `plan` shows pending remaps: both read
  // every pair.
  const bool every_pair = options.remap || options.dry_run;
  if (!every_pair) {
    DropUnchanged(from_rows, listed_etags, cap);
    DropCarriedCreations(from_rows, listed_etags, cap);
  }
  if (options.full_sweep) {
    // Every pair still in play whose listings show a change, and every open incident: a missed
    // change is repaired, never lost, at the cost of the list pages and the changed pairs.
    if (Status s = SweepOpen(cap, every_pair); !s.ok()) return s;
  }
  return ReadPairSides(cap, now);
}

Status LinkRunner::Impl::LoadOutboxRows(Timestamp now, Capture& cap) {
  // Writes first: rows left by a crash or a failed attempt make their pairs be re-read and
  // re-planned now; the new decision supersedes them.
  const std::set<int64_t> carried = CarriedRows();  // this process carries them on itself
  auto rows = ctx.store->LinkWrites(Link(), 100'000, carried);
  if (!rows.ok()) return rows.status();
  for (const auto& row : *rows) {
    cap.touched.insert(row.pair.defender_id);
    cap.outbox_rows.push_back(row);
    if (row.next_attempt <= now) cap.due_rows.insert(row.id);
  }
  return Status::Ok();
}

Result<Timestamp> LinkRunner::Impl::ListSince(Side side, Timestamp now, Capture& cap) {
  auto wm = ctx.store->Watermark(Link(), side);
  if (!wm.ok()) return wm.status();
  std::optional<Timestamp> mark = *wm;
  if (mark && *mark > now + ctx.options.future_skew_seconds) {
    // Carried into the future by an earlier run: capture from now, and put the watermark back.
    ctx.log->Warn("watermark.from_future", {{"link", Link()}, {"side", std::string(domain::SideName(side))},
                                            {"watermark", mark->ToString()}, {"now", now.ToString()}});
    cap.repaired_watermarks.push_back({Link(), side, now, true});
    mark = now;
  }
  const int64_t lookback = ctx.options.initial_lookback_hours * 3600;
  Timestamp since = mark ? *mark - ctx.options.overlap_seconds : now - lookback;
  if (auto from = Timestamp::Parse(Meta(ContinueKey(side))); from.ok() && mark && *from > since && *from <= *mark) {
    since = *from;
    cap.continued.insert(side);
  }
  return since;
}

Status LinkRunner::Impl::ListDefender(Timestamp since, Timestamp now, Capture& cap, CycleReport& report) {
  const Timestamp limit = now + ctx.options.future_skew_seconds;
  auto listing = ctx.defender->ListChanged(since, true);
  if (!listing.ok()) return listing.status().Annotate("defender listing");
  for (const auto& e : listing->errors) cap.quarantine.push_back(Bad(Link(), Side::kDefender, e, now));
  report.parse_errors += listing->errors.size();
  size_t future = 0;
  const std::optional<Timestamp> newest =
      CappedNewest(listing->items, &domain::DefenderIncident::last_update, listing->newest, limit, &future);
  Newest(cap.newest_defender, newest);
  Newest(cap.newest_defender, ListedUpTo(*listing, now, ctx.defender->ClockOffset(), limit));
  ContinueListing(Side::kDefender, listing->complete, newest, cap);
  for (auto& d : listing->items) {
    cap.touched.insert(d.id);
    cap.observed.defender[d.id] = std::move(d);
  }
  CountFuture(Side::kDefender, future, limit);
  return Status::Ok();
}

Status LinkRunner::Impl::ListSentinel(Timestamp since, Timestamp now, std::map<std::string, std::string>& listed_etags,
                                      Capture& cap, CycleReport& report) {
  const Timestamp limit = now + ctx.options.future_skew_seconds;
  auto listing = ctx.sentinel->ListChanged(since);
  if (!listing.ok()) return listing.status().Annotate("sentinel listing");
  if (listing->complete && listing->errors.empty()) cap.sentinel_listed_since = since;
  std::vector<std::string> names;
  for (const auto& s : listing->items) names.push_back(s.name);
  auto by_sentinel = PairsOfTwins(names, cap);
  if (!by_sentinel.ok()) return by_sentinel.status();
  for (const auto& s : listing->items) {
    if (cap.sentinel_listed_since) cap.sentinel_listed.insert(s.name);
    auto it = by_sentinel->find(s.name);
    if (it != by_sentinel->end()) {
      cap.touched.insert(it->second);
      listed_etags[it->second] = s.etag;
    } else if (ctx.policy->mode == reconcile::LinkMode::kMirror) {
      NoteLabelledTwin(s, cap);
    } else if (ctx.policy->mode == reconcile::LinkMode::kLink && domain::IsDefenderProviderName(s.provider_name) &&
               !s.provider_incident_id.empty()) {
      cap.touched.insert(s.provider_incident_id);  // a connector incident to pair with
      cap.observed.sentinel[s.name] = s;
    }
  }
  for (const auto& e : listing->errors) cap.quarantine.push_back(Bad(Link(), Side::kSentinel, e, now));
  report.parse_errors += listing->errors.size();
  size_t future = 0;
  const std::optional<Timestamp> newest =
      CappedNewest(listing->items, &domain::SentinelIncident::last_modified, listing->newest, limit, &future);
  Newest(cap.newest_sentinel, newest);
  Newest(cap.newest_sentinel, ListedUpTo(*listing, now, ctx.sentinel->ClockOffset(), limit));
  ContinueListing(Side::kSentinel, listing->complete, newest, cap);
  CountFuture(Side::kSentinel, future, limit);
  return Status::Ok();
}

void LinkRunner::Impl::CountFuture(Side side, size_t future, Timestamp limit) {
  if (future == 0) return;
  const Labels labels = {{"link", Link()}, {"side", std::string(domain::SideName(side))}};
  ctx.metrics->Add("xdrsync_future_timestamps_total", labels, static_cast<double>(future));
  ctx.log->Warn("capture.future_timestamps", {{"link", Link()}, {"side", std::string(domain::SideName(side))},
                                              {"items", std::to_string(future)}, {"limit", limit.ToString()}});
}

void NoteLabelledTwin(const domain::SentinelIncident& s, Capture& cap) {
  if (auto twin = domain::TwinIdFromLabels(s)) cap.labelled_candidates.emplace_back(*twin, s.name);
}

bool LinkRunner::Impl::TwinKnownAbsent(Capture& cap, const domain::DefenderIncident& d, const std::string& twin_id) {
  // A defender-alert twin is named by the service: a read by the twin id cannot find it (its
  // label can, above; its creator searches by marker before it creates).
  if (ctx.creator != nullptr && ctx.creator->Way() == "defender-alert") return true;
  // An arm twin of `d` is made after `d` was created, and so modified since: when the listing
  // covered that time (with a margin for the two services' clocks) and did not list it, there is
  // none.
  constexpr int64_t kClockMargin = 60;
  if (!cap.sentinel_listed_since || d.created < *cap.sentinel_listed_since + kClockMargin ||
      cap.sentinel_listed.count(twin_id)) {
    return false;
  }
  cap.known_absent.insert(twin_id);
  return true;
}

void LinkRunner::Impl::NoteDefenderMissing(const std::string& id, Timestamp now, Capture& cap) {
  // Gone only after two 404s at least one full sweep apart, never because a list left it out.
  const std::string key = "gone:" + id;
  const std::string first = Meta(key);
  const std::string last_sweep = Meta("last_full_sweep");
  if (first.empty()) {
    (void)ctx.store->SetLinkMeta(Link(), key, now.ToString());
    return;
  }
  auto first_t = Timestamp::Parse(first);
  auto sweep_t = Timestamp::Parse(last_sweep);
  if (first_t.ok() && sweep_t.ok() && *sweep_t > *first_t) cap.observed.defender_gone.insert(id);
}

Status LinkRunner::Impl::ReadPairSides(Capture& cap, Timestamp now) {
  if (Status s = ResolveLabelledTwins(cap); !s.ok()) return s;
  if (Status s = FollowMergeChains(cap); !s.ok()) return s;
  for (const std::string& id : cap.touched) {
    auto pit = cap.pairs.find(id);
    const store::Pair* pair = pit == cap.pairs.end() ? nullptr : &pit->second;
    if (pair && pair->state != store::PairState::kActive && pair->state != store::PairState::kMerged &&
        pair->state != store::PairState::kCreatePending) {
      continue;
    }
    if (!cap.observed.defender.count(id) && !(pair && pair->state == store::PairState::kMerged)) {
      auto d = ctx.defender->Get(id);
      if (d.ok()) {
        cap.observed.defender[id] = std::move(*d);
      } else if (d.status().code() == Code::kNotFound) {
        if (pair) NoteDefenderMissing(id, now, cap);
      } else if (IsAuthFailure(d.status())) {
        return d.status();
      } else if (d.status().code() == Code::kParseError) {
        cap.quarantine.push_back(Bad(Link(), Side::kDefender, {0, id, d.status()}, now));
      } else {
        ctx.log->Warn("pair.read_failed", {{"link", Link()}, {"defender_id", id}, {"error", d.status().ToString()}});
      }
    }
    std::string name;
    if (pair && pair->state != store::PairState::kCreatePending) {
      name = pair->sentinel_id;
    } else if (ctx.policy->mode == reconcile::LinkMode::kMirror && cap.observed.defender.count(id)) {
      name = TwinId(ctx.policy->defender_tenant_id, id);  // a twin made before the state was lost
      if (auto l = cap.labelled_twins.find(name); l != cap.labelled_twins.end()) {
        name = l->second;
      } else if (cap.known_absent.count(name) ||
                 (pair == nullptr && TwinKnownAbsent(cap, cap.observed.defender.at(id), name))) {
        continue;
      }
    } else {
      for (const auto& [n, s] : cap.observed.sentinel) {
        if (s.provider_incident_id == id) name = n;
      }
    }
    if (name.empty()) continue;
    auto s = ctx.sentinel->Get(name);
    if (s.ok()) {
      cap.observed.sentinel[name] = std::move(*s);
    } else if (s.status().code() == Code::kNotFound) {
      if (pair && pair->state == store::PairState::kActive) cap.observed.sentinel_missing.insert(name);
    } else if (IsAuthFailure(s.status())) {
      return s.status();
    } else {
      ctx.log->Warn("pair.read_failed", {{"link", Link()}, {"sentinel_id", name}, {"error", s.status().ToString()}});
    }
  }
  return FollowRedirects(cap);
}

Status LinkRunner::Impl::FollowMergeChains(Capture& cap) {
  if (Status s = LoadPairs(cap.touched, cap); !s.ok()) return s;
  // A merged pair's later edits go to its survivor: read the survivor's pair too.
  for (std::string id : std::set<std::string>(cap.touched)) {
    for (int hop = 0; hop < 32; ++hop) {
      if (Status s = LoadPairs({id}, cap); !s.ok()) return s;
      auto it = cap.pairs.find(id);
      if (it == cap.pairs.end() || it->second.state != store::PairState::kMerged) break;
      id = it->second.redirect_target;
      cap.touched.insert(id);
    }
  }
  return Status::Ok();
}

Status LinkRunner::Impl::FollowRedirects(Capture& cap) {
  // Read every incident on a redirect chain (with a bound: chains can loop) and its twin.
  for (int hop = 0; hop < 32; ++hop) {
    std::vector<std::string> missing;
    for (const auto& [id, d] : cap.observed.defender) {
      if (d.status.value == domain::DStatus::kRedirected && d.redirect_incident_id &&
          !cap.observed.defender.count(*d.redirect_incident_id)) {
        missing.push_back(*d.redirect_incident_id);
      }
    }
    if (missing.empty()) break;
    for (const auto& id : missing) {
      auto d = ctx.defender->Get(id);
      if (!d.ok()) {
        if (IsAuthFailure(d.status())) return d.status();
        continue;
      }
      cap.observed.defender[id] = std::move(*d);
      if (Status s = LoadPairs({id}, cap); !s.ok()) return s;
      auto pit = cap.pairs.find(id);
      if (pit != cap.pairs.end() && !pit->second.sentinel_id.empty() &&
          !cap.observed.sentinel.count(pit->second.sentinel_id)) {
        auto s = ctx.sentinel->Get(pit->second.sentinel_id);
        if (s.ok()) cap.observed.sentinel[pit->second.sentinel_id] = std::move(*s);
      }
    }
  }
  cap.observed.defender_clock_offset = ctx.defender->ClockOffset();
  cap.observed.sentinel_clock_offset = ctx.sentinel->ClockOffset();
  return Status::Ok();
}

}  // namespace xdrsync::engine
