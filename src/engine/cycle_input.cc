// The reconciler's input for one cycle: what capture observed, less the quarantined incidents that
// did not change, and the stored state (bases, digest) of every pair the cycle looks at. A creation
// an earlier run made but never confirmed is recovered here from its snapshots.
#include "bridge.h"
#include "runner_impl.h"

namespace xdrsync::engine {

using domain::Side;

Status LinkRunner::Impl::BuildInput(Cycle& c) {
  c.policy = EffectivePolicy();
  reconcile::Input& in = c.in;
  in.policy = &c.policy;
  in.now = c.now;
  in.observed = c.cap.observed;
  in.approved = c.options.approved;
  in.remap = c.options.remap;
  in.future_skew_seconds = ctx.options.future_skew_seconds;
  // Every incident the reconciler sees must come with its pair, or it would plan a second twin.
  std::set<std::string> seen = c.cap.touched;
  for (const auto& [id, d] : c.cap.observed.defender) seen.insert(id);
  if (Status s = LoadPairs(seen, c.cap); !s.ok()) return s;
  if (Status s = SkipQuarantined(c); !s.ok()) return s;
  for (const auto& [id, pair] : c.cap.pairs) {
    if (!c.cap.touched.count(id) && !c.cap.observed.defender.count(id)) continue;
    if (Status s = LoadPairState(c, pair); !s.ok()) return s;
  }
  return Status::Ok();
}

namespace {

// Set aside because a read of it could not be parsed (its body, or its item in a listing).
bool UnreadableWhenSetAside(const store::QuarantineEntry& e) {
  return e.field.empty() && e.error.rfind(std::string(CodeName(Code::kParseError)) + ":", 0) == 0;
}

}  // namespace

Status LinkRunner::Impl::SkipQuarantined(Cycle& c) {
  // Quarantined incidents sit out until they change again (or an operator releases them), so
  // one bad incident never stalls its link. One set aside because a read of it could not be parsed
  // is released by a read that can: the bad answer is gone (a broken response, a page cut short),
  // and the change that had it read (found by the long chaos run: a twin closed a second before a
  // malformed answer, older than the quarantine and so never synced) is planned now.
  auto q = ctx.store->Quarantined(Link());
  if (!q.ok()) return Status::Ok();
  Capture& cap = c.cap;
  auto& observed = c.in.observed;
  std::vector<std::string> twins;  // quarantined Sentinel incidents: whose pair are they?
  for (const auto& e : *q) {
    if (e.field.empty() && e.side == Side::kSentinel) twins.push_back(e.incident_id);
  }
  std::map<std::string, std::string> by_sentinel;
  if (!twins.empty()) {
    auto paired = ctx.store->PairsBySentinelIds(Link(), twins);
    if (!paired.ok()) return paired.status();
    for (const auto& p : *paired) by_sentinel[p.sentinel_id] = p.key.defender_id;
  }
  for (const auto& e : *q) {
    if (!e.field.empty()) continue;
    std::string defender_id = e.side == Side::kDefender ? e.incident_id : "";
    if (auto it = by_sentinel.find(e.incident_id); e.side == Side::kSentinel && it != by_sentinel.end()) {
      defender_id = it->second;
    }
    auto d = observed.defender.find(defender_id);
    if (d == observed.defender.end()) continue;
    auto p = cap.pairs.find(defender_id);
    auto s = p == cap.pairs.end() ? observed.sentinel.end() : observed.sentinel.find(p->second.sentinel_id);
    const bool read_now = e.side == Side::kDefender || observed.sentinel.count(e.incident_id);
    if (UnreadableWhenSetAside(e) && read_now) {
      cap.quarantine.push_back({e, true});
      ctx.log->Info("quarantine.released", {{"link", Link()}, {"side", std::string(domain::SideName(e.side))},
                                            {"incident", e.incident_id}, {"reason", "read again without a parse error"}});
      continue;
    }
    const bool changed =
        d->second.last_update > e.updated || (s != observed.sentinel.end() && s->second.last_modified > e.updated);
    if (!changed && defender_id != cap.resync_id) observed.defender.erase(d);
  }
  return Status::Ok();
}

Status LinkRunner::Impl::LoadPairState(Cycle& c, const store::Pair& pair) {
  const std::string& id = pair.key.defender_id;
  auto bases = ctx.store->Bases(pair.key);
  if (!bases.ok()) return bases.status();
  if (id == c.cap.resync_id) *bases = store::PairBases{};  // from scratch: its state is dropped in Record
  if (pair.state == store::PairState::kCreatePending && !RecoverCreation(c, pair, *bases)) return Status::Ok();
  reconcile::PairState ps = ToPairState(pair, *bases);
  if (auto digest = ctx.store->Digest(pair.key); digest.ok() && *digest && id != c.cap.resync_id) {
    ps.digest_hash = (*digest)->hash;
    ps.digest_written = (*digest)->written;
  }
  // The comments written to it are known without reading them back: a twin whose read failed,
  // or that only a listing (without comments) showed, does not look like it lacks them.
  if (auto copies = ctx.store->CommentCopies(pair.key); copies.ok() && id != c.cap.resync_id) {
    for (const auto& copy : *copies) {
      ps.copied.insert(std::string(domain::SideName(copy.target)) + "|" + copy.target_comment_id);
    }
  }
  c.in.pairs[id] = std::move(ps);
  return Status::Ok();
}

bool LinkRunner::Impl::RecoverCreation(Cycle& c, const store::Pair& pair, store::PairBases& bases) {
  // The twin exists although its creation was never confirmed (a crash after the PUT, or a lost
  // reply): the create went through. Its bases are what the creation was planned from and what it
  // wrote, so changes made since then propagate as usual. Without the snapshots, or without the
  // twin, the creation is planned again (idempotent).
  auto d_snap = ctx.store->Observed(pair.key, Side::kDefender);
  auto s_snap = ctx.store->Observed(pair.key, Side::kSentinel);
  if (pair.sentinel_id.empty() || !c.cap.observed.sentinel.count(pair.sentinel_id) || !d_snap.ok() || !*d_snap ||
      !s_snap.ok() || !*s_snap) {
    return false;
  }
  for (domain::Field f : domain::kAllFields) {
    bases.Get(Side::kDefender, f) = store::Base{(*d_snap)->values[f], (*d_snap)->stamp, false};
    bases.Get(Side::kSentinel, f) = store::Base{(*s_snap)->values[f], (*s_snap)->stamp, true};
    c.seeded_bases.push_back({pair.key, Side::kDefender, f, *bases.Get(Side::kDefender, f)});
    c.seeded_bases.push_back({pair.key, Side::kSentinel, f, *bases.Get(Side::kSentinel, f)});
  }
  store::Pair active = pair;
  active.state = store::PairState::kActive;
  active.updated = c.now;
  c.completed.push_back(active);
  ctx.log->Info("twin.recovered", {{"link", Link()}, {"defender_id", pair.key.defender_id}, {"sentinel_id", pair.sentinel_id}});
  return true;
}

}  // namespace xdrsync::engine
