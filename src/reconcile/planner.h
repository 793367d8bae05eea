// Internal to the reconciler: the Planner builds one Plan from one Input. Split over several files
// by concern (pairing, field merge, comments and digest, merges); nothing here is public.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "xdrsync/reconcile/plan.h"

namespace xdrsync::reconcile {

// Writes gathered for one pair before they become plan entries.
struct PendingWrites {
  std::optional<domain::SentinelIncident> sentinel;  // observed copy being edited
  std::set<Field> sentinel_fields;
  std::vector<std::string> labels_added, labels_removed;
  std::vector<FieldChange> sentinel_changes;
  domain::FieldValues defender_values;
  std::set<Field> defender_fields;
  std::map<Field, std::string> defender_expected;
  std::vector<FieldChange> defender_changes;
  std::vector<BaseUpdate> on_sentinel_confirm, on_defender_confirm;
  bool hold_tags_base = false;
  bool manual_conflict = false;
};

class Planner {
 public:
  explicit Planner(const Input& input);
  Plan Run();

 private:
  // reconciler.cc: pairing, scope, per-pair driver, tombstones, the write cap.
  void VisitDefender(const domain::DefenderIncident& d);
  void PairOrCreate(const domain::DefenderIncident& d);
  void SyncPair(const PairState& pair, const domain::DefenderIncident& d, const domain::SentinelIncident& s);
  void VisitPairWithoutDefender(const PairState& pair);
  bool InScope(const domain::DefenderIncident& d) const;
  void CreateTwin(const domain::DefenderIncident& d, const std::string& cause);
  void AdoptPair(const domain::DefenderIncident& d, const domain::SentinelIncident& s, const std::string& cause);
  void Flush(const PairState& pair, const domain::DefenderIncident& d, const domain::SentinelIncident& s,
             PendingWrites& w);
  void FlushSentinel(const PairState& pair, const domain::SentinelIncident& s, PendingWrites& w);
  void ApplyWriteCap();

  // fields_merge.cc: the per-field three-way merge and conflicts.
  void MergeFields(const PairState& pair, const domain::DefenderIncident& d, const domain::SentinelIncident& s,
                   PendingWrites& w);
  void MergeField(Field f, const PairState& pair, const domain::DefenderIncident& d,
                  const domain::SentinelIncident& s, const domain::FieldValues& dv,
                  const domain::FieldValues& sv, PendingWrites& w);
  void MergeTags(const PairState& pair, const domain::DefenderIncident& d, const domain::SentinelIncident& s,
                 const domain::FieldValues& dv, const domain::FieldValues& sv, PendingWrites& w);
  bool PropagateToSentinel(Field f, const std::string& pair_key, const domain::DefenderIncident& d,
                           const domain::FieldValues& dv, const domain::FieldValues& sv,
                           const std::string& cause, PendingWrites& w);
  bool PropagateToDefender(Field f, const std::string& pair_key, const domain::SentinelIncident& s,
                           const domain::DefenderIncident& d, const domain::FieldValues& dv,
                           const domain::FieldValues& sv, const std::string& cause, PendingWrites& w);
  // remap.cc: a twin field a changed mapping no longer agrees with (Plan::remaps).
  void ConsiderRemap(Field f, const PairState& pair, const domain::DefenderIncident& d,
                     const domain::FieldValues& dv, const domain::FieldValues& sv, PendingWrites& w);
  // Writes `value` into the pending Sentinel write of the pair; the Defender base moves on confirm.
  void SetOnSentinel(Field f, const std::string& pair_key, const domain::DefenderIncident& d,
                     const domain::FieldValues& dv, const domain::FieldValues& sv, const std::string& value,
                     const std::string& cause, PendingWrites& w);
  Side NewestSide(const domain::DefenderIncident& d, const domain::SentinelIncident& s, const PairState& pair) const;

  // comments_plan.cc: comment copies, caps, the alert digest, deep links.
  void CopyComments(const PairState& pair, const domain::DefenderIncident& d, const domain::SentinelIncident& s,
                    PendingWrites& w);
  void AlertDigest(const PairState& pair, const domain::DefenderIncident& d, const domain::SentinelIncident& s,
                   PendingWrites& w);
  bool AddSentinelComment(const PairState& pair, const domain::SentinelIncident& s, CommentWrite c,
                          PendingWrites& w);
  bool AlreadyWritten(const PairState& pair, Side target, const std::string& uuid,
                      const std::vector<std::string>& target_markers) const;
  // A lossy owner mapping (keep-unassigned) leaves one comment saying who the owner was.
  void OwnerNote(const std::string& pair_key, Side target, const std::string& target_incident,
                 const std::string& note, const std::vector<std::string>& target_markers);

  // merges.cc: redirects, tombstones, comment carry-over.
  void HandleRedirect(const domain::DefenderIncident& a);
  // The pair of a redirected incident's twin that no pair knows (by its name or its label), now
  // known to the plan; nullptr when there is none.
  const PairState* PairOfUnknownTwin(const domain::DefenderIncident& a);
  std::optional<std::string> FollowChain(const std::string& start) const;
  // Carries the human comments of A and of A's twin to the carry target's sides; false (nothing
  // planned) while a side of the target was not read this cycle.
  bool CarryComments(const std::string& survivor_id, const domain::DefenderIncident* a,
                     const domain::SentinelIncident* a_twin, const std::string& from_pair);
  // The active pair a merge's comments go to: the survivor's, or where our state says it merged on.
  const PairState* CarryTarget(const std::string& survivor_id) const;
  // Both sides of the carry target are known this cycle: read, or its twin created by this plan.
  bool CarryTargetRead(const PairState& target) const;
  void VisitMergedPair(const PairState& pair, const domain::SentinelIncident& s);
  bool MergeCloseOwed(const PairState& pair, const domain::SentinelIncident& twin) const;
  void CloseMergedTwin(const PairState& pair, const std::string& survivor, const domain::SentinelIncident& a_twin);

  const std::string& Link() const { return policy_.name; }
  const PairState* FindPair(const std::string& defender_id) const;
  const domain::SentinelIncident* FindSentinel(const std::string& name) const;
  const domain::DefenderIncident* FindDefender(const std::string& id) const;
  // An observed Sentinel incident carrying the twin label of `twin_id` (a defender-alert twin,
  // named by the service), or null.
  const domain::SentinelIncident* FindLabelledTwin(const std::string& twin_id) const;
  // Marker uuids already planned in this plan per target incident (so two paths don't both write).
  std::set<std::string>& PlannedMarkers(Side side, const std::string& incident);

  const Input& in_;
  const LinkPolicy& policy_;
  std::map<std::string, PairState> pairs_;
  std::set<std::string> handled_;  // Defender ids already planned for in this run
  std::map<std::string, const domain::SentinelIncident*> labelled_twins_;  // by twin id
  std::map<std::string, std::set<std::string>> planned_markers_;
  std::map<std::string, size_t> planned_sentinel_comments_;
  std::set<std::string> remapped_pairs_;  // pairs with a remap write in this plan
  Plan plan_;
};

// Marker uuids present in a list of comment texts.
std::vector<std::string> MarkersIn(const domain::DefenderIncident& d);
std::vector<std::string> MarkersIn(const domain::SentinelIncident& s);

}  // namespace xdrsync::reconcile
