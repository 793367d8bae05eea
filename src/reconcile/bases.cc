// Base moves after confirmed writes (spec §5 rule 5) and the mass-change valve (spec §9).
#include <map>
#include <tuple>

#include "planner.h"
#include "xdrsync/reconcile/reconciler.h"

namespace xdrsync::reconcile {

std::vector<BaseUpdate> BasesAfterDefenderWrite(const DefenderWrite& w, const domain::DefenderIncident& response) {
  std::vector<BaseUpdate> out = w.on_confirm;
  const domain::FieldValues dv = DefenderValues(response);
  for (Field f : w.fields) {
    if (w.hold_base.count(f)) continue;
    out.push_back({w.defender_id, Side::kDefender, f, {dv[f], {response.last_update, ""}, true}});
  }
  return out;
}

std::vector<BaseUpdate> BasesAfterSentinelWrite(const SentinelWrite& w, const domain::SentinelIncident& response) {
  std::vector<BaseUpdate> out = w.on_confirm;
  const domain::FieldValues sv = domain::CanonicalSentinel(response);
  const std::string& defender_id = w.defender_id;
  for (Field f : w.fields) {
    if (w.hold_base.count(f)) continue;
    out.push_back({defender_id, Side::kSentinel, f, {sv[f], {response.last_modified, response.etag}, true}});
  }
  return out;
}

std::vector<BaseUpdate> HeldBasesAfterDefenderWrite(const DefenderWrite& w, const domain::DefenderIncident& response) {
  std::vector<BaseUpdate> out;
  const domain::FieldValues dv = DefenderValues(response);
  for (Field f : w.hold_base) out.push_back({w.defender_id, Side::kDefender, f, {dv[f], {response.last_update, ""}, true}});
  return out;
}

std::vector<BaseUpdate> HeldBasesAfterSentinelWrite(const SentinelWrite& w, const domain::SentinelIncident& response) {
  std::vector<BaseUpdate> out;
  const domain::FieldValues sv = domain::CanonicalSentinel(response);
  for (Field f : w.hold_base) {
    out.push_back({w.defender_id, Side::kSentinel, f, {sv[f], {response.last_modified, response.etag}, true}});
  }
  return out;
}

std::vector<BaseUpdate> BasesAfterCreate(const domain::DefenderIncident& defender,
                                         const domain::SentinelIncident& created) {
  std::vector<BaseUpdate> out;
  const domain::FieldValues dv = DefenderValues(defender);
  const domain::FieldValues sv = domain::CanonicalSentinel(created);
  for (Field f : domain::kAllFields) {
    out.push_back({defender.id, Side::kDefender, f, {dv[f], {defender.last_update, ""}, false}});
    out.push_back({defender.id, Side::kSentinel, f, {sv[f], {created.last_modified, created.etag}, true}});
  }
  return out;
}

std::vector<BaseUpdate> BasesAfterAdoption(const domain::DefenderIncident& defender,
                                           const std::optional<PlannedFrom>& planned_from,
                                           const domain::SentinelIncident& found,
                                           const domain::SentinelIncident& finished) {
  std::vector<BaseUpdate> out;
  const domain::FieldValues written = domain::CanonicalSentinel(finished);
  if (planned_from) {
    for (Field f : domain::kAllFields) {
      out.push_back({defender.id, Side::kDefender, f, {planned_from->values[f], planned_from->stamp, false}});
      out.push_back({defender.id, Side::kSentinel, f, {written[f], {Timestamp(), ""}, true}});
    }
    return out;
  }
  const domain::FieldValues dv = DefenderValues(defender);
  const domain::FieldValues sv = domain::CanonicalSentinel(found);
  for (Field f : domain::kAllFields) {
    if (!domain::SameValue(Side::kSentinel, f, sv[f], written[f])) continue;
    out.push_back({defender.id, Side::kDefender, f, {dv[f], {defender.last_update, ""}, false}});
    out.push_back({defender.id, Side::kSentinel, f, {sv[f], {found.last_modified, found.etag}, false}});
  }
  return out;
}

void Planner::ApplyWriteCap() {
  if (in_.approved) return;
  // Group updates of existing pairs by (side, field, new value): a mass change sets one field to
  // one value (or clears it) on many pairs at once.
  std::map<std::tuple<int, Field, std::string>, size_t> groups;
  for (const auto& w : plan_.sentinel_writes) {
    for (const auto& c : w.changes) ++groups[{1, c.field, c.to}];
  }
  for (const auto& w : plan_.defender_writes) {
    for (const auto& c : w.changes) ++groups[{0, c.field, c.to}];
  }
  for (const auto& [key, n] : groups) {
    if (n <= policy_.max_writes_per_cycle) continue;
    const auto& [side, field, value] = key;
    Plan held;
    held.held = true;
    held.held_reason = std::to_string(n) + " pairs would get " + std::string(side ? "sentinel " : "defender ") +
                       std::string(domain::FieldName(field)) + " = '" + value + "' in one cycle (cap " +
                       std::to_string(policy_.max_writes_per_cycle) +
                       "); nothing applied until an operator runs `xdrsync approve " + Link() + "`";
    held.conflicts = std::move(plan_.conflicts);
    held.notices = std::move(plan_.notices);
    held.remaps = std::move(plan_.remaps);
    for (auto& r : held.remaps) r.planned = false;
    plan_ = std::move(held);
    return;
  }
}

}  // namespace xdrsync::reconcile
