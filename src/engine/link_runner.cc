#include "xdrsync/engine/link_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>

#include "bridge.h"
#include "runner_impl.h"
#include "xdrsync/reconcile/reconciler.h"

namespace xdrsync::engine {

using domain::Side;

LinkRunner::LinkRunner(LinkContext ctx) : impl_(std::make_unique<Impl>(std::move(ctx))) {}
LinkRunner::~LinkRunner() = default;
const std::string& LinkRunner::name() const { return impl_->Link(); }

std::string LinkRunner::Impl::Meta(const std::string& key) {
  auto v = ctx.store->LinkMeta(Link(), key);
  return v.ok() && *v ? **v : std::string();
}

store::CreationWay LinkRunner::Impl::Way() const {
  if (ctx.policy->mode == reconcile::LinkMode::kLink) return store::CreationWay::kLink;
  return ctx.creator != nullptr && ctx.creator->Way() == "defender-alert" ? store::CreationWay::kDefenderAlert
                                                                          : store::CreationWay::kArm;
}

reconcile::LinkPolicy LinkRunner::Impl::EffectivePolicy() {
  reconcile::LinkPolicy p = *ctx.policy;
  p.defender_refuses_in_progress = Meta("defender.in_progress") == "refused";
  p.defender_refuses_resolving_comment = Meta("defender.resolving_comment") == "refused";
  return p;
}

void LinkRunner::Impl::LogChanges(Side target, const std::string& defender_id, const std::string& sentinel_id,
                                  const std::vector<reconcile::FieldChange>& changes) {
  const std::string direction = target == Side::kSentinel ? "defender-to-sentinel" : "sentinel-to-defender";
  for (const auto& c : changes) {
    ctx.metrics->Add("xdrsync_changes_propagated_total",
                     {{"link", Link()}, {"direction", direction}, {"field", std::string(domain::FieldName(c.field))}});
    ctx.log->Info("change.propagated", {{"link", Link()}, {"defender_id", defender_id}, {"sentinel_id", sentinel_id},
                                        {"field", std::string(domain::FieldName(c.field))}, {"direction", direction},
                                        {"from", c.from}, {"to", c.to}, {"cause", c.cause}});
  }
}

namespace {

// Observations whose stamp is the one our own write produced: echoes the bases absorb.
size_t CountEchoes(const reconcile::Input& in) {
  size_t n = 0;
  for (const auto& [id, pair] : in.pairs) {
    auto d = in.observed.defender.find(id);
    auto s = in.observed.sentinel.find(pair.sentinel_id);
    for (const auto& b : pair.defender.fields) {
      if (b && b->own_write && d != in.observed.defender.end() && b->stamp.time == d->second.last_update) {
        ++n;
        break;
      }
    }
    for (const auto& b : pair.sentinel.fields) {
      if (b && b->own_write && s != in.observed.sentinel.end() && b->stamp.etag == s->second.etag) {
        ++n;
        break;
      }
    }
  }
  return n;
}

}  // namespace

CycleReport LinkRunner::RunCycle(const CycleOptions& options) {
  Impl& m = *impl_;
  CycleReport report;
  const auto started = std::chrono::steady_clock::now();
  const Timestamp now = m.ctx.clock->Now();
  m.link_failure = Status::Ok();
  m.created_names.clear();
  auto finish = [&](const Status& given) {
    m.CommitConfirms();  // nothing queued outlives its cycle
    const Status st = given.ok() ? m.link_failure : given;
    report.status = st;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string result = !st.ok() ? "failed" : report.held ? "held" : "ok";
    m.ctx.metrics->Add("xdrsync_cycles_total", {{"link", m.Link()}, {"result", result}});
    m.ctx.metrics->Observe("xdrsync_cycle_duration_seconds", {{"link", m.Link()}}, seconds);
    if (auto depth = m.ctx.store->OutboxDepth(m.Link()); depth.ok()) {
      m.ctx.metrics->Set("xdrsync_outbox_depth", {{"link", m.Link()}}, static_cast<double>(*depth));
    }
    if (auto q = m.ctx.store->Quarantined(m.Link()); q.ok()) {
      m.ctx.metrics->Set("xdrsync_quarantine_size", {{"link", m.Link()}}, static_cast<double>(q->size()));
    }
    for (Side side : {Side::kDefender, Side::kSentinel}) {
      if (auto wm = m.ctx.store->Watermark(m.Link(), side); wm.ok() && *wm) {
        // Never negative: a watermark ahead of our clock means no lag, not a time machine.
        m.ctx.metrics->Set("xdrsync_sync_lag_seconds", {{"link", m.Link()}, {"side", std::string(domain::SideName(side))}},
                           static_cast<double>(std::max<int64_t>(0, now.TicksSince(**wm))) / Timestamp::kTicksPerSecond);
      }
    }
    m.ctx.log->Log(st.ok() ? LogLevel::kInfo : LogLevel::kError, "cycle.done",
                   {{"link", m.Link()}, {"result", result}, {"writes_planned", std::to_string(report.writes_planned)},
                    {"writes_done", std::to_string(report.writes_done)},
                    {"writes_failed", std::to_string(report.writes_failed)},
                    {"conflicts", std::to_string(report.plan.conflicts.size())},
                    {"duration_ms", std::to_string(static_cast<int64_t>(seconds * 1000))},
                    {"error", st.ok() ? "" : st.ToString()}});
    return report;
  };

  Capture cap;
  if (Status s = m.CaptureChanges(options, now, cap, report); !s.ok()) return finish(s);

  const reconcile::LinkPolicy policy = m.EffectivePolicy();
  reconcile::Input in;
  in.policy = &policy;
  in.now = now;
  in.observed = cap.observed;
  in.approved = options.approved;
  in.remap = options.remap;
  in.future_skew_seconds = m.ctx.options.future_skew_seconds;
  // Quarantined incidents sit out until they change again (or an operator releases them), so
  // one bad incident never stalls its link.
  if (auto q = m.ctx.store->Quarantined(m.Link()); q.ok()) {
    for (const auto& e : *q) {
      if (!e.field.empty()) continue;
      std::string defender_id = e.side == Side::kDefender ? e.incident_id : "";
      for (const auto& [id, pair] : cap.pairs) {
        if (e.side == Side::kSentinel && pair.sentinel_id == e.incident_id) defender_id = id;
      }
      auto d = in.observed.defender.find(defender_id);
      if (d == in.observed.defender.end()) continue;
      auto p = cap.pairs.find(defender_id);
      auto s = p == cap.pairs.end() ? in.observed.sentinel.end() : in.observed.sentinel.find(p->second.sentinel_id);
      const bool changed = d->second.last_update > e.updated ||
                           (s != in.observed.sentinel.end() && s->second.last_modified > e.updated);
      if (!changed && defender_id != cap.resync_id) in.observed.defender.erase(d);
    }
  }
  std::vector<store::Pair> completed;         // creations an earlier run made but never confirmed
  std::vector<store::BaseMove> seeded_bases;  // their bases, from the creation's own snapshots
  for (const auto& [id, pair] : cap.pairs) {
    if (!cap.touched.count(id) && !cap.observed.defender.count(id)) continue;
    auto bases = m.ctx.store->Bases(pair.key);
    if (!bases.ok()) return finish(bases.status());
    if (id == cap.resync_id) *bases = store::PairBases{};  // from scratch: its state is dropped below
    if (pair.state == store::PairState::kCreatePending) {
      // The twin exists although its creation was never confirmed (a crash after the PUT, or
      // a lost reply): the create went through. Its bases are what the creation was planned
      // from and what it wrote, so changes made since then propagate as usual. Without the
      // snapshots, or without the twin, the creation is planned again (idempotent).
      auto d_snap = m.ctx.store->Observed(pair.key, Side::kDefender);
      auto s_snap = m.ctx.store->Observed(pair.key, Side::kSentinel);
      if (pair.sentinel_id.empty() || !cap.observed.sentinel.count(pair.sentinel_id) || !d_snap.ok() ||
          !*d_snap || !s_snap.ok() || !*s_snap) {
        continue;
      }
      for (domain::Field f : domain::kAllFields) {
        bases->Get(Side::kDefender, f) = store::Base{(*d_snap)->values[f], (*d_snap)->stamp, false};
        bases->Get(Side::kSentinel, f) = store::Base{(*s_snap)->values[f], (*s_snap)->stamp, true};
        seeded_bases.push_back({pair.key, Side::kDefender, f, *bases->Get(Side::kDefender, f)});
        seeded_bases.push_back({pair.key, Side::kSentinel, f, *bases->Get(Side::kSentinel, f)});
      }
      store::Pair active = pair;
      active.state = store::PairState::kActive;
      active.updated = now;
      completed.push_back(active);
      m.ctx.log->Info("twin.recovered", {{"link", m.Link()}, {"defender_id", id}, {"sentinel_id", pair.sentinel_id}});
    }
    reconcile::PairState ps = ToPairState(pair, *bases);
    if (auto digest = m.ctx.store->Digest(pair.key); digest.ok() && *digest && id != cap.resync_id) {
      ps.digest_hash = (*digest)->hash;
      ps.digest_written = (*digest)->written;
    }
    in.pairs[id] = std::move(ps);
  }
  m.ctx.metrics->Add("xdrsync_echoes_suppressed_total", {{"link", m.Link()}}, static_cast<double>(CountEchoes(in)));
  report.plan = reconcile::Reconcile(in);
  if (options.rebuild) {
    reconcile::Plan& p = report.plan;
    std::set<std::string> creating;
    for (const auto& c : p.creations) creating.insert(c.defender_id);
    std::erase_if(p.pairs, [&](const reconcile::PairUpdate& u) { return creating.count(u.state.defender_id) > 0; });
    std::erase_if(p.base_updates, [&](const reconcile::BaseUpdate& u) { return creating.count(u.defender_id) > 0; });
    p.creations.clear();
    p.sentinel_writes.clear();
    p.defender_writes.clear();
    p.comments.clear();
    p.held = false;
  }
  const reconcile::Plan& plan = report.plan;
  report.writes_planned =
      plan.creations.size() + plan.sentinel_writes.size() + plan.defender_writes.size() + plan.comments.size();
  for (const auto& c : plan.conflicts) {
    m.ctx.log->Info("conflict", {{"link", m.Link()}, {"defender_id", c.defender_id}, {"sentinel_id", c.sentinel_id},
                                 {"field", std::string(domain::FieldName(c.field))}, {"kind", c.kind},
                                 {"defender_value", c.defender_value}, {"sentinel_value", c.sentinel_value},
                                 {"policy", std::string(reconcile::ConflictPolicyName(c.policy))},
                                 {"decision", c.decision}});
    m.ctx.metrics->Add("xdrsync_conflicts_total", {{"link", m.Link()}, {"field", std::string(domain::FieldName(c.field))},
                                                   {"policy", std::string(reconcile::ConflictPolicyName(c.policy))}});
  }
  for (const auto& n : plan.notices) m.ctx.log->Info("notice", {{"link", m.Link()}, {"defender_id", n.defender_id}, {"message", n.message}});
  if (options.dry_run) return finish(Status::Ok());

  store::Decision decision;
  for (const auto& c : plan.conflicts) decision.conflicts.push_back(ToStoreConflict(m.Link(), c, now));
  decision.quarantine = cap.quarantine;
  if (plan.held) {
    report.held = true;
    report.writes_planned = 0;
    m.ctx.log->Warn("cycle.held", {{"link", m.Link()}, {"reason", plan.held_reason}});
    m.ctx.metrics->Add("xdrsync_cycles_held_total", {{"link", m.Link()}});
    return finish(m.ctx.store->RecordDecision(decision));
  }
  decision.pairs = completed;
  decision.bases = seeded_bases;
  m.RecordResync(cap, now, decision);
  std::set<std::string> creating;
  for (const auto& c : plan.creations) {
    creating.insert(c.defender_id);
    // What the creation is planned from and what it writes: the bases if its confirmation is lost.
    // A creation planned again keeps its first snapshots: an earlier attempt may have made the twin.
    if (auto old = cap.pairs.find(c.defender_id);
        old != cap.pairs.end() && old->second.state == store::PairState::kCreatePending) {
      if (auto snap = m.ctx.store->Observed(old->second.key, Side::kDefender); snap.ok() && *snap) continue;
    }
    const auto& d = cap.observed.defender.at(c.defender_id);
    decision.observed.push_back({{m.Link(), c.defender_id}, Side::kDefender, reconcile::DefenderValues(d),
                                 {d.last_update, ""}, now});
    decision.observed.push_back({{m.Link(), c.defender_id}, Side::kSentinel, domain::CanonicalSentinel(c.incident),
                                 {Timestamp(), ""}, now});
  }
  for (const auto& u : plan.pairs) {
    store::Pair p = ToStorePair(m.Link(), u.state, m.Way(), now);
    if (creating.count(u.state.defender_id)) {
      // Durable before the call; the pair turns active only when the twin is confirmed, so a failed
      // create is retried, never mistaken for a twin deleted in Sentinel.
      p.state = store::PairState::kCreatePending;
      p.marker = u.state.sentinel_id;
      if (m.Way() == store::CreationWay::kDefenderAlert) p.sentinel_id.clear();
    }
    if (auto old = cap.pairs.find(u.state.defender_id); old != cap.pairs.end()) {
      p.created = old->second.created;
      p.way = old->second.way;
      p.marker = p.marker.empty() ? old->second.marker : p.marker;
    }
    decision.pairs.push_back(p);
  }
  for (auto& b : ToBaseMoves(m.Link(), plan.base_updates)) decision.bases.push_back(std::move(b));
  std::vector<PendingWrite> writes;
  std::vector<store::OutboxEntry> earlier = cap.outbox_rows;
  auto add = [&](PendingWrite::Kind kind, size_t index, const std::string& pair, Side target, const char* what,
                 std::string payload) {
    PendingWrite w{kind, index, 0, 0, false, false};
    // The same write planned again (a retry, a replay after a crash) carries on in its earlier
    // row, so its attempts count and backoff survive re-planning.
    auto it = std::find_if(earlier.begin(), earlier.end(), [&](const store::OutboxEntry& r) {
      return r.pair.defender_id == pair && r.target == target && r.kind == what;
    });
    if (it != earlier.end()) {
      w.outbox_id = it->id;
      w.attempts = it->attempts;
      w.reused = true;
      w.deferred = !cap.due_rows.count(it->id);
      earlier.erase(it);
    } else {
      decision.outbox.push_back({0, {m.Link(), pair}, target, what, std::move(payload), now, now, 0, ""});
    }
    writes.push_back(w);
  };
  for (size_t i = 0; i < plan.creations.size(); ++i) {
    add(PendingWrite::Kind::kCreate, i, plan.creations[i].defender_id, Side::kSentinel, "create", DescribeWrite(plan.creations[i]));
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
  // Watermarks move with the decision: everything the listings showed is now either decided or
  // durable as an outbox row that makes the next cycle look again.
  for (const auto& repair : cap.repaired_watermarks) decision.watermarks.push_back(repair);
  if (cap.newest_defender) decision.watermarks.push_back({m.Link(), Side::kDefender, *cap.newest_defender});
  if (cap.newest_sentinel) decision.watermarks.push_back({m.Link(), Side::kSentinel, *cap.newest_sentinel});
  if (options.full_sweep) decision.link_meta.push_back({m.Link(), "last_full_sweep", now.ToString()});
  decision.seen = SeenMarks(in, cap, plan);
  std::vector<int64_t> fresh;  // the ids the store gave the new rows, in the order of decision.outbox
  if (Status s = m.ctx.store->RecordDecision(decision, &fresh); !s.ok()) return finish(s);
  size_t next = 0;
  for (auto& w : writes) {
    if (w.reused) continue;
    if (next >= fresh.size()) return finish(Internal("outbox rows recorded do not match the plan"));
    w.outbox_id = fresh[next++];
  }
  // Carried writes of pairs this decision covers anew are superseded by it.
  std::set<std::string> replanned = cap.touched;
  for (const auto& [id, d] : cap.observed.defender) replanned.insert(id);
  m.DropSuperseded(replanned);
  // Earlier rows no longer planned are done: a fresh read showed nothing left to write.
  // Only when both sides of its pair were read this cycle; otherwise it stays to look again.
  for (const auto& old : earlier) {
    auto pit = cap.pairs.find(old.pair.defender_id);
    const bool defender_read = cap.observed.defender.count(old.pair.defender_id) > 0;
    const bool sentinel_read = pit != cap.pairs.end() && (cap.observed.sentinel.count(pit->second.sentinel_id) > 0 ||
                                                          cap.observed.sentinel_missing.count(pit->second.sentinel_id) > 0);
    // The writes of an incident merged away before its twin was made (the creation, the comments
    // planned with it) are owed no more: it never gets a twin; its survivor carries the story.
    const bool merged_before_twin = defender_read && pit != cap.pairs.end() &&
                                    pit->second.state == store::PairState::kCreatePending &&
                                    cap.observed.defender.at(old.pair.defender_id).status.value ==
                                        domain::DStatus::kRedirected;
    if (defender_read && (sentinel_read || merged_before_twin || pit == cap.pairs.end())) {
      (void)m.confirms.Confirm(old.id, {}, {}, {});
    }
  }
  Backlog batch{plan, {}, std::move(writes), cap.known_absent};
  for (const auto& c : plan.creations) batch.sources[c.defender_id] = cap.observed.defender.at(c.defender_id);
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (!options.drain_all && m.ctx.options.drain_seconds > 0) {
    // Counted from here, not from the cycle's start: a capture longer than the window (a large
    // link, a slow service) must still leave the writes their time.
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(m.ctx.options.drain_seconds);
  }
  m.Execute(std::move(batch), deadline, now, report);
  return finish(m.link_failure);
}

}  // namespace xdrsync::engine
