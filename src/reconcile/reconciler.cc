#include "xdrsync/reconcile/reconciler.h"

#include <algorithm>

#include "planner.h"
#include "xdrsync/core/strings.h"
#include "xdrsync/core/uuid.h"
#include "xdrsync/domain/comments.h"
#include "xdrsync/domain/digest.h"

namespace xdrsync::reconcile {

using domain::DefenderIncident;
using domain::SentinelIncident;

namespace {

int SeverityRank(const std::string& defender_severity) {
  switch (domain::ParseDSeverity(defender_severity).value) {
    case domain::DSeverity::kInformational: return 0;
    case domain::DSeverity::kLow: return 1;
    case domain::DSeverity::kHigh: return 3;
    default: return 2;  // medium, and unknown weight counts as medium (spec §4)
  }
}

bool IsTwin(const DefenderIncident& d) {
  if (domain::HasMarker(d.display_name) || domain::HasMarker(d.description)) return true;
  return std::any_of(d.custom_tags.begin(), d.custom_tags.end(),
                     [](const std::string& t) { return domain::HasMarker(t); });
}

bool Ignored(const DefenderIncident& d, const SentinelIncident* s) {
  const bool d_ignored = std::find(d.custom_tags.begin(), d.custom_tags.end(), domain::kLabelIgnore) !=
                         d.custom_tags.end();
  return d_ignored || (s != nullptr && domain::HasLabel(*s, domain::kLabelIgnore));
}

}  // namespace

std::string DefenderDescription(const DefenderIncident& d) {
  static const std::vector<domain::DefenderAlert> kNone;
  return domain::RenderTwinDescription(d, d.alerts ? *d.alerts : kNone);
}

domain::FieldValues DefenderValues(const DefenderIncident& d) {
  return domain::CanonicalDefender(d, DefenderDescription(d));
}

Planner::Planner(const Input& input) : in_(input), policy_(*input.policy), pairs_(input.pairs) {
  const Timestamp limit = in_.now + in_.future_skew_seconds;
  for (auto& [id, pair] : pairs_) {
    for (SideBases* side : {&pair.defender, &pair.sentinel}) {
      for (auto& base : side->fields) {
        if (base && base->stamp.time > limit) base->stamp = domain::VersionStamp{Timestamp(), ""};
      }
    }
  }
  for (const auto& [name, s] : in_.observed.sentinel) {
    if (auto twin = domain::TwinIdFromLabels(s)) labelled_twins_.emplace(*twin, &s);
  }
}

const SentinelIncident* Planner::FindLabelledTwin(const std::string& twin_id) const {
  auto it = labelled_twins_.find(twin_id);
  return it == labelled_twins_.end() ? nullptr : it->second;
}

const PairState* Planner::FindPair(const std::string& id) const {
  auto it = pairs_.find(id);
  return it == pairs_.end() ? nullptr : &it->second;
}

const SentinelIncident* Planner::FindSentinel(const std::string& name) const {
  auto it = in_.observed.sentinel.find(name);
  return it == in_.observed.sentinel.end() ? nullptr : &it->second;
}

const DefenderIncident* Planner::FindDefender(const std::string& id) const {
  auto it = in_.observed.defender.find(id);
  return it == in_.observed.defender.end() ? nullptr : &it->second;
}

std::set<std::string>& Planner::PlannedMarkers(Side side, const std::string& incident) {
  return planned_markers_[std::string(domain::SideName(side)) + "|" + incident];
}

Plan Planner::Run() {
  for (const auto& [id, d] : in_.observed.defender) VisitDefender(d);
  for (const auto& [id, pair] : in_.pairs) {
    if (!handled_.count(id)) VisitPairWithoutDefender(pair);
  }
  ApplyWriteCap();
  return std::move(plan_);
}

void Planner::VisitDefender(const DefenderIncident& d) {
  if (handled_.count(d.id)) return;
  const PairState* pair = FindPair(d.id);
  // Tombstones are visited from the pair side (VisitPairWithoutDefender).
  if (pair != nullptr && pair->kind != PairKind::kActive) return;
  if (d.status.value == domain::DStatus::kRedirected) {
    HandleRedirect(d);
    return;
  }
  if (pair == nullptr) {
    PairOrCreate(d);
    return;
  }
  handled_.insert(d.id);
  if (in_.observed.sentinel_missing.count(pair->sentinel_id)) {
    VisitPairWithoutDefender(*pair);
    return;
  }
  const SentinelIncident* s = FindSentinel(pair->sentinel_id);
  if (s == nullptr) return;  // the engine reads both sides of a touched pair; wait for it
  if (in_.observed.defender_gone.count(d.id)) {
    VisitPairWithoutDefender(*pair);
    return;
  }
  SyncPair(*pair, d, *s);
}

bool Planner::InScope(const DefenderIncident& d) const {
  const Scope& sc = policy_.scope;
  if (!sc.min_severity.empty() && SeverityRank(WireText(d.severity)) < SeverityRank(sc.min_severity)) return false;
  if (sc.created_after && d.created < *sc.created_after) return false;
  for (const auto& t : d.custom_tags) {
    if (sc.exclude_tags.count(t)) return false;
  }
  if (!sc.service_sources.empty()) {
    if (!d.alerts) return false;  // unknown membership: decide when the alerts are read
    const bool any = std::any_of(d.alerts->begin(), d.alerts->end(), [&](const domain::DefenderAlert& a) {
      for (const auto& src : sc.service_sources) {
        if (EqualsIgnoreCase(src, a.service_source)) return true;
      }
      return false;
    });
    if (!any) return false;
  }
  return true;
}

void Planner::PairOrCreate(const DefenderIncident& d) {
  handled_.insert(d.id);
  if (IsTwin(d) || Ignored(d, nullptr)) return;
  if (policy_.mode == LinkMode::kLink) {
    for (const auto& [name, s] : in_.observed.sentinel) {
      if (s.provider_incident_id == d.id && domain::IsDefenderProviderName(s.provider_name)) {
        AdoptPair(d, s, "connector incident found by provider id");
        return;
      }
    }
    return;
  }
  const std::string twin = TwinId(policy_.defender_tenant_id, d.id);
  if (const SentinelIncident* s = FindSentinel(twin)) {
    AdoptPair(d, *s, "twin found by its deterministic id");
    return;
  }
  if (const SentinelIncident* s = FindLabelledTwin(twin)) {
    AdoptPair(d, *s, "twin found by its label");  // a defender-alert twin, named by the service
    return;
  }
  if (InScope(d)) CreateTwin(d, "new Defender incident");
}

void Planner::AdoptPair(const DefenderIncident& d, const SentinelIncident& s, const std::string& cause) {
  PairState pair;
  pair.defender_id = d.id;
  pair.sentinel_id = s.name;
  plan_.pairs.push_back({pair, true, cause});
  pairs_[d.id] = pair;
  SyncPair(pairs_[d.id], d, s);
}

void Planner::CreateTwin(const DefenderIncident& d, const std::string& cause) {
  TwinCreate c;
  c.defender_id = d.id;
  c.twin_id = TwinId(policy_.defender_tenant_id, d.id);
  c.cause = cause;
  SentinelIncident s;
  s.name = c.twin_id;
  s.status = {domain::SStatus::kNew, "New"};
  s.severity = {domain::SSeverity::kMedium, "Medium"};
  const domain::FieldValues dv = DefenderValues(d);
  domain::FieldValues sv;
  std::set<Field> fields;
  std::vector<std::string> notes;
  for (Field f : domain::kAllFields) {
    if (auto m = domain::MapToSentinel(f, dv[f], policy_.mapping)) {
      sv[f] = m->value;
      fields.insert(f);
      if (!m->note.empty()) notes.push_back(m->note);
    }
  }
  c.incident = domain::SentinelWithFields(s, sv, fields);
  // Response-time metrics must use Defender's times; the twin's creation time is the copy time.
  c.incident.first_activity = d.created;
  c.incident.last_activity = d.last_update;
  if (d.alerts && domain::WantsOverflowLabel(d.alerts->size(), false)) {
    domain::SetReservedLabel(c.incident, domain::kLabelOverflow, true);
  }
  PairState pair;
  pair.defender_id = d.id;
  pair.sentinel_id = c.twin_id;
  plan_.pairs.push_back({pair, true, cause});
  pairs_[d.id] = pair;
  // The new twin's comments and alert table go in the same plan, after the creation itself.
  PendingWrites w;
  w.sentinel = c.incident;
  CopyComments(pair, d, c.incident, w);
  AlertDigest(pair, d, c.incident, w);
  for (const auto& note : notes) OwnerNote(d.id, Side::kSentinel, c.twin_id, note, {});
  for (const auto& label : w.labels_added) domain::SetReservedLabel(c.incident, label, true);
  plan_.creations.push_back(std::move(c));
}

void Planner::SyncPair(const PairState& pair, const DefenderIncident& d, const SentinelIncident& s) {
  if (Ignored(d, &s)) return;
  PendingWrites w;
  w.sentinel = s;
  MergeFields(pair, d, s, w);
  CopyComments(pair, d, s, w);
  AlertDigest(pair, d, s, w);
  Flush(pair, d, s, w);
}

void Planner::Flush(const PairState& pair, const DefenderIncident& d, const SentinelIncident& s, PendingWrites& w) {
  FlushSentinel(pair, s, w);
  if (!w.defender_fields.empty()) {
    DefenderWrite dw;
    dw.defender_id = d.id;
    dw.values = w.defender_values;
    dw.fields = w.defender_fields;
    dw.expected = w.defender_expected;
    dw.changes = w.defender_changes;
    dw.on_confirm = w.on_defender_confirm;
    if (w.hold_tags_base) dw.hold_base.insert(Field::kTags);
    plan_.defender_writes.push_back(std::move(dw));
  }
}

void Planner::FlushSentinel(const PairState& pair, const SentinelIncident& s, PendingWrites& w) {
  const bool labelled = domain::HasLabel(*w.sentinel, domain::kLabelConflict);
  if (w.manual_conflict && !labelled) {
    domain::SetReservedLabel(*w.sentinel, domain::kLabelConflict, true);
    w.labels_added.emplace_back(domain::kLabelConflict);
  }
  if (!w.sentinel_fields.empty() || !w.labels_added.empty() || !w.labels_removed.empty()) {
    SentinelWrite sw;
    sw.defender_id = pair.defender_id;
    sw.sentinel_id = s.name;
    sw.fields = w.sentinel_fields;
    domain::FieldValues values = domain::CanonicalSentinel(*w.sentinel);
    sw.incident = domain::SentinelWithFields(*w.sentinel, values, w.sentinel_fields);
    sw.labels_added = w.labels_added;
    sw.labels_removed = w.labels_removed;
    sw.changes = w.sentinel_changes;
    // Source-side bases move when the write they caused is confirmed.
    sw.on_confirm = w.on_sentinel_confirm;
    if (w.hold_tags_base) sw.hold_base.insert(Field::kTags);
    plan_.sentinel_writes.push_back(std::move(sw));
  }
}

void Planner::VisitPairWithoutDefender(const PairState& pair) {
  if (pair.kind == PairKind::kMerged) {
    if (const SentinelIncident* s = FindSentinel(pair.sentinel_id)) VisitMergedPair(pair, *s);
    return;
  }
  if (pair.kind != PairKind::kActive) return;
  if (in_.observed.sentinel_missing.count(pair.sentinel_id)) {
    PairState gone = pair;
    gone.kind = PairKind::kDeletedInSentinel;
    plan_.pairs.push_back({gone, false, "twin answered 404: deleted in Sentinel"});
    plan_.notices.push_back({pair.defender_id, "twin " + pair.sentinel_id +
                                                   " was deleted in Sentinel; re-created only by `xdrsync resync`"});
    return;
  }
  if (in_.observed.defender_gone.count(pair.defender_id)) {
    const SentinelIncident* s = FindSentinel(pair.sentinel_id);
    if (s == nullptr) return;
    SentinelWrite sw;
    sw.defender_id = pair.defender_id;
    sw.sentinel_id = s->name;
    sw.incident = *s;
    domain::SetReservedLabel(sw.incident, domain::kLabelSourceGone, true);
    sw.labels_added.emplace_back(domain::kLabelSourceGone);
    plan_.sentinel_writes.push_back(std::move(sw));
    PairState gone = pair;
    gone.kind = PairKind::kSourceGone;
    plan_.pairs.push_back({gone, false, "Defender incident gone (two 404s a sweep apart)"});
  }
}

Plan Reconcile(const Input& input) {
  Planner planner(input);
  return planner.Run();
}

}  // namespace xdrsync::reconcile
