#include "xdrsync/reconcile/policy.h"

#include "xdrsync/reconcile/plan.h"

namespace xdrsync::reconcile {

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kBoth: return "both";
    case Direction::kDefenderToSentinel: return "defender-to-sentinel";
    case Direction::kSentinelToDefender: return "sentinel-to-defender";
    case Direction::kNone: return "none";
  }
  return "none";
}

std::string_view ConflictPolicyName(ConflictPolicy p) {
  switch (p) {
    case ConflictPolicy::kNewest: return "newest";
    case ConflictPolicy::kDefenderWins: return "defender-wins";
    case ConflictPolicy::kSentinelWins: return "sentinel-wins";
    case ConflictPolicy::kManual: return "manual";
  }
  return "newest";
}

std::string_view PairKindName(PairKind k) {
  switch (k) {
    case PairKind::kActive: return "active";
    case PairKind::kMerged: return "merged";
    case PairKind::kDeletedInSentinel: return "deleted-in-sentinel";
    case PairKind::kSourceGone: return "source-gone";
  }
  return "active";
}

bool Allows(Direction d, domain::Side from) {
  if (d == Direction::kBoth) return true;
  if (d == Direction::kNone) return false;
  return (d == Direction::kDefenderToSentinel) == (from == domain::Side::kDefender);
}

LinkPolicy LinkPolicy::Defaults(LinkMode mode) {
  using domain::Field;
  LinkPolicy p;
  p.mode = mode;
  p.conflicts.fill(ConflictPolicy::kNewest);
  if (mode == LinkMode::kLink) {
    // Microsoft's connector already syncs the fields and new comments within one tenant.
    p.directions.fill(Direction::kNone);
    p.comments = Direction::kNone;
    return p;
  }
  p.directions.fill(Direction::kBoth);
  for (Field f : {Field::kSeverity, Field::kTitle, Field::kDescription}) {
    p.directions[static_cast<size_t>(f)] = Direction::kDefenderToSentinel;
  }
  return p;
}

}  // namespace xdrsync::reconcile
