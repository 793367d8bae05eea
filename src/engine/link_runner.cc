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

// A cycle, step by step (spec §8-9): capture what changed, build the reconciler's input, reconcile,
// record the decision with its outbox rows, retire the rows a fresh read settled, execute the
// writes, and finish (commit what followed the writes, report).
CycleReport LinkRunner::RunCycle(const CycleOptions& options) {
  Impl& m = *impl_;
  Cycle c(options, m.ctx.clock->Now());
  m.link_failure = Status::Ok();
  m.created_names.clear();
  if (Status s = m.CaptureChanges(options, c.now, c.cap, c.report); !s.ok()) return m.Finish(c, s);
  if (Status s = m.BuildInput(c); !s.ok()) return m.Finish(c, s);
  m.Reconcile(c);
  if (options.dry_run) return m.Finish(c, Status::Ok());
  if (Status s = m.Record(c); !s.ok() || c.report.held) return m.Finish(c, s);
  m.RetireSettled(c);
  m.ExecutePlanned(c);
  return m.Finish(c, m.link_failure);
}

void LinkRunner::Impl::Reconcile(Cycle& c) {
  ctx.metrics->Add("xdrsync_echoes_suppressed_total", {{"link", Link()}}, static_cast<double>(CountEchoes(c.in)));
  c.report.plan = reconcile::Reconcile(c.in);
  reconcile::Plan& p = c.report.plan;
  if (c.options.rebuild) {
    // Adopt and take bases only: no creation (its pair rows and bases go with it), no write.
    std::set<std::string> creating;
    for (const auto& cr : p.creations) creating.insert(cr.defender_id);
    std::erase_if(p.pairs, [&](const reconcile::PairUpdate& u) { return creating.count(u.state.defender_id) > 0; });
    std::erase_if(p.base_updates, [&](const reconcile::BaseUpdate& u) { return creating.count(u.defender_id) > 0; });
    p.creations.clear();
    p.sentinel_writes.clear();
    p.defender_writes.clear();
    p.comments.clear();
    p.held = false;
  }
  c.report.writes_planned = p.creations.size() + p.sentinel_writes.size() + p.defender_writes.size() + p.comments.size();
  LogPlan(p);
}

void LinkRunner::Impl::LogPlan(const reconcile::Plan& plan) {
  for (const auto& c : plan.conflicts) {
    ctx.log->Info("conflict", {{"link", Link()}, {"defender_id", c.defender_id}, {"sentinel_id", c.sentinel_id},
                               {"field", std::string(domain::FieldName(c.field))}, {"kind", c.kind},
                               {"defender_value", c.defender_value}, {"sentinel_value", c.sentinel_value},
                               {"policy", std::string(reconcile::ConflictPolicyName(c.policy))},
                               {"decision", c.decision}});
    ctx.metrics->Add("xdrsync_conflicts_total", {{"link", Link()}, {"field", std::string(domain::FieldName(c.field))},
                                                 {"policy", std::string(reconcile::ConflictPolicyName(c.policy))}});
  }
  for (const auto& n : plan.notices) ctx.log->Info("notice", {{"link", Link()}, {"defender_id", n.defender_id}, {"message", n.message}});
}

void LinkRunner::Impl::RetireSettled(Cycle& c) {
  const Capture& cap = c.cap;
  // Carried writes of pairs this decision covers anew are superseded by it.
  std::set<std::string> replanned = cap.touched;
  for (const auto& [id, d] : cap.observed.defender) replanned.insert(id);
  DropSuperseded(replanned);
  // Earlier rows no longer planned are done: a fresh read showed nothing left to write.
  // Only when both sides of its pair were read this cycle; otherwise it stays to look again.
  for (const auto& old : c.unplanned) {
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
      (void)confirms.Confirm(old.id, {}, {}, {});
    }
  }
}

void LinkRunner::Impl::ExecutePlanned(Cycle& c) {
  const reconcile::Plan& plan = c.report.plan;
  Backlog batch{plan, {}, std::move(c.writes), c.cap.known_absent};
  for (const auto& cr : plan.creations) batch.sources[cr.defender_id] = c.cap.observed.defender.at(cr.defender_id);
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (!c.options.drain_all && ctx.options.drain_seconds > 0) {
    // Counted from here, not from the cycle's start: a capture longer than the window (a large
    // link, a slow service) must still leave the writes their time.
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(ctx.options.drain_seconds);
  }
  Execute(std::move(batch), deadline, c.now, c.report);
}

CycleReport LinkRunner::Impl::Finish(Cycle& c, const Status& given) {
  CommitConfirms();  // nothing queued outlives its cycle
  const Status st = given.ok() ? link_failure : given;
  CycleReport& report = c.report;
  report.status = st;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started).count();
  const std::string result = !st.ok() ? "failed" : report.held ? "held" : "ok";
  ctx.metrics->Add("xdrsync_cycles_total", {{"link", Link()}, {"result", result}});
  ctx.metrics->Observe("xdrsync_cycle_duration_seconds", {{"link", Link()}}, seconds);
  SetGauges(c.now);
  ctx.log->Log(st.ok() ? LogLevel::kInfo : LogLevel::kError, "cycle.done",
               {{"link", Link()}, {"result", result}, {"writes_planned", std::to_string(report.writes_planned)},
                {"writes_done", std::to_string(report.writes_done)},
                {"writes_failed", std::to_string(report.writes_failed)},
                {"conflicts", std::to_string(report.plan.conflicts.size())},
                {"duration_ms", std::to_string(static_cast<int64_t>(seconds * 1000))},
                {"error", st.ok() ? "" : st.ToString()}});
  return std::move(report);
}

void LinkRunner::Impl::SetGauges(Timestamp now) {
  if (auto depth = ctx.store->OutboxDepth(Link()); depth.ok()) {
    ctx.metrics->Set("xdrsync_outbox_depth", {{"link", Link()}}, static_cast<double>(*depth));
  }
  if (auto q = ctx.store->Quarantined(Link()); q.ok()) {
    ctx.metrics->Set("xdrsync_quarantine_size", {{"link", Link()}}, static_cast<double>(q->size()));
  }
  for (Side side : {Side::kDefender, Side::kSentinel}) {
    if (auto wm = ctx.store->Watermark(Link(), side); wm.ok() && *wm) {
      // Never negative: a watermark ahead of our clock means no lag, not a time machine.
      ctx.metrics->Set("xdrsync_sync_lag_seconds", {{"link", Link()}, {"side", std::string(domain::SideName(side))}},
                       static_cast<double>(std::max<int64_t>(0, now.TicksSince(**wm))) / Timestamp::kTicksPerSecond);
    }
  }
}

}  // namespace xdrsync::engine
