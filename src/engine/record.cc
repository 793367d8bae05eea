// The record step of a cycle: the decision (pair rows, bases, creation snapshots, conflicts,
// quarantine, sightings), the outbox rows of its writes and the watermarks, in one transaction,
// durable before the first write is sent (spec §9).
#include <algorithm>

#include "bridge.h"
#include "runner_impl.h"
#include "xdrsync/reconcile/reconciler.h"

namespace xdrsync::engine {

using domain::Side;

Status LinkRunner::Impl::Record(Cycle& c) {
  const reconcile::Plan& plan = c.report.plan;
  Capture& cap = c.cap;
  store::Decision decision;
  for (const auto& cf : plan.conflicts) decision.conflicts.push_back(ToStoreConflict(Link(), cf, c.now));
  decision.quarantine = cap.quarantine;
  if (plan.held) {
    c.report.held = true;
    c.report.writes_planned = 0;
    ctx.log->Warn("cycle.held", {{"link", Link()}, {"reason", plan.held_reason}});
    ctx.metrics->Add("xdrsync_cycles_held_total", {{"link", Link()}});
    return ctx.store->RecordDecision(decision);
  }
  // The pair rows below keep what the stored rows hold (creation time, way, marker): every pair the
  // plan touches must have been loaded (a no-op unless a plan names a pair capture did not load).
  std::set<std::string> planned;
  for (const auto& u : plan.pairs) planned.insert(u.state.defender_id);
  for (const auto& cr : plan.creations) planned.insert(cr.defender_id);
  if (Status s = LoadPairs(planned, c.cap); !s.ok()) return s;
  decision.pairs = c.completed;
  decision.bases = c.seeded_bases;
  RecordResync(cap, c.now, decision);
  AddCreationSnapshots(c, decision);
  AddPairRows(c, decision);
  for (auto& b : ToBaseMoves(Link(), plan.base_updates)) decision.bases.push_back(std::move(b));
  AddOutboxRows(c, decision);
  // Watermarks move with the decision: everything the listings showed is now either decided or
  // durable as an outbox row that makes the next cycle look again.
  for (const auto& repair : cap.repaired_watermarks) decision.watermarks.push_back(repair);
  if (cap.newest_defender) decision.watermarks.push_back({Link(), Side::kDefender, *cap.newest_defender});
  if (cap.newest_sentinel) decision.watermarks.push_back({Link(), Side::kSentinel, *cap.newest_sentinel});
  AddContinuations(Link(), cap, decision);
  if (c.options.full_sweep) decision.link_meta.push_back({Link(), "last_full_sweep", c.now.ToString()});
  decision.seen = SeenMarks(c.in, cap, plan);
  recorded_seen.clear();
  write_answers.clear();
  for (const auto& m : decision.seen) {
    if (!m.defender.is_zero()) recorded_seen[m.pair.defender_id] = m;
  }
  std::vector<int64_t> fresh;  // the ids the store gave the new rows, in the order of decision.outbox
  if (Status s = ctx.store->RecordDecision(decision, &fresh); !s.ok()) return s;
  size_t next = 0;
  for (auto& w : c.writes) {
    if (w.reused) continue;
    if (next >= fresh.size()) return Internal("outbox rows recorded do not match the plan");
    w.outbox_id = fresh[next++];
  }
  return Status::Ok();
}

void LinkRunner::Impl::AddCreationSnapshots(const Cycle& c, store::Decision& decision) {
  for (const auto& cr : c.report.plan.creations) {
    // What the creation is planned from and what it writes: the bases if its confirmation is lost.
    // A creation planned again keeps its first snapshots: an earlier attempt may have made the twin.
    if (auto old = c.cap.pairs.find(cr.defender_id);
        old != c.cap.pairs.end() && old->second.state == store::PairState::kCreatePending) {
      if (auto snap = ctx.store->Observed(old->second.key, Side::kDefender); snap.ok() && *snap) continue;
    }
    const auto& d = c.cap.observed.defender.at(cr.defender_id);
    decision.observed.push_back(
        {{Link(), cr.defender_id}, Side::kDefender, reconcile::DefenderValues(d), {d.last_update, ""}, c.now});
    decision.observed.push_back({{Link(), cr.defender_id}, Side::kSentinel, domain::CanonicalSentinel(cr.incident),
                                 {Timestamp(), ""}, c.now});
  }
}

void LinkRunner::Impl::AddPairRows(const Cycle& c, store::Decision& decision) {
  std::set<std::string> creating;
  for (const auto& cr : c.report.plan.creations) creating.insert(cr.defender_id);
  for (const auto& u : c.report.plan.pairs) {
    store::Pair p = ToStorePair(Link(), u.state, Way(), c.now);
    if (creating.count(u.state.defender_id)) {
      // Durable before the call; the pair turns active only when the twin is confirmed, so a failed
      // create is retried, never mistaken for a twin deleted in Sentinel.
      p.state = store::PairState::kCreatePending;
      p.marker = u.state.sentinel_id;
      if (Way() == store::CreationWay::kDefenderAlert) p.sentinel_id.clear();
    }
    if (auto old = c.cap.pairs.find(u.state.defender_id); old != c.cap.pairs.end()) {
      p.created = old->second.created;
      p.way = old->second.way;
      p.marker = p.marker.empty() ? old->second.marker : p.marker;
    }
    decision.pairs.push_back(p);
  }
}

void LinkRunner::Impl::AddOutboxRows(Cycle& c, store::Decision& decision) {
  const reconcile::Plan& plan = c.report.plan;
  c.unplanned = c.cap.outbox_rows;
  auto add = [&](PendingWrite::Kind kind, size_t index, const std::string& pair, Side target, const char* what,
                 std::string payload) {
    PendingWrite w{kind, index, 0, 0, false, false};
    // The same write planned again (a retry, a replay after a crash) carries on in its earlier
    // row, so its attempts count and backoff survive re-planning.
    auto it = std::find_if(c.unplanned.begin(), c.unplanned.end(), [&](const store::OutboxEntry& r) {
      return r.pair.defender_id == pair && r.target == target && r.kind == what;
    });
    if (it != c.unplanned.end()) {
      w.outbox_id = it->id;
      w.attempts = it->attempts;
      w.reused = true;
      w.deferred = !c.cap.due_rows.count(it->id);
      c.unplanned.erase(it);
    } else {
      decision.outbox.push_back({0, {Link(), pair}, target, what, std::move(payload), c.now, c.now, 0, ""});
    }
    c.writes.push_back(w);
  };
  for (size_t i = 0; i < plan.creations.size(); ++i) {
    add(PendingWrite::Kind::kCreate, i, plan.creations[i].defender_id, Side::kSentinel, "create",
        DescribeWrite(plan.creations[i]));
  }
  for (size_t i = 0; i < plan.sentinel_writes.size(); ++i) {
    add(PendingWrite::Kind::kSentinel, i, plan.sentinel_writes[i].defender_id, Side::kSentinel, "put",
        DescribeWrite(plan.sentinel_writes[i]));
  }
  for (size_t i = 0; i < plan.defender_writes.size(); ++i) {
    add(PendingWrite::Kind::kDefender, i, plan.defender_writes[i].defender_id, Side::kDefender, "patch",
        DescribeWrite(plan.defender_writes[i]));
  }
  for (size_t i = 0; i < plan.comments.size(); ++i) {
    add(PendingWrite::Kind::kComment, i, plan.comments[i].defender_id, plan.comments[i].target, "comment",
        DescribeWrite(plan.comments[i]));
  }
}

}  // namespace xdrsync::engine
