// Defender merges (spec §6): A redirected into B closes A's twin, labels it, points at B, carries
// every human comment of A and of A's twin to B and B's twin once, and makes A a tombstone.
#include <algorithm>
#include <set>

#include "planner.h"
#include "xdrsync/core/uuid.h"
#include "xdrsync/domain/comments.h"
#include "xdrsync/reconcile/reconciler.h"

namespace xdrsync::reconcile {

using domain::DefenderIncident;
using domain::SentinelIncident;

namespace {

constexpr int kMaxRedirectHops = 32;

// A comment xdrsync copied (marker, then the origin header) rather than one it authored itself.
bool IsCopy(std::string_view text) {
  const auto m = domain::FindMarker(text);
  return m && text.substr(domain::Marker(*m).size(), 6) == " From ";
}

struct Carried {
  std::string uuid;
  std::string text;
};

}  // namespace

std::optional<std::string> Planner::FollowChain(const std::string& start) const {
  std::set<std::string> seen{start};
  std::string current = start;
  for (int hop = 0; hop < kMaxRedirectHops; ++hop) {
    const DefenderIncident* d = FindDefender(current);
    if (d == nullptr) return std::nullopt;
    if (d->status.value != domain::DStatus::kRedirected) return current;
    if (!d->redirect_incident_id || d->redirect_incident_id->empty()) return std::nullopt;
    current = *d->redirect_incident_id;
    if (!seen.insert(current).second) return std::nullopt;  // a loop
  }
  return std::nullopt;
}

void Planner::HandleRedirect(const DefenderIncident& a) {
  handled_.insert(a.id);
  const PairState* pair = FindPair(a.id);
  // First seen already redirected: it never gets a twin (its survivor carries the story). A twin
  // it has already that no pair knows (made just before the merge, and its record lost with the
  // state) is closed like any merged-away twin.
  if (pair == nullptr) pair = PairOfUnknownTwin(a);
  if (pair == nullptr || pair->kind != PairKind::kActive) return;
  const auto survivor = FollowChain(a.id);
  if (!survivor) {
    plan_.notices.push_back({a.id, "redirect chain of Defender incident " + a.id +
                                       " is broken or loops; merge handling waits for it to resolve"});
    return;
  }
  const DefenderIncident* b = FindDefender(*survivor);
  const PairState* b_pair = FindPair(*survivor);
  if (b_pair == nullptr) {
    // The survivor of a merge is always in scope.
    handled_.insert(b->id);
    if (policy_.mode == LinkMode::kMirror) {
      CreateTwin(*b, "survivor of merged incident " + a.id);
    } else {
      VisitDefender(*b);
    }
    b_pair = FindPair(*survivor);
    if (b_pair == nullptr) {
      plan_.notices.push_back({a.id, "survivor " + *survivor + " has no twin yet; merge handling waits"});
      return;
    }
  }
  // The comments of A and of A's twin are carried once, in the cycle that makes A a tombstone:
  // against a target side whose comments were not read (a failed read, and its record of what we
  // wrote lost with the state), every carried comment would be written again. The whole merge
  // waits for a cycle that reads both; A is read again then (its sighting is forgotten).
  if (const PairState* target = CarryTarget(*survivor); target != nullptr && !CarryTargetRead(*target)) {
    plan_.notices.push_back({a.id, "survivor " + target->defender_id + " of merged incident " + a.id +
                                       " was not read on both sides this cycle; merge handling waits for it"});
    plan_.revisit.insert(a.id);
    return;
  }
  const SentinelIncident* a_twin = FindSentinel(pair->sentinel_id);
  if (a_twin != nullptr) {
    CloseMergedTwin(*pair, *survivor, *a_twin);
    // Field edits of A's twin made since the last sync no longer have a Defender incident to go to.
    const domain::FieldValues sv = domain::CanonicalSentinel(*a_twin);
    for (Field f : domain::kAllFields) {
      const auto& base = pair->sentinel[f];
      if (f == Field::kStatus || !base || domain::SameValue(Side::kSentinel, f, sv[f], base->value)) continue;
      plan_.conflicts.push_back({a.id, a_twin->name, f, "", sv[f], a.last_update, a_twin->last_modified,
                                 a.last_modified_by, a_twin->last_modified_by, "merged-source",
                                 policy_.conflict(f), "journal-only"});
    }
  }
  // Without A's twin in this capture (its read failed), the tombstone is still recorded: the close
  // is owed until confirmed (MergeCloseOwed), and the tombstone's visit finishes it.
  // Defender-side edits of A captured in the cycle of the redirect: A is hidden in Defender now,
  // so they are journaled rather than lost silently.
  const domain::FieldValues dv = DefenderValues(a);
  for (Field f : domain::kAllFields) {
    const auto& base = pair->defender[f];
    if (f == Field::kStatus || f == Field::kTags || f == Field::kDescription || !base ||
        !domain::IsNewer({a.last_update, ""}, base->stamp) ||
        domain::SameValue(Side::kDefender, f, dv[f], base->value)) {
      continue;
    }
    plan_.conflicts.push_back({a.id, pair->sentinel_id, f, dv[f], "", a.last_update, Timestamp(),
                               a.last_modified_by, "", "merged-source", policy_.conflict(f), "journal-only"});
  }
  CarryComments(*survivor, &a, a_twin, a.id);
  PairState tomb = *pair;
  tomb.kind = PairKind::kMerged;
  tomb.merged_into = *survivor;
  plan_.pairs.push_back({tomb, false, "merged into " + *survivor});
}

const PairState* Planner::PairOfUnknownTwin(const DefenderIncident& a) {
  if (policy_.mode != LinkMode::kMirror) return nullptr;
  const std::string twin = TwinId(policy_.defender_tenant_id, a.id);
  const SentinelIncident* s = FindSentinel(twin);
  if (s == nullptr) s = FindLabelledTwin(twin);
  if (s == nullptr) return nullptr;
  PairState pair;
  pair.defender_id = a.id;
  pair.sentinel_id = s->name;
  pairs_[a.id] = pair;
  return &pairs_[a.id];
}

bool Planner::MergeCloseOwed(const PairState& pair, const SentinelIncident& twin) const {
  // The close of a merged-away twin is owed until a write of ours closing it is confirmed, which
  // moves the status base to Closed. An analyst's reopening after that is theirs to keep.
  if (twin.status.value == domain::SStatus::kClosed) return false;
  const auto& base = pair.sentinel[Field::kStatus];
  return !base || !domain::SameValue(Side::kSentinel, Field::kStatus, "Closed", base->value);
}

void Planner::CloseMergedTwin(const PairState& pair, const std::string& survivor, const SentinelIncident& a_twin) {
  PendingWrites w;
  w.sentinel = a_twin;
  if (a_twin.status.value != domain::SStatus::kClosed) {
    domain::FieldValues values = domain::CanonicalSentinel(a_twin);
    values[Field::kStatus] = "Closed";
    *w.sentinel = domain::SentinelWithFields(a_twin, values, {Field::kStatus});
    w.sentinel_fields.insert(Field::kStatus);
    w.sentinel_changes.push_back({Field::kStatus, WireText(a_twin.status), "Closed", "merged into " + survivor});
  }
  if (!domain::HasLabel(a_twin, domain::kLabelRedirected)) {
    domain::SetReservedLabel(*w.sentinel, domain::kLabelRedirected, true);
    w.labels_added.emplace_back(domain::kLabelRedirected);
  }
  const DefenderIncident* b = FindDefender(survivor);
  const PairState* b_pair = FindPair(survivor);
  const SentinelIncident* b_twin = b_pair ? FindSentinel(b_pair->sentinel_id) : nullptr;
  CommentWrite notice;
  notice.defender_id = pair.defender_id;
  notice.target = Side::kSentinel;
  notice.target_incident = a_twin.name;
  notice.uuid = domain::OwnCommentUuid(Link(), "merge", pair.defender_id);
  notice.text = domain::Marker(notice.uuid) + " Defender merged this incident into incident " + survivor +
                (b ? ". Defender: " + b->web_url : std::string(".")) +
                (b_twin && !b_twin->incident_url.empty() ? " Sentinel: " + b_twin->incident_url : "");
  notice.purpose = "merge-notice";
  if (!AlreadyWritten(pair, Side::kSentinel, notice.uuid, MarkersIn(a_twin))) {
    AddSentinelComment(pair, a_twin, std::move(notice), w);
  }
  FlushSentinel(pair, a_twin, w);
}

const PairState* Planner::CarryTarget(const std::string& survivor_id) const {
  // Resolve the survivor's own tombstone chain in our state (B itself may have merged on).
  const PairState* target = FindPair(survivor_id);
  for (int hop = 0; target && target->kind == PairKind::kMerged && hop < kMaxRedirectHops; ++hop) {
    target = FindPair(target->merged_into);
  }
  return target != nullptr && target->kind == PairKind::kActive ? target : nullptr;
}

bool Planner::CarryTargetRead(const PairState& target) const {
  if (FindDefender(target.defender_id) == nullptr) return false;
  if (FindSentinel(target.sentinel_id) != nullptr) return true;
  return std::any_of(plan_.creations.begin(), plan_.creations.end(),
                     [&](const TwinCreate& c) { return c.defender_id == target.defender_id; });
}

bool Planner::CarryComments(const std::string& survivor_id, const DefenderIncident* a,
                            const SentinelIncident* a_twin, const std::string& from_pair) {
  const PairState* target = CarryTarget(survivor_id);
  if (target == nullptr) return true;
  if (!CarryTargetRead(*target)) return false;
  std::vector<Carried> carried;
  if (a != nullptr) {
    const auto ids = domain::CanonicalDefenderCommentIds(a->comments);
    for (size_t i = 0; i < a->comments.size(); ++i) {
      const auto& c = a->comments[i];
      if (domain::IsSystemCommentAuthor(c.author)) continue;
      if (auto m = domain::FindMarker(c.text)) {
        if (IsCopy(c.text)) carried.push_back({*m, c.text});
        continue;
      }
      const std::string uuid = domain::CopyUuid(Link(), Side::kDefender, a->id, ids[i]);
      carried.push_back({uuid, domain::RenderCopiedComment(uuid, Side::kDefender, c.author, c.created, c.text)});
    }
  }
  if (a_twin != nullptr) {
    for (const auto& c : a_twin->comments) {
      if (domain::IsSystemCommentAuthor(c.author_name)) continue;
      if (auto m = domain::FindMarker(c.message)) {
        if (IsCopy(c.message)) carried.push_back({*m, c.message});
        continue;
      }
      const std::string uuid = domain::CopyUuid(Link(), Side::kSentinel, a_twin->name, c.id);
      const std::string author = !c.author_upn.empty() ? c.author_upn : c.author_name;
      carried.push_back({uuid, domain::RenderCopiedComment(uuid, Side::kSentinel, author, c.created, c.message)});
    }
  }
  const SentinelIncident* b_twin = FindSentinel(target->sentinel_id);
  const std::vector<std::string> b_markers = MarkersIn(*FindDefender(target->defender_id));
  const std::vector<std::string> bt_markers = b_twin ? MarkersIn(*b_twin) : std::vector<std::string>{};
  PendingWrites w;
  SentinelIncident fresh;  // a twin created in this plan has no comments yet
  fresh.name = target->sentinel_id;
  w.sentinel = b_twin ? *b_twin : fresh;
  for (const auto& c : carried) {
    if (!AlreadyWritten(*target, Side::kDefender, c.uuid, b_markers) &&
        PlannedMarkers(Side::kDefender, target->defender_id).insert(c.uuid).second) {
      plan_.comments.push_back({target->defender_id, Side::kDefender, target->defender_id, c.uuid, c.text,
                                "merge-carry from " + from_pair, false, "", {}});
    }
    if (!AlreadyWritten(*target, Side::kSentinel, c.uuid, bt_markers)) {
      AddSentinelComment(*target, *w.sentinel,
                         {target->defender_id, Side::kSentinel, target->sentinel_id, c.uuid, c.text,
                          "merge-carry from " + from_pair, false, "", {}},
                         w);
    }
  }
  if (b_twin != nullptr && !w.labels_added.empty()) {
    SentinelWrite sw;
    sw.defender_id = target->defender_id;
    sw.sentinel_id = b_twin->name;
    sw.incident = *w.sentinel;
    sw.labels_added = w.labels_added;
    plan_.sentinel_writes.push_back(std::move(sw));
  }
  return true;
}

void Planner::VisitMergedPair(const PairState& pair, const SentinelIncident& s) {
  // Later edits of a merged source's twin: comments go to the survivor's pair, field edits are
  // journaled (A is hidden in Defender) and become the new base so each is journaled once.
  const bool owed = MergeCloseOwed(pair, s);
  if (owed) CloseMergedTwin(pair, pair.merged_into, s);  // the close was never confirmed
  const domain::FieldValues sv = domain::CanonicalSentinel(s);
  for (Field f : domain::kAllFields) {
    const auto& base = pair.sentinel[f];
    if ((owed && f == Field::kStatus) || !base || !domain::IsNewer({s.last_modified, s.etag}, base->stamp) ||
        domain::SameValue(Side::kSentinel, f, sv[f], base->value)) {
      continue;
    }
    plan_.conflicts.push_back({pair.defender_id, s.name, f, "", sv[f], Timestamp(), s.last_modified, "",
                               s.last_modified_by, "merged-source", policy_.conflict(f), "journal-only"});
    plan_.base_updates.push_back({pair.defender_id, Side::kSentinel, f, {sv[f], {s.last_modified, s.etag}, false}});
  }
  // Comments on A's twin since the merge wait for a cycle that reads the survivor's sides.
  if (!CarryComments(pair.merged_into, nullptr, &s, pair.defender_id)) plan_.revisit.insert(pair.defender_id);
}

}  // namespace xdrsync::reconcile
