// Remaps (spec §4): a changed owner map, domain rule, title prefix or unknown-severity setting
// changes nothing by itself. A twin field whose two sides no longer agree under the current mapping,
// though neither side moved from its base, is listed; in remap mode it is written to the twin like a
// Defender change, for at most `max_writes_per_cycle` pairs per plan (the rest wait for the next).
#include "planner.h"
#include "xdrsync/domain/comments.h"

namespace xdrsync::reconcile {

namespace {

// The fields whose Sentinel value depends on mapping settings rather than on the value alone.
bool MappingDependent(Field f) { return f == Field::kOwner || f == Field::kTitle || f == Field::kSeverity; }

}  // namespace

void Planner::ConsiderRemap(Field f, const PairState& pair, const domain::DefenderIncident& d,
                            const domain::FieldValues& dv, const domain::FieldValues& sv, PendingWrites& w) {
  if (!MappingDependent(f) || !Allows(policy_.direction(f), Side::kDefender)) return;
  const auto& bd = pair.defender[f];
  const auto& bs = pair.sentinel[f];
  // Both sides still hold what was last synced: a disagreement now can only come from the mapping.
  if (!bd || !bs || !domain::SameValue(Side::kDefender, f, dv[f], bd->value) ||
      !domain::SameValue(Side::kSentinel, f, sv[f], bs->value)) {
    return;
  }
  // Only the Defender -> Sentinel translation counts: read backwards, a domain rule or a prefix
  // would let the old twin value pass for the Defender one (Agree is deliberately that wide).
  const auto mapped = domain::MapToSentinel(f, dv[f], policy_.mapping);
  if (!mapped) return;
  // (A defender-alert twin's title marker is not part of the canonical title, and stays on writes.)
  const std::string want = mapped->value;
  if (domain::SameValue(Side::kSentinel, f, want, sv[f])) return;
  Remap r{pair.defender_id, pair.sentinel_id, f, sv[f], want, false};
  const bool room = remapped_pairs_.count(pair.defender_id) > 0 || remapped_pairs_.size() < policy_.max_writes_per_cycle;
  if (in_.remap && room) {
    const domain::SentinelIncident& s = *w.sentinel;
    if (!mapped->note.empty()) OwnerNote(pair.defender_id, Side::kSentinel, s.name, mapped->note, MarkersIn(s));
    SetOnSentinel(f, pair.defender_id, d, dv, sv, want, "remap: the link's mapping changed", w);
    remapped_pairs_.insert(pair.defender_id);
    r.planned = true;
  }
  plan_.remaps.push_back(std::move(r));
}

}  // namespace xdrsync::reconcile
