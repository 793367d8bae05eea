#include "bridge.h"

namespace xdrsync::engine {

using domain::Side;

reconcile::PairState ToPairState(const store::Pair& pair, const store::PairBases& bases) {
  reconcile::PairState p;
  p.defender_id = pair.key.defender_id;
  p.sentinel_id = pair.sentinel_id;
  switch (pair.state) {
    case store::PairState::kMerged: p.kind = reconcile::PairKind::kMerged; break;
    case store::PairState::kDeletedInSentinel: p.kind = reconcile::PairKind::kDeletedInSentinel; break;
    case store::PairState::kSourceGone: p.kind = reconcile::PairKind::kSourceGone; break;
    default: p.kind = reconcile::PairKind::kActive; break;
  }
  p.merged_into = pair.redirect_target;
  for (domain::Field f : domain::kAllFields) {
    for (Side s : {Side::kDefender, Side::kSentinel}) {
      const auto& b = bases.Get(s, f);
      if (!b) continue;
      (s == Side::kDefender ? p.defender : p.sentinel)[f] = reconcile::FieldBase{b->value, b->stamp, b->own_write};
    }
  }
  return p;
}

store::Pair ToStorePair(const std::string& link, const reconcile::PairState& p, store::CreationWay way,
                        Timestamp now) {
  store::Pair out;
  out.key = {link, p.defender_id};
  out.sentinel_id = p.sentinel_id;
  switch (p.kind) {
    case reconcile::PairKind::kActive: out.state = store::PairState::kActive; break;
    case reconcile::PairKind::kMerged: out.state = store::PairState::kMerged; break;
    case reconcile::PairKind::kDeletedInSentinel: out.state = store::PairState::kDeletedInSentinel; break;
    case reconcile::PairKind::kSourceGone: out.state = store::PairState::kSourceGone; break;
  }
  out.redirect_target = p.kind == reconcile::PairKind::kMerged ? p.merged_into : "";
  out.way = way;
  out.created = now;
  out.updated = now;
  return out;
}

store::BaseMove ToBaseMove(const std::string& link, const reconcile::BaseUpdate& u) {
  return {{link, u.defender_id}, u.side, u.field, {u.base.value, u.base.stamp, u.base.own_write}};
}

std::vector<store::BaseMove> ToBaseMoves(const std::string& link, const std::vector<reconcile::BaseUpdate>& u) {
  std::vector<store::BaseMove> out;
  out.reserve(u.size());
  for (const auto& x : u) out.push_back(ToBaseMove(link, x));
  return out;
}

store::Conflict ToStoreConflict(const std::string& link, const reconcile::Conflict& c, Timestamp now) {
  store::Conflict out;
  out.time = now;
  out.pair = {link, c.defender_id};
  out.field = c.kind == "both-changed" ? std::string(domain::FieldName(c.field))
                                       : std::string(domain::FieldName(c.field)) + ":" + c.kind;
  out.defender_value = c.defender_value;
  out.sentinel_value = c.sentinel_value;
  out.defender_time = c.defender_time;
  out.sentinel_time = c.sentinel_time;
  out.defender_modified_by = c.defender_modified_by;
  out.sentinel_modified_by = c.sentinel_modified_by;
  out.policy = std::string(reconcile::ConflictPolicyName(c.policy));
  out.decision = c.decision;
  return out;
}

std::vector<store::AuditEntry> AuditOf(const std::string& link, const std::string& defender_id,
                                       const std::string& sentinel_id, Side target,
                                       const std::vector<reconcile::FieldChange>& changes, Timestamp now) {
  std::vector<store::AuditEntry> out;
  for (const auto& c : changes) {
    store::AuditEntry e;
    e.time = now;
    e.link = link;
    e.defender_id = defender_id;
    e.sentinel_id = sentinel_id;
    e.field = std::string(domain::FieldName(c.field));
    e.direction = target == Side::kSentinel ? store::Direction::kDefenderToSentinel
                                            : store::Direction::kSentinelToDefender;
    e.old_value = c.from;
    e.new_value = c.to;
    e.cause = c.cause;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace xdrsync::engine
