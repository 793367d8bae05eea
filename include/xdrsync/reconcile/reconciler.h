// The pure three-way reconciler (spec §5-7). No I/O, no clock, no logging: the same input always
// gives the same plan, and the plan of a state that has settled is empty.
#pragma once

#include <optional>
#include <vector>

#include "xdrsync/reconcile/plan.h"

namespace xdrsync::reconcile {

Plan Reconcile(const Input& input);

// The rendered twin description of a Defender incident (the Defender-side value of the
// description field): its alerts when known.
std::string DefenderDescription(const domain::DefenderIncident& d);
// Canonical values of an observed Defender incident, description rendered.
domain::FieldValues DefenderValues(const domain::DefenderIncident& d);

// After a confirmed write: the bases of the written fields move to what the response shows, with
// the response's stamp, flagged as our own write; plus the write's on_confirm moves.
std::vector<BaseUpdate> BasesAfterDefenderWrite(const DefenderWrite& w, const domain::DefenderIncident& response);
std::vector<BaseUpdate> BasesAfterSentinelWrite(const SentinelWrite& w, const domain::SentinelIncident& response);
// The held bases (hold_base) of a write, as its response shows them. Tags written to both sides in
// one cycle keep their common base until both writes are confirmed: then both held moves apply
// together, so a removal an analyst makes between the two writes still counts as a removal.
std::vector<BaseUpdate> HeldBasesAfterDefenderWrite(const DefenderWrite& w, const domain::DefenderIncident& response);
std::vector<BaseUpdate> HeldBasesAfterSentinelWrite(const SentinelWrite& w, const domain::SentinelIncident& response);
// After a twin an earlier, unrecorded attempt made is adopted (`found`; `finished` is what a
// creation writes). With `planned_from`, the Defender incident as that creation was first planned
// from: Defender's bases are it, Sentinel's what the creation wrote, unstamped, so whatever either
// side changed since counts as that side's change. Without it (the state was lost), only fields
// on which the twin still holds what a creation writes get bases; the others start without
// (agreement becomes the base, a disagreement is journaled).
struct PlannedFrom {
  domain::FieldValues values;
  domain::VersionStamp stamp;
};
std::vector<BaseUpdate> BasesAfterAdoption(const domain::DefenderIncident& defender,
                                           const std::optional<PlannedFrom>& planned_from,
                                           const domain::SentinelIncident& found,
                                           const domain::SentinelIncident& finished);
// After a twin is created: every field's base on both sides (Defender as observed at planning).
std::vector<BaseUpdate> BasesAfterCreate(const domain::DefenderIncident& defender,
                                         const domain::SentinelIncident& created);

}  // namespace xdrsync::reconcile
