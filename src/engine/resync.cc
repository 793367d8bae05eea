// `xdrsync resync LINK DEFENDER_ID` (spec §3): re-read both sides of one pair and re-plan it from
// scratch, as a sweep plans an incident it has no state for. A twin that still exists is kept and
// re-adopted without bases (agreement becomes the base, a disagreement is journaled); a twin that is
// gone, e.g. behind a `deleted-in-sentinel` tombstone, is created again if the incident is in scope.
// The old state is dropped in the same transaction as the new decision, so a failed read or a
// crash leaves the pair exactly as it was.
#include "runner_impl.h"

namespace xdrsync::engine {

Status LinkRunner::Impl::CaptureForResync(const std::string& id, Timestamp now, Capture& cap) {
  if (Status s = LoadPairs({id}, cap); !s.ok()) return s;
  auto old = cap.pairs.find(id);
  if (old != cap.pairs.end() && old->second.state == store::PairState::kCreatePending) {
    // Its pending record is what keeps a createAlert from being repeated: never drop it.
    return FailedPrecondition("resync: the twin of Defender incident " + id +
                              " is still being created; let the daemon finish that first");
  }
  auto d = ctx.defender->Get(id);
  if (!d.ok()) return d.status().Annotate("resync: defender incident " + id);
  cap.resync_id = id;
  cap.touched.insert(id);
  cap.observed.defender[id] = std::move(*d);
  if (old == cap.pairs.end()) return ReadPairSides(cap, now);
  cap.resync_old = old->second;
  cap.pairs.erase(old);
  if (!cap.resync_old->sentinel_id.empty()) {
    auto s = ctx.sentinel->Get(cap.resync_old->sentinel_id);
    if (s.ok()) {
      cap.observed.sentinel[s->name] = std::move(*s);
      store::Pair kept = *cap.resync_old;
      kept.state = store::PairState::kActive;
      kept.redirect_target.clear();
      kept.updated = now;
      cap.pairs[id] = kept;
    } else if (s.status().code() != Code::kNotFound) {
      return s.status().Annotate("resync: twin " + cap.resync_old->sentinel_id);
    }
  }
  return ReadPairSides(cap, now);
}

void LinkRunner::Impl::RecordResync(const Capture& cap, Timestamp now, store::Decision& decision) const {
  if (cap.resync_id.empty()) return;
  const store::PairKey key{Link(), cap.resync_id};
  const std::string old_state = cap.resync_old ? std::string(store::PairStateName(cap.resync_old->state)) : "none";
  decision.forget.push_back(key);
  decision.forget_time = now;
  auto kept = cap.pairs.find(cap.resync_id);
  if (kept != cap.pairs.end()) decision.pairs.push_back(kept->second);
  decision.audit.push_back({0, now, Link(), cap.resync_id, cap.resync_old ? cap.resync_old->sentinel_id : "", "pair",
                            store::Direction::kDefenderToSentinel, old_state,
                            kept != cap.pairs.end() ? "re-adopted" : "re-planned", "operator: xdrsync resync"});
  ctx.log->Info("pair.resync", {{"link", Link()}, {"defender_id", cap.resync_id}, {"from", old_state},
                                {"twin_kept", kept != cap.pairs.end() ? "true" : "false"}});
}

}  // namespace xdrsync::engine
