// The full sweep (spec §8) at the cost of its changes: both sides' open incidents are listed, and
// only the pairs whose listings differ from how they looked when last reconciled are read in full.
// A pair's sighting (store::Pair::seen_*) is recorded with each decision that reconciled it.
#include <map>
#include <string>
#include <vector>

#include "runner_impl.h"

namespace xdrsync::engine {

using domain::Side;

namespace {

bool DefenderOpen(const domain::DefenderIncident& d) {
  return d.status.value != domain::DStatus::kResolved && d.status.value != domain::DStatus::kRedirected;
}

bool SentinelOpen(const domain::SentinelIncident& s) {
  return s.status.value == domain::SStatus::kNew || s.status.value == domain::SStatus::kActive;
}

// Both sides look as they did when the pair was last reconciled: each is listed open exactly when
// it was open then, with the same stamp. (A side closed then and closed now is not listed; a change
// to it reaches the incremental capture, which lists by modification time.) `twin_etag` is the
// etag of the pair's twin as listed open, null when it was not.
bool LooksAsSeen(const store::Pair& p, const domain::DefenderIncident* d, const std::string* twin_etag) {
  if (p.seen_defender.is_zero()) return false;
  const bool d_was_open = (p.seen_open & store::kSeenDefenderOpen) != 0;
  const bool s_was_open = (p.seen_open & store::kSeenSentinelOpen) != 0;
  if (d_was_open != (d != nullptr) || s_was_open != (twin_etag != nullptr)) return false;
  if (d && d->last_update != p.seen_defender) return false;
  if (twin_etag && *twin_etag != p.seen_sentinel) return false;
  return true;
}

bool InPlay(const store::Pair& p) {
  return p.state == store::PairState::kActive || p.state == store::PairState::kMerged;
}

}  // namespace

// The sweep holds only what it keeps: each open twin as its etag, each open incident whose pair
// looks as seen as its id, and whole only the open incidents that changed or have no pair. The
// listings are handed over a page at a time, so at 100,000 open pairs it holds a few megabytes,
// not the listings (every incident with its alerts).
Status LinkRunner::Impl::SweepOpen(Capture& cap, bool every_pair) {
  SweepListings seen;
  const bool labelled = ctx.policy->mode == reconcile::LinkMode::kMirror && ctx.creator->Way() == "defender-alert";
  auto twins = ctx.sentinel->ListOpen([&](std::vector<domain::SentinelIncident>&& page) {
    for (auto& s : page) {
      if (labelled) NoteLabelledTwin(s, cap);
      seen.twin_etags[s.name] = std::move(s.etag);  // a later copy is the newer one
    }
    return Status::Ok();
  });
  if (!twins.ok()) return twins.status().Annotate("sentinel sweep");
  auto open = ctx.defender->ListOpen(true, [&](std::vector<domain::DefenderIncident>&& page) {
    return SortOpenPage(std::move(page), every_pair, cap, seen);
  });
  if (!open.ok()) return open.status().Annotate("defender sweep");
  // A listing that ended early says nothing of what it left out: every pair is read then (and
  // when asked: a remap concerns pairs whose sides did not change). An incident set aside as
  // unchanged is then read by id.
  const bool complete = open->complete && twins->complete && !every_pair;

  size_t skipped = 0;
  // Every pair, a page at a time: those whose listings show a change are touched (and kept), the
  // open incidents of unchanged ones are not read.
  Status paged = ForEachPair([&](const store::Pair& p) {
    if (!InPlay(p)) return Status::Ok();
    const std::string& id = p.key.defender_id;
    if (complete && seen.unchanged.count(id)) {
      ++skipped;
      return Status::Ok();
    }
    if (complete && !seen.changed.count(id)) {
      auto t = p.sentinel_id.empty() ? seen.twin_etags.end() : seen.twin_etags.find(p.sentinel_id);
      if (LooksAsSeen(p, nullptr, t == seen.twin_etags.end() ? nullptr : &t->second)) {
        ++skipped;
        return Status::Ok();
      }
    }
    cap.touched.insert(id);
    KeepPair(p, cap);
    return Status::Ok();
  });
  if (!paged.ok()) return paged;
  for (auto& [id, d] : seen.changed) {
    cap.touched.insert(id);
    if (!cap.observed.defender.count(id)) cap.observed.defender[id] = std::move(d);
  }
  ctx.metrics->Add("xdrsync_sweep_pairs_skipped_total", {{"link", Link()}}, static_cast<double>(skipped));
  ctx.log->Info("sweep.listed", {{"link", Link()},
                                 {"defender_open", std::to_string(seen.changed.size() + seen.unchanged.size())},
                                 {"defender_open_changed", std::to_string(seen.changed.size())},
                                 {"sentinel_open", std::to_string(seen.twin_etags.size())},
                                 {"pairs_unchanged", std::to_string(skipped)},
                                 {"complete", complete ? "true" : "false"}});
  return Status::Ok();
}

Status LinkRunner::Impl::SortOpenPage(std::vector<domain::DefenderIncident>&& page, bool keep_all, Capture& cap,
                                      SweepListings& seen) {
  std::vector<std::string> ids;
  ids.reserve(page.size());
  for (const auto& d : page) ids.push_back(d.id);
  auto pairs = ctx.store->PairsByDefenderIds(Link(), ids);
  if (!pairs.ok()) return pairs.status();
  std::map<std::string, const store::Pair*> by_id;
  for (const auto& p : *pairs) by_id[p.key.defender_id] = &p;
  for (auto& d : page) {
    auto p = by_id.find(d.id);
    const std::string* twin_etag = nullptr;
    if (p != by_id.end() && !p->second->sentinel_id.empty()) {
      auto t = seen.twin_etags.find(p->second->sentinel_id);
      if (t != seen.twin_etags.end()) twin_etag = &t->second;
    }
    // An incident the incremental capture touched is kept: it is read this cycle anyway.
    if (!keep_all && p != by_id.end() && InPlay(*p->second) && !cap.touched.count(d.id) &&
        LooksAsSeen(*p->second, &d, twin_etag)) {
      seen.changed.erase(d.id);
      seen.unchanged.insert(d.id);
      continue;
    }
    seen.unchanged.erase(d.id);
    const std::string id = d.id;
    seen.changed[id] = std::move(d);
  }
  return Status::Ok();
}

void LinkRunner::Impl::DropUnchanged(const std::set<std::string>& from_rows,
                                     const std::map<std::string, std::string>& listed_etags, Capture& cap) {
  size_t dropped = 0;
  for (auto it = cap.touched.begin(); it != cap.touched.end();) {
    const std::string& id = *it;
    auto pit = cap.pairs.find(id);
    if (from_rows.count(id) || pit == cap.pairs.end() || pit->second.state != store::PairState::kActive ||
        pit->second.seen_defender.is_zero()) {
      ++it;
      continue;
    }
    const store::Pair& p = pit->second;
    auto d = cap.observed.defender.find(id);
    auto s = listed_etags.find(id);
    const bool d_news = d != cap.observed.defender.end() && d->second.last_update != p.seen_defender;
    const bool s_news = s != listed_etags.end() && s->second != p.seen_sentinel;
    if (d_news || s_news) {
      ++it;
      continue;
    }
    if (d != cap.observed.defender.end()) cap.observed.defender.erase(d);
    it = cap.touched.erase(it);
    ++dropped;
  }
  if (dropped > 0) ctx.metrics->Add("xdrsync_capture_pairs_unchanged_total", {{"link", Link()}}, static_cast<double>(dropped));
}

void LinkRunner::Impl::DropCarriedCreations(const std::set<std::string>& from_rows,
                                            const std::map<std::string, std::string>& listed_etags, Capture& cap) {
  // The creations this process carries and has not attempted yet, by Defender id.
  std::map<std::string, const Backlog*> carried;
  for (const auto& batch : backlog) {
    for (const auto& w : batch.writes) {
      if (w.kind == PendingWrite::Kind::kCreate && w.attempts == 0 && !w.reused && !w.deferred) {
        carried[batch.plan.creations[w.index].defender_id] = &batch;
      }
    }
  }
  if (carried.empty()) return;
  size_t dropped = 0;
  for (auto it = cap.touched.begin(); it != cap.touched.end();) {
    const std::string& id = *it;
    auto pit = cap.pairs.find(id);
    auto c = carried.find(id);
    auto d = cap.observed.defender.find(id);
    // Only what the Defender listing alone touched: a listed twin means someone made it.
    if (c == carried.end() || from_rows.count(id) || listed_etags.count(id) || pit == cap.pairs.end() ||
        pit->second.state != store::PairState::kCreatePending || d == cap.observed.defender.end()) {
      ++it;
      continue;
    }
    const Backlog& batch = *c->second;
    if (d->second.last_update != batch.sources.at(id).last_update) {
      // Changed since it was planned: planned again from this read (and its carried creation
      // superseded), without a read of a twin no attempt of ours made.
      for (const auto& cr : batch.plan.creations) {
        if (cr.defender_id == id && batch.known_absent.count(cr.twin_id)) cap.known_absent.insert(cr.twin_id);
      }
      ++it;
      continue;
    }
    cap.observed.defender.erase(d);
    it = cap.touched.erase(it);
    ++dropped;
  }
  if (dropped > 0) {
    ctx.metrics->Add("xdrsync_capture_creations_carried_total", {{"link", Link()}}, static_cast<double>(dropped));
  }
}

std::vector<store::SeenMark> SeenMarks(const reconcile::Input& in, const Capture& cap, const reconcile::Plan& plan) {
  std::set<std::string> creating;
  for (const auto& c : plan.creations) creating.insert(c.defender_id);
  std::vector<store::SeenMark> marks;
  for (const auto& [id, state] : in.pairs) {
    auto pit = cap.pairs.find(id);
    if (pit == cap.pairs.end() || creating.count(id)) continue;
    const store::Pair& pair = pit->second;
    const bool active = pair.state == store::PairState::kActive;
    if (!active && pair.state != store::PairState::kMerged) continue;
    if (plan.revisit.count(id)) {
      if (!pair.seen_defender.is_zero()) marks.push_back({pair.key, Timestamp(), "", 0});
      continue;
    }
    if (!active) continue;  // a tombstone is given no sighting, only a forgotten one
    auto d = in.observed.defender.find(id);
    auto s = in.observed.sentinel.find(pair.sentinel_id);
    if (d == in.observed.defender.end() || s == in.observed.sentinel.end()) continue;
    const int open = (DefenderOpen(d->second) ? store::kSeenDefenderOpen : 0) |
                     (SentinelOpen(s->second) ? store::kSeenSentinelOpen : 0);
    if (pair.seen_defender == d->second.last_update && pair.seen_sentinel == s->second.etag && pair.seen_open == open) {
      continue;
    }
    marks.push_back({pair.key, d->second.last_update, s->second.etag, open});
  }
  return marks;
}

void LinkRunner::Impl::NoteAnswer(const std::string& defender_id, const domain::SentinelIncident& answer, bool held) {
  WriteAnswers& a = write_answers[defender_id];
  a.held = a.held || held || answer.etag.empty();
  a.sentinel = {answer.etag, SentinelOpen(answer)};
}

void LinkRunner::Impl::NoteAnswer(const std::string& defender_id, const domain::DefenderIncident& answer, bool held) {
  WriteAnswers& a = write_answers[defender_id];
  a.held = a.held || held || answer.last_update.is_zero();
  a.defender = {answer.last_update, DefenderOpen(answer)};
}

void LinkRunner::Impl::RecordSightingsAfterWrites(const Backlog& fresh, const std::vector<bool>& ok) {
  // Our own write shows in the next listing as a change (a new etag, a new lastUpdateDateTime),
  // and the pair used to be read again for it: two ARM reads per change, for nothing. Its answer
  // says how that side looks now, so for a pair whose writes this cycle were field writes only,
  // all confirmed, the decision's sighting moves to it. Anything else (a comment, a creation, a
  // write left for later or failed, a base held back until both sides are seen) keeps the pair's
  // sighting as recorded, and the next listing has it read again.
  std::map<std::string, bool> only_fields_done;
  for (size_t i = 0; i < fresh.writes.size(); ++i) {
    const PendingWrite& w = fresh.writes[i];
    const bool field = w.kind == PendingWrite::Kind::kSentinel || w.kind == PendingWrite::Kind::kDefender;
    auto [it, first] = only_fields_done.emplace(PairOf(fresh.plan, w), true);
    it->second = it->second && field && ok[i];
  }
  store::Decision d;
  for (const auto& [id, all_ok] : only_fields_done) {
    auto rec = recorded_seen.find(id);
    auto ans = write_answers.find(id);
    if (!all_ok || rec == recorded_seen.end() || ans == write_answers.end() || ans->second.held) continue;
    store::SeenMark mark = rec->second;
    // Someone changed the Defender incident between the plan's read and ours before the PATCH
    // (a field we do not write: the PATCH went ahead): the answer carries that change, which the
    // next listing must still show as one (found by chaos seed 2: a resolution never synced).
    if (ans->second.defender && ans->second.defender_read != std::optional<Timestamp>(rec->second.defender)) continue;
    if (const auto& a = ans->second.defender) {
      mark.defender = a->first;
      mark.open = a->second ? (mark.open | store::kSeenDefenderOpen) : (mark.open & ~store::kSeenDefenderOpen);
    }
    if (const auto& a = ans->second.sentinel) {
      mark.sentinel = a->first;
      mark.open = a->second ? (mark.open | store::kSeenSentinelOpen) : (mark.open & ~store::kSeenSentinelOpen);
    }
    d.seen.push_back(std::move(mark));
  }
  recorded_seen.clear();
  write_answers.clear();
  if (!d.seen.empty()) (void)confirms.Record(std::move(d));
}

}  // namespace xdrsync::engine
