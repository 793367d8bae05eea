// Executing a recorded plan: twins first, then Sentinel PUTs, Defender PATCHes and comments, in the
// plan's order. Each success is confirmed in one transaction with its base moves, audit rows and
// provenance; each failure is recorded against its outbox row so the pair is re-read and
// re-planned, and a write that keeps failing is quarantined rather than stalling its link.
#include <algorithm>
#include <chrono>

#include "bridge.h"
#include "runner_impl.h"
#include "xdrsync/domain/comments.h"
#include "xdrsync/reconcile/reconciler.h"

namespace xdrsync::engine {

using domain::Side;

namespace {

// Urgency of a write: field changes an analyst made, then twins, then comments analysts wrote
// (and notes that explain a change), then what only decorates a twin.
int Urgency(const reconcile::Plan& plan, const PendingWrite& row) {
  switch (row.kind) {
    case PendingWrite::Kind::kSentinel:
    case PendingWrite::Kind::kDefender: return 0;
    case PendingWrite::Kind::kCreate: return 1;
    case PendingWrite::Kind::kComment: {
      const std::string& purpose = plan.comments[row.index].purpose;
      return purpose == "alerts" || purpose == "deeplink" || purpose == "overflow-note" ? 3 : 2;
    }
  }
  return 3;
}

// One write of one batch, in the order Execute runs them.
struct Slot {
  int urgency;
  Timestamp changed;  // creations: the Defender incident's last change
  size_t batch, index;
};

// By urgency; twins of the incidents changed last first (one an analyst is working on, the
// newest of a cold start's backlog); otherwise carried batches first (they are older), this
// cycle's after, and within a batch the plan's order (a creation before the comments on its twin).
std::vector<Slot> RunOrder(const std::vector<Backlog>& batches) {
  std::vector<Slot> order;
  for (size_t b = 0; b < batches.size(); ++b) {
    for (size_t i = 0; i < batches[b].writes.size(); ++i) {
      const PendingWrite& w = batches[b].writes[i];
      Timestamp changed;
      if (w.kind == PendingWrite::Kind::kCreate) {
        changed = batches[b].sources.at(batches[b].plan.creations[w.index].defender_id).last_update;
      }
      order.push_back({Urgency(batches[b].plan, w), changed, b, i});
    }
  }
  std::stable_sort(order.begin(), order.end(), [](const Slot& a, const Slot& b) {
    return a.urgency != b.urgency ? a.urgency < b.urgency : b.changed < a.changed;
  });
  return order;
}

}  // namespace

void LinkRunner::Impl::Execute(Backlog fresh, std::optional<std::chrono::steady_clock::time_point> deadline,
                               Timestamp now, CycleReport& report) {
  std::vector<Backlog> batches = std::move(backlog);
  backlog.clear();
  batches.push_back(std::move(fresh));
  const std::vector<Slot> order = RunOrder(batches);
  std::vector<std::vector<bool>> done(batches.size()), ok(batches.size());
  for (size_t b = 0; b < batches.size(); ++b) {
    done[b].assign(batches[b].writes.size(), false);
    ok[b].assign(batches[b].writes.size(), false);
  }
  for (const Slot& item : order) {
    if (deadline && std::chrono::steady_clock::now() >= *deadline) break;
    const Backlog& batch = batches[item.batch];
    const PendingWrite& row = batch.writes[item.index];
    done[item.batch][item.index] = true;
    if (row.deferred) continue;  // backing off after a failure; its time comes
    if (row.kind != PendingWrite::Kind::kCreate && adopted.count(PairOf(batch.plan, row))) {
      // Planned before the twin was known to exist: what it holds may make this write needless
      // (comments an earlier attempt wrote) or wrong. Its row stays; the next cycle reads the
      // twin and plans again.
      (void)confirms.Fail(row.outbox_id, "twin found made: read before its other writes", now);
      continue;
    }
    if (!link_failure.ok()) {
      // 401/403 fail the link as a whole; the rows stay for the next cycle.
      (void)confirms.Fail(row.outbox_id, link_failure.ToString(), now + 60);
      ++report.writes_failed;
      continue;
    }
    const Status st = ExecuteOne(batch, row, now);
    if (st.ok()) {
      ok[item.batch][item.index] = true;
      ++report.writes_done;
      ReleaseQuarantine(PairOf(batch.plan, row), now);
    } else {
      Failed(row, st, now, report);
    }
  }
  RecordSightingsAfterWrites(batches.back(), ok.back());
  CommitConfirms();
  // What the time did not reach is carried on, behind the next cycle's writes.
  for (size_t b = 0; b < batches.size(); ++b) {
    std::vector<PendingWrite> left;
    for (size_t i = 0; i < batches[b].writes.size(); ++i) {
      if (!done[b][i]) left.push_back(batches[b].writes[i]);
    }
    if (left.empty()) continue;
    report.carried += left.size();
    batches[b].writes = std::move(left);
    backlog.push_back(std::move(batches[b]));
  }
  // A pair whose twin was found made keeps its carried writes waiting until they come up again
  // (and go back to the outbox, whose rows make the pair be read and planned anew); a pair with
  // none carried is done with here.
  std::set<std::string> still_carried;
  for (const auto& batch : backlog) {
    for (const auto& w : batch.writes) still_carried.insert(PairOf(batch.plan, w));
  }
  std::erase_if(adopted, [&](const std::string& id) { return !still_carried.count(id); });
  ctx.metrics->Set("xdrsync_writes_carried", {{"link", Link()}}, static_cast<double>(report.carried));
}

Status LinkRunner::Impl::ExecuteOne(const Backlog& batch, const PendingWrite& row, Timestamp now) {
  const reconcile::Plan& plan = batch.plan;
  switch (row.kind) {
    case PendingWrite::Kind::kCreate: {
      const auto& c = plan.creations[row.index];
      return ExecuteCreate(c, batch, row, now);
    }
    case PendingWrite::Kind::kSentinel: return ExecuteSentinel(plan.sentinel_writes[row.index], row, now);
    case PendingWrite::Kind::kDefender: return ExecuteDefender(plan.defender_writes[row.index], row, now);
    case PendingWrite::Kind::kComment: return ExecuteComment(plan.comments[row.index], row, now);
  }
  return Internal("unknown write kind");
}

std::set<int64_t> LinkRunner::Impl::CarriedRows() const {
  std::set<int64_t> ids;
  for (const auto& batch : backlog) {
    for (const auto& w : batch.writes) ids.insert(w.outbox_id);
  }
  return ids;
}

void LinkRunner::Impl::DropSuperseded(const std::set<std::string>& replanned) {
  for (auto& batch : backlog) {
    std::erase_if(batch.writes, [&](const PendingWrite& w) {
      if (!replanned.count(PairOf(batch.plan, w))) return false;
      (void)confirms.Confirm(w.outbox_id, {}, {}, {});  // the new decision covers its pair
      return true;
    });
  }
  std::erase_if(backlog, [](const Backlog& b) { return b.writes.empty(); });
  for (const auto& id : replanned) {
    held_sentinel_bases.erase(id);
    adopted.erase(id);  // planned anew from a read of its twin
  }
}

std::string LinkRunner::Impl::PairOf(const reconcile::Plan& plan, const PendingWrite& row) {
  switch (row.kind) {
    case PendingWrite::Kind::kCreate: return plan.creations[row.index].defender_id;
    case PendingWrite::Kind::kSentinel: return plan.sentinel_writes[row.index].defender_id;
    case PendingWrite::Kind::kDefender: return plan.defender_writes[row.index].defender_id;
    case PendingWrite::Kind::kComment: return plan.comments[row.index].defender_id;
  }
  return "";
}

void LinkRunner::Impl::ReleaseQuarantine(const std::string& defender_id, Timestamp) {
  // A write for the pair went through: whatever kept it in quarantine is over.
  auto pair = ctx.store->PairByDefenderId(Link(), defender_id);
  store::Decision d;
  d.quarantine.push_back({{Link(), Side::kDefender, defender_id, "", "", 0, {}, {}}, true});
  if (pair.ok() && *pair && !(*pair)->sentinel_id.empty()) {
    d.quarantine.push_back({{Link(), Side::kSentinel, (*pair)->sentinel_id, "", "", 0, {}, {}}, true});
  }
  (void)confirms.Record(std::move(d));
}

void LinkRunner::Impl::CommitConfirms() {
  if (Status s = confirms.Commit(); !s.ok()) {
    ctx.log->Warn("store.confirm_failed", {{"link", Link()}, {"error", s.ToString()}});
    if (link_failure.ok()) link_failure = s;
  }
}

void LinkRunner::Impl::Failed(const PendingWrite& row, const Status& st, Timestamp now, CycleReport& report) {
  ++report.writes_failed;
  ctx.metrics->Add("xdrsync_write_failures_total", {{"link", Link()}, {"code", std::string(CodeName(st.code()))}});
  if (IsAuthFailure(st)) {
    link_failure = st;
    (void)confirms.Fail(row.outbox_id, st.ToString(), now + 60);
    return;
  }
  const bool transient = st.code() == Code::kUnavailable || st.code() == Code::kResourceExhausted ||
                         st.code() == Code::kConflict || st.code() == Code::kFailedPrecondition ||
                         st.code() == Code::kAborted;
  ctx.log->Log(transient ? LogLevel::kInfo : LogLevel::kWarning, "write.failed",
               {{"link", Link()}, {"error", st.ToString()}, {"attempts", std::to_string(row.attempts + 1)}});
  if (!transient && row.attempts + 1 >= ctx.options.max_attempts) {
    CommitConfirms();  // in order: what was queued before, then the dead letter
    if (ctx.store->DeadLetter(row.outbox_id, st.ToString(), now).ok()) ++report.quarantined;
    return;
  }
  // Transient failures come back at the next cycle; permanent ones back off.
  const int64_t delay = transient ? 0 : std::min<int64_t>(int64_t{30} << std::min<int64_t>(row.attempts, 6), 3600);
  (void)confirms.Fail(row.outbox_id, st.ToString(), now + delay);
}

Status LinkRunner::Impl::ExecuteCreate(const reconcile::TwinCreate& c, const Backlog& batch,
                                       const PendingWrite& row, Timestamp now) {
  // A create request whose answer was lost is remembered durably, so that neither the next cycle
  // nor a restarted process sends another before the first one's twin had time to show.
  const std::string unknown_key = "create_unknown:" + c.twin_id;
  CreateAttempt attempt;
  attempt.now = now;
  attempt.recheck_seconds = ctx.options.create_recheck_seconds;
  if (auto since = Timestamp::Parse(Meta(unknown_key)); since.ok()) attempt.unknown_since = *since;
  attempt.known_absent = !attempt.unknown_since && row.attempts == 0 && !row.reused && batch.known_absent.count(c.twin_id);
  const domain::DefenderIncident& source = batch.sources.at(c.defender_id);
  auto created = ctx.creator->Create(c, source, attempt);
  if (attempt.sent_unknown) (void)ctx.store->SetLinkMeta(Link(), unknown_key, now.ToString());
  if (!created.ok()) {
    // An outcome we do not know is looked for at the next cycle, not backed off as an error.
    if (attempt.sent_unknown) return Status(Code::kUnavailable, created.status().message());
    return created.status();
  }
  if (attempt.unknown_since || attempt.sent_unknown) (void)ctx.store->SetLinkMeta(Link(), unknown_key, "");
  if (created->name != c.twin_id) created_names[c.twin_id] = created->name;
  std::vector<store::BaseMove> bases = ToBaseMoves(Link(), reconcile::BasesAfterCreate(source, *created));
  if (attempt.adopted) {
    adopted.insert(c.defender_id);
    // Made by an earlier attempt that never recorded it: what the twin holds now may be an
    // analyst's since, and the Defender incident may have moved since that attempt was planned
    // (its first planning is kept with the pending pair; a lost state has none).
    std::optional<reconcile::PlannedFrom> planned_from;
    auto snap = ctx.store->Observed({Link(), c.defender_id}, Side::kDefender);
    if (snap.ok() && *snap && (*snap)->observed_at < now) {  // one this cycle recorded says nothing
      planned_from = reconcile::PlannedFrom{(*snap)->values, (*snap)->stamp};
    }
    bases = ToBaseMoves(Link(), reconcile::BasesAfterAdoption(source, planned_from, *created, ctx.creator->Finished(c)));
  }
  store::AuditEntry audit;
  audit.time = now;
  audit.link = Link();
  audit.defender_id = c.defender_id;
  audit.sentinel_id = created->name;
  audit.field = "create";
  audit.new_value = created->title;
  audit.cause = c.cause;
  {
    // The pending pair becomes active, under the name the service gave (defender-alert twins).
    store::Decision d;
    reconcile::PairState state;
    state.defender_id = c.defender_id;
    state.sentinel_id = created->name;
    store::Pair pair = ToStorePair(Link(), state, Way(), now);
    pair.marker = c.twin_id;
    d.pairs.push_back(pair);
    if (Status s = confirms.Record(std::move(d)); !s.ok()) return s;
  }
  ctx.log->Info("twin.created", {{"link", Link()}, {"defender_id", c.defender_id}, {"sentinel_id", created->name},
                                 {"way", std::string(ctx.creator->Way())}, {"cause", c.cause}});
  ctx.metrics->Add("xdrsync_twins_created_total", {{"link", Link()}, {"way", std::string(ctx.creator->Way())}});
  return confirms.Confirm(row.outbox_id, bases, {audit}, {});
}

namespace {

// A reset, a deadline, a gateway's 5xx or an answer that cannot be read: the request may have
// been applied. A 4xx or a 429 says it was not.
bool MayHaveBeenApplied(const Status& failed) {
  const Code code = failed.code();
  return code == Code::kUnavailable || code == Code::kInternal || code == Code::kDataLoss || code == Code::kParseError;
}

}  // namespace

std::optional<domain::DefenderIncident> LinkRunner::Impl::LandedAnyway(const reconcile::DefenderWrite& w,
                                                                       const Status& failed) {
  // As for a PUT below: a PATCH whose answer was lost is read back at once.
  if (!MayHaveBeenApplied(failed)) return std::nullopt;
  auto now = ctx.defender->Get(w.defender_id);
  if (!now.ok()) return std::nullopt;
  const domain::FieldValues have = reconcile::DefenderValues(*now);
  for (domain::Field f : w.fields) {
    if (!domain::SameValue(Side::kDefender, f, have[f], w.values[f])) return std::nullopt;
  }
  ctx.log->Info("write.found_applied", {{"link", Link()}, {"defender_id", w.defender_id}, {"sentinel_id", ""},
                                        {"error", failed.ToString()}});
  return std::move(*now);
}

std::optional<domain::SentinelIncident> LinkRunner::Impl::LandedAnyway(const reconcile::SentinelWrite& w,
                                                                       const Status& failed) {
  // A PUT whose answer was lost (a reset, a deadline, a gateway's 5xx, an unreadable body) may
  // have been applied, and its retry then meets our own new etag (412). Left to the next cycle, an
  // analyst who sets a field back in between would look like no change at all, and our value
  // would be written over theirs: one read now makes that window one round trip.
  if (failed.code() != Code::kConflict && !MayHaveBeenApplied(failed)) return std::nullopt;
  auto now = ctx.sentinel->Get(w.sentinel_id);
  if (!now.ok() || now->etag == w.incident.etag) return std::nullopt;
  const domain::FieldValues have = domain::CanonicalSentinel(*now);
  const domain::FieldValues wanted = domain::CanonicalSentinel(w.incident);
  for (domain::Field f : w.fields) {
    if (!domain::SameValue(Side::kSentinel, f, have[f], wanted[f])) return std::nullopt;
  }
  auto has_label = [&](const std::string& name) {
    return std::any_of(now->labels.begin(), now->labels.end(), [&](const auto& l) { return l.name == name; });
  };
  for (const auto& l : w.labels_added) {
    if (!has_label(l)) return std::nullopt;
  }
  for (const auto& l : w.labels_removed) {
    if (has_label(l)) return std::nullopt;
  }
  ctx.log->Info("write.found_applied", {{"link", Link()}, {"defender_id", w.defender_id},
                                        {"sentinel_id", w.sentinel_id}, {"error", failed.ToString()}});
  return std::move(*now);
}

Status LinkRunner::Impl::ExecuteSentinel(const reconcile::SentinelWrite& w, const PendingWrite& row, Timestamp now) {
  auto response = ctx.sentinel->Put(w.incident);
  if (!response.ok()) {
    auto landed = LandedAnyway(w, response.status());
    if (!landed) return response.status();
    response = std::move(*landed);
  }
  std::vector<store::AuditEntry> audit = AuditOf(Link(), w.defender_id, w.sentinel_id, Side::kSentinel, w.changes, now);
  for (const auto& l : w.labels_added) {
    audit.push_back({0, now, Link(), w.defender_id, w.sentinel_id, "label", store::Direction::kDefenderToSentinel,
                     "", l, "xdrsync label"});
  }
  for (const auto& l : w.labels_removed) {
    audit.push_back({0, now, Link(), w.defender_id, w.sentinel_id, "label", store::Direction::kDefenderToSentinel,
                     l, "", "xdrsync label"});
  }
  LogChanges(Side::kSentinel, w.defender_id, w.sentinel_id, w.changes);
  NoteAnswer(w.defender_id, *response, !w.hold_base.empty());
  if (!w.hold_base.empty()) {
    held_sentinel_bases[w.defender_id] = ToBaseMoves(Link(), reconcile::HeldBasesAfterSentinelWrite(w, *response));
  }
  return confirms.Confirm(row.outbox_id, ToBaseMoves(Link(), reconcile::BasesAfterSentinelWrite(w, *response)),
                                 audit, {});
}

Status LinkRunner::Impl::ExecuteDefender(const reconcile::DefenderWrite& w, const PendingWrite& row, Timestamp now) {
  // A PATCH the rate budget held back after a wait (kAborted: its read went stale meanwhile) is
  // read for again and then sent on the token it waited for.
  Result<domain::DefenderIncident> response = Status(Code::kAborted, "not sent yet");
  for (int attempt = 0; attempt < 3 && response.status().code() == Code::kAborted; ++attempt) {
    response = ReadThenPatch(w);
  }
  if (!response.ok()) return response.status();
  LogChanges(Side::kDefender, w.defender_id, "", w.changes);
  NoteAnswer(w.defender_id, *response, !w.hold_base.empty());
  std::vector<store::BaseMove> bases = ToBaseMoves(Link(), reconcile::BasesAfterDefenderWrite(w, *response));
  if (auto held = held_sentinel_bases.find(w.defender_id); held != held_sentinel_bases.end() && !w.hold_base.empty()) {
    // Both halves of a two-sided write are confirmed: the common base moves to what each side
    // answered, so a change an analyst made in between is seen as a change next cycle.
    for (auto& b : held->second) bases.push_back(std::move(b));
    for (auto& b : ToBaseMoves(Link(), reconcile::HeldBasesAfterDefenderWrite(w, *response))) bases.push_back(std::move(b));
    held_sentinel_bases.erase(held);
  }
  return confirms.Confirm(row.outbox_id, std::move(bases),
                                 AuditOf(Link(), w.defender_id, "", Side::kDefender, w.changes, now), {});
}

Result<domain::DefenderIncident> LinkRunner::Impl::ReadThenPatch(const reconcile::DefenderWrite& w) {
  // No etag on Defender: read right before the PATCH and re-plan if a field we are about to write
  // moved since the plan (the remaining window is one round trip; see docs/operations.md).
  auto fresh = ctx.defender->Get(w.defender_id);
  if (!fresh.ok()) return fresh.status();
  auto read_at = std::chrono::steady_clock::now();
  if (Status s = StillAsPlanned(w, *fresh); !s.ok()) return s;
  write_answers[w.defender_id].defender_read = fresh->last_update;
  domain::DefenderPatch patch = domain::DefenderPatchFor(w.values, w.fields);
  auto probed = ProbeFirstTimeFields(w.defender_id, patch);
  if (!probed.ok()) return probed.status();
  if (*probed) {
    write_answers[w.defender_id].held = true;  // two PATCHes: the answer is not one write's
    // A probe is a PATCH of its own: the rest goes only after a new read, so an analyst's edit
    // made meanwhile is seen (found by the long chaos run: two PATCHes after one read).
    fresh = ctx.defender->Get(w.defender_id);
    if (!fresh.ok()) return fresh.status();
    read_at = std::chrono::steady_clock::now();
    if (Status s = StillAsPlanned(w, *fresh); !s.ok()) return s;
  }
  if (patch.empty()) return fresh;
  auto patched = ctx.defender->Patch(w.defender_id, patch);
  if (!patched.ok()) {
    auto landed = LandedAnyway(w, patched.status());
    if (!landed) return patched.status();
    patched = std::move(*landed);
  }
  // The window in which an analyst's edit could be overwritten: from our read to the PATCH's
  // answer (Graph has no etag). Measured, not hidden (docs/operations.md).
  ctx.metrics->Observe("xdrsync_defender_patch_window_seconds", {{"link", Link()}},
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - read_at).count());
  return patched;
}

Status LinkRunner::Impl::StillAsPlanned(const reconcile::DefenderWrite& w, const domain::DefenderIncident& now) {
  // A field that holds what the plan expected, or already what we are about to write (a probe of
  // ours, or an analyst who made the same change), loses nothing to the PATCH.
  const domain::FieldValues now_values = reconcile::DefenderValues(now);
  for (const auto& [field, expected] : w.expected) {
    if (domain::SameValue(Side::kDefender, field, now_values[field], expected) ||
        domain::SameValue(Side::kDefender, field, now_values[field], w.values[field])) {
      continue;
    }
    ctx.metrics->Add("xdrsync_replans_total", {{"link", Link()}, {"side", "defender"}});
    return Status(Code::kFailedPrecondition, "defender incident " + w.defender_id + " changed " +
                                                 std::string(domain::FieldName(field)) +
                                                 " since it was read; re-planned next cycle");
  }
  return Status::Ok();
}

Result<bool> LinkRunner::Impl::ProbeFirstTimeFields(const std::string& id, const domain::DefenderPatch& patch) {
  // Two Defender writes are not confirmed by Microsoft's docs. The first time a tenant needs one,
  // it goes in a PATCH of its own so a 400 can be attributed, and the answer is remembered.
  // True when a probe was sent (and accepted).
  struct Probe {
    const char* key;
    domain::DefenderPatch alone;
  };
  std::vector<Probe> probes;
  if (patch.status && *patch.status == domain::DStatus::kInProgress) {
    domain::DefenderPatch p;
    p.status = patch.status;
    probes.push_back({"defender.in_progress", p});
  }
  if (patch.resolving_comment) {
    domain::DefenderPatch p;
    p.resolving_comment = patch.resolving_comment;
    probes.push_back({"defender.resolving_comment", p});
  }
  bool sent = false;
  for (auto& probe : probes) {
    if (Meta(probe.key) == "ok") continue;
    if (sent) return Status(Code::kAborted, "one probe per read; the next after a new read");
    auto r = ctx.defender->Patch(id, probe.alone);
    if (r.ok()) {
      (void)ctx.store->SetLinkMeta(Link(), probe.key, "ok");
      sent = true;
      continue;
    }
    if (r.status().code() == Code::kInvalidArgument) {
      (void)ctx.store->SetLinkMeta(Link(), probe.key, "refused");
      ctx.log->Warn("defender.field_refused", {{"link", Link()}, {"field", probe.key}, {"error", r.status().ToString()}});
      return Status(Code::kFailedPrecondition, std::string("defender refused ") + probe.key + "; falling back");
    }
    return r.status();
  }
  return sent;
}

Status LinkRunner::Impl::ExecuteComment(const reconcile::CommentWrite& c, const PendingWrite& row, Timestamp now) {
  std::string target = c.target_incident;
  if (auto it = created_names.find(target); it != created_names.end()) {
    target = it->second;
  } else if (c.target == Side::kSentinel) {
    // A comment planned for a twin before it existed names the twin id; a defender-alert twin
    // has the name the service gave. A write replayed in a later cycle (or after a restart)
    // finds that name in the pair, not in this cycle's map.
    auto pair = ctx.store->PairByDefenderId(Link(), c.defender_id);
    if (!pair.ok()) return pair.status();
    if (*pair && (*pair)->marker == target && target != (*pair)->sentinel_id) {
      if ((*pair)->sentinel_id.empty()) {
        return Status(Code::kUnavailable, "twin of Defender incident " + c.defender_id + " is not created yet");
      }
      target = (*pair)->sentinel_id;
    }
  }
  if (c.target == Side::kDefender) {
    // Defender comments have no ids and a POST is not idempotent: read first, skip if it is there.
    auto fresh = ctx.defender->Get(target);
    if (!fresh.ok()) return fresh.status();
    const bool there = std::any_of(fresh->comments.begin(), fresh->comments.end(),
                                   [&](const domain::DefenderComment& x) { return domain::FindMarker(x.text) == c.uuid; });
    if (!there) {
      auto r = ctx.defender->AddComment(target, c.text);
      if (!r.ok()) return r.status();
    }
  } else {
    auto r = ctx.sentinel->PutComment(target, c.uuid, c.text);
    if (!r.ok()) return r.status();
  }
  ctx.metrics->Add("xdrsync_comments_copied_total", {{"link", Link()}, {"target", std::string(domain::SideName(c.target))},
                                                     {"purpose", c.purpose}});
  ctx.log->Info("comment.written", {{"link", Link()}, {"defender_id", c.defender_id}, {"target", std::string(domain::SideName(c.target))},
                                    {"incident", target}, {"purpose", c.purpose}, {"marker", c.uuid}});
  store::CommentCopy copy{{Link(), c.defender_id}, c.target, c.uuid, c.uuid, now};
  store::AuditEntry audit{0, now, Link(), c.defender_id, c.target == Side::kSentinel ? target : "", "comment",
                          c.target == Side::kSentinel ? store::Direction::kDefenderToSentinel
                                                      : store::Direction::kSentinelToDefender,
                          "", c.uuid, c.purpose};
  if (!c.content_hash.empty()) {
    store::Decision d;
    d.digests.push_back({{Link(), c.defender_id}, c.content_hash, now});
    if (Status s = confirms.Record(std::move(d)); !s.ok()) return s;
  }
  return confirms.Confirm(row.outbox_id, ToBaseMoves(Link(), c.on_confirm), {audit}, {copy});
}

}  // namespace xdrsync::engine
