// The three-way merge per field (spec §5): each side against its own base, in its own values.
#include <algorithm>
#include <cstdlib>

#include "planner.h"
#include "xdrsync/domain/comments.h"
#include "xdrsync/reconcile/reconciler.h"

namespace xdrsync::reconcile {

using domain::DefenderIncident;
using domain::FieldValues;
using domain::SentinelIncident;

namespace {

domain::VersionStamp DStamp(const DefenderIncident& d) { return {d.last_update, ""}; }
domain::VersionStamp SStamp(const SentinelIncident& s) { return {s.last_modified, s.etag}; }

// A side counts as changed when its observation is newer than the base and differs from it.
bool Changed(Side side, Field f, const std::optional<FieldBase>& base, const domain::VersionStamp& stamp,
             const std::string& value) {
  if (!base) return false;
  return domain::IsNewer(stamp, base->stamp) && !domain::SameValue(side, f, value, base->value);
}

BaseUpdate Move(const std::string& key, Side side, Field f, const std::string& value,
                const domain::VersionStamp& stamp) {
  return {key, side, f, {value, stamp, false}};
}

}  // namespace

void Planner::MergeFields(const PairState& pair, const DefenderIncident& d, const SentinelIncident& s,
                          PendingWrites& w) {
  const FieldValues dv = DefenderValues(d);
  const FieldValues sv = domain::CanonicalSentinel(s);
  for (Field f : domain::kAllFields) {
    if (policy_.direction(f) == Direction::kNone) continue;
    if (f == Field::kTags) {
      MergeTags(pair, d, s, dv, sv, w);
    } else {
      MergeField(f, pair, d, s, dv, sv, w);
    }
  }
}

void Planner::MergeField(Field f, const PairState& pair, const DefenderIncident& d, const SentinelIncident& s,
                         const FieldValues& dv, const FieldValues& sv, PendingWrites& w) {
  const Direction dir = policy_.direction(f);
  const auto& bd = pair.defender[f];
  const auto& bs = pair.sentinel[f];
  const std::string& key = pair.defender_id;
  if (!bd || !bs) {
    // No base (a pair found rather than created, or a rebuilt state): agreement becomes the base;
    // a disagreement is journaled for an operator, never overwritten (Unison's rule).
    if (!domain::Agree(f, dv[f], sv[f], policy_.mapping)) {
      plan_.conflicts.push_back({key, s.name, f, dv[f], sv[f], d.last_update, s.last_modified,
                                 d.last_modified_by, s.last_modified_by, "no-base", policy_.conflict(f),
                                 "journal-only"});
    }
    plan_.base_updates.push_back(Move(key, Side::kDefender, f, dv[f], DStamp(d)));
    plan_.base_updates.push_back(Move(key, Side::kSentinel, f, sv[f], SStamp(s)));
    return;
  }
  const bool changed_d = Allows(dir, Side::kDefender) && Changed(Side::kDefender, f, bd, DStamp(d), dv[f]);
  const bool changed_s = Allows(dir, Side::kSentinel) && Changed(Side::kSentinel, f, bs, SStamp(s), sv[f]);
  if (!changed_d && !changed_s) {
    ConsiderRemap(f, pair, d, dv, sv, w);
    return;
  }
  if (changed_d && !changed_s) {
    PropagateToSentinel(f, key, d, dv, sv, "defender changed", w);
    return;
  }
  if (changed_s && !changed_d) {
    PropagateToDefender(f, key, s, d, dv, sv, "sentinel changed", w);
    return;
  }
  if (domain::Agree(f, dv[f], sv[f], policy_.mapping)) {
    // Both changed to the same thing: a false conflict, nothing to write.
    plan_.base_updates.push_back(Move(key, Side::kDefender, f, dv[f], DStamp(d)));
    plan_.base_updates.push_back(Move(key, Side::kSentinel, f, sv[f], SStamp(s)));
    return;
  }
  const ConflictPolicy cp = policy_.conflict(f);
  Conflict c{key, s.name, f, dv[f], sv[f], d.last_update, s.last_modified, d.last_modified_by,
             s.last_modified_by, "both-changed", cp, ""};
  if (cp == ConflictPolicy::kManual) {
    c.decision = "manual";
    plan_.conflicts.push_back(c);
    w.manual_conflict = true;
    return;
  }
  Side winner = cp == ConflictPolicy::kDefenderWins   ? Side::kDefender
                : cp == ConflictPolicy::kSentinelWins ? Side::kSentinel
                                                      : NewestSide(d, s, pair);
  c.decision = std::string(domain::SideName(winner));
  plan_.conflicts.push_back(c);
  const std::string cause = "conflict: " + std::string(ConflictPolicyName(cp)) + " -> " + c.decision;
  if (winner == Side::kDefender) {
    PropagateToSentinel(f, key, d, dv, sv, cause, w);
  } else {
    PropagateToDefender(f, key, s, d, dv, sv, cause, w);
  }
}

Side Planner::NewestSide(const DefenderIncident& d, const SentinelIncident& s, const PairState& pair) const {
  // A stamp our own write produced says nothing about when the analyst acted: a tie.
  auto own = [](const SideBases& bases, const domain::VersionStamp& stamp) {
    return std::any_of(bases.fields.begin(), bases.fields.end(), [&](const std::optional<FieldBase>& b) {
      return b && b->own_write && b->stamp.time == stamp.time;
    });
  };
  if (own(pair.defender, DStamp(d)) || own(pair.sentinel, SStamp(s))) return policy_.tie_side;
  const int64_t dt = d.last_update.ticks() - in_.observed.defender_clock_offset;
  const int64_t st = s.last_modified.ticks() - in_.observed.sentinel_clock_offset;
  const int64_t gap = policy_.newest_min_gap_seconds * Timestamp::kTicksPerSecond;
  if (std::llabs(dt - st) < gap) return policy_.tie_side;
  return dt > st ? Side::kDefender : Side::kSentinel;
}

bool Planner::PropagateToSentinel(Field f, const std::string& key, const DefenderIncident& d, const FieldValues& dv,
                                  const FieldValues& sv, const std::string& cause, PendingWrites& w) {
  const auto mapped = domain::MapToSentinel(f, dv[f], policy_.mapping);
  if (!mapped) {
    plan_.notices.push_back({key, "defender " + std::string(domain::FieldName(f)) + " value '" + dv[f] +
                                      "' has no Sentinel equivalent; not propagated"});
    return false;
  }
  const SentinelIncident& s = *w.sentinel;
  if (!mapped->note.empty()) OwnerNote(key, Side::kSentinel, s.name, mapped->note, MarkersIn(s));
  if (domain::SameValue(Side::kSentinel, f, mapped->value, sv[f])) {
    plan_.base_updates.push_back(Move(key, Side::kDefender, f, dv[f], DStamp(d)));
    plan_.base_updates.push_back(Move(key, Side::kSentinel, f, sv[f], SStamp(s)));
    return false;
  }
  SetOnSentinel(f, key, d, dv, sv, mapped->value, cause, w);
  return true;
}

void Planner::SetOnSentinel(Field f, const std::string& key, const DefenderIncident& d, const FieldValues& dv,
                            const FieldValues& sv, const std::string& value, const std::string& cause,
                            PendingWrites& w) {
  FieldValues values = domain::CanonicalSentinel(*w.sentinel);
  values[f] = value;
  *w.sentinel = domain::SentinelWithFields(*w.sentinel, values, {f});
  w.sentinel_fields.insert(f);
  w.sentinel_changes.push_back({f, sv[f], value, cause});
  w.on_sentinel_confirm.push_back(Move(key, Side::kDefender, f, dv[f], DStamp(d)));
}

bool Planner::PropagateToDefender(Field f, const std::string& key, const SentinelIncident& s,
                                  const DefenderIncident& d, const FieldValues& dv, const FieldValues& sv,
                                  const std::string& cause, PendingWrites& w) {
  auto mapped = domain::MapToDefender(f, sv[f], dv[f], policy_.mapping);
  if (!mapped) {
    plan_.notices.push_back({key, "sentinel " + std::string(domain::FieldName(f)) + " value '" + sv[f] +
                                      "' has no Defender equivalent; not propagated"});
    return false;
  }
  if (!mapped->note.empty()) OwnerNote(key, Side::kDefender, d.id, mapped->note, MarkersIn(d));
  if (f == Field::kStatus && mapped->value == "inProgress" && policy_.defender_refuses_in_progress) {
    mapped->value = "active";  // this tenant refused inProgress once; Active is the nearest it takes
  }
  if (domain::SameValue(Side::kDefender, f, mapped->value, dv[f])) {
    plan_.base_updates.push_back(Move(key, Side::kDefender, f, dv[f], DStamp(d)));
    plan_.base_updates.push_back(Move(key, Side::kSentinel, f, sv[f], SStamp(s)));
    return false;
  }
  if (f == Field::kClosingComment && policy_.defender_refuses_resolving_comment) {
    // The tenant refuses resolvingComment: the closing comment travels as an incident comment.
    CommentWrite c;
    c.defender_id = key;
    c.target = Side::kDefender;
    c.target_incident = d.id;
    c.uuid = domain::OwnCommentUuid(Link(), "closing", s.name + "/" + sv[f]);
    c.text = domain::Marker(c.uuid) + " Closing comment from Sentinel:\n" + sv[f];
    c.purpose = "closing-comment";
    if (!PlannedMarkers(Side::kDefender, d.id).insert(c.uuid).second) return false;
    c.on_confirm.push_back(Move(key, Side::kSentinel, f, sv[f], SStamp(s)));
    plan_.comments.push_back(c);
    return true;
  }
  w.defender_values[f] = mapped->value;
  w.defender_fields.insert(f);
  w.defender_expected[f] = dv[f];
  w.defender_changes.push_back({f, dv[f], mapped->value, cause});
  w.on_defender_confirm.push_back(Move(key, Side::kSentinel, f, sv[f], SStamp(s)));
  return true;
}

void Planner::MergeTags(const PairState& pair, const DefenderIncident& d, const SentinelIncident& s,
                        const FieldValues& dv, const FieldValues& sv, PendingWrites& w) {
  // Tags are one vocabulary on both sides (minus the labels xdrsync owns), so they merge as sets
  // against one common base: the last set both sides were seen to hold.
  const Field f = Field::kTags;
  const Direction dir = policy_.direction(f);
  const std::string& key = pair.defender_id;
  const auto& bd = pair.defender[f];
  const auto& bs = pair.sentinel[f];
  std::set<std::string> d_reserved, d_now;
  for (const auto& t : domain::DecodeSet(dv[f])) (domain::IsReservedLabel(t) ? d_reserved : d_now).insert(t);
  const std::set<std::string> s_now = domain::DecodeSet(sv[f]);
  std::set<std::string> base;
  if (bd && bs) {
    for (const auto& t : domain::DecodeSet(bs->value)) {
      if (domain::DecodeSet(bd->value).count(t)) base.insert(t);
    }
  } else {
    if (d_now != s_now) {
      plan_.conflicts.push_back({key, s.name, f, dv[f], sv[f], d.last_update, s.last_modified, d.last_modified_by,
                                 s.last_modified_by, "no-base", policy_.conflict(f), "journal-only"});
    }
    for (const auto& t : d_now) {
      if (s_now.count(t)) base.insert(t);
    }
  }
  // A stale observation (a list page behind our own write) counts as unchanged.
  const bool d_fresh = !bd || domain::IsNewer(DStamp(d), bd->stamp);
  const bool s_fresh = !bs || domain::IsNewer(SStamp(s), bs->stamp);
  const std::set<std::string> d_eff = (Allows(dir, Side::kDefender) && d_fresh) ? d_now : base;
  const std::set<std::string> s_eff = (Allows(dir, Side::kSentinel) && s_fresh) ? s_now : base;
  std::set<std::string> result = base;
  for (const auto& t : d_eff) result.insert(t);
  for (const auto& t : s_eff) result.insert(t);
  for (const auto& t : base) {
    if (!d_eff.count(t) || !s_eff.count(t)) result.erase(t);
  }
  const bool write_d = Allows(dir, Side::kSentinel) && result != d_now;
  const bool write_s = Allows(dir, Side::kDefender) && result != s_now;
  if (!write_d && !write_s) {
    // Both hold the merged set: the common base catches up once, then nothing moves.
    const std::set<std::string> base_s = bs ? domain::DecodeSet(bs->value) : std::set<std::string>{};
    if (result == d_now && result == s_now && (!bd || base_s != result || base != result)) {
      plan_.base_updates.push_back(Move(key, Side::kDefender, f, dv[f], DStamp(d)));
      plan_.base_updates.push_back(Move(key, Side::kSentinel, f, sv[f], SStamp(s)));
    }
    return;
  }
  w.hold_tags_base = write_d && write_s;
  if (write_s) {
    FieldValues values = domain::CanonicalSentinel(*w.sentinel);
    values[f] = domain::EncodeSet(result);
    *w.sentinel = domain::SentinelWithFields(*w.sentinel, values, {f});
    w.sentinel_fields.insert(f);
    w.sentinel_changes.push_back({f, sv[f], values[f], "tags merged"});
    if (!write_d) w.on_sentinel_confirm.push_back(Move(key, Side::kDefender, f, dv[f], DStamp(d)));
  }
  if (write_d) {
    std::set<std::string> full = result;
    full.insert(d_reserved.begin(), d_reserved.end());  // customTags PATCH replaces the whole array
    w.defender_values[f] = domain::EncodeSet(full);
    w.defender_fields.insert(f);
    w.defender_expected[f] = dv[f];
    w.defender_changes.push_back({f, dv[f], w.defender_values[f], "tags merged"});
    if (!write_s) w.on_defender_confirm.push_back(Move(key, Side::kSentinel, f, sv[f], SStamp(s)));
  }
}

}  // namespace xdrsync::reconcile
