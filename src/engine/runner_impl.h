// Internal state of one LinkRunner cycle, shared by link_runner.cc (orchestration), capture.cc
// (reading both sides) and execute.cc (writes, confirmations, failures).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "xdrsync/engine/link_runner.h"
#include "xdrsync/store/store_batch.h"

namespace xdrsync::engine {

// One planned write and the outbox row that records it.
struct PendingWrite {
  enum class Kind { kCreate, kSentinel, kDefender, kComment } kind;
  size_t index = 0;  // into the plan's vector of that kind
  int64_t outbox_id = 0;
  int64_t attempts = 0;
  bool reused = false;    // an earlier row for the same write carries on (its attempts count)
  bool deferred = false;  // that row is backing off: not attempted in this cycle
};

// Writes a cycle planned but had no time left to execute, with the plan they index into and the
// sources of its creations. Their outbox rows stay; this process carries them on behind later
// cycles' writes (a restarted process re-plans their pairs from the rows instead).
struct Backlog {
  reconcile::Plan plan;
  std::map<std::string, domain::DefenderIncident> sources;  // by Defender id, for plan.creations
  std::vector<PendingWrite> writes;
};

struct Capture {
  reconcile::Observation observed;
  std::map<std::string, store::Pair> pairs;  // by Defender id (all pairs of the link)
  std::set<std::string> touched;             // Defender ids whose pairs this cycle looks at
  std::optional<Timestamp> newest_defender, newest_sentinel;
  // A stored watermark found beyond now + the skew allowance: lowered with this cycle's decision.
  std::vector<store::WatermarkAdvance> repaired_watermarks;
  std::vector<store::QuarantineChange> quarantine;
  std::vector<store::OutboxEntry> outbox_rows;  // this link's rows left by earlier cycles
  std::set<int64_t> due_rows;
  // `xdrsync resync`: the Defender id re-planned from scratch and its pair as it was stored.
  std::string resync_id;
  std::optional<store::Pair> resync_old;
};

struct LinkRunner::Impl {
  explicit Impl(LinkContext c) : ctx(std::move(c)), confirms(*ctx.store) {}

  // capture.cc
  Status CaptureChanges(const CycleOptions& options, Timestamp now, Capture& cap, CycleReport& report);
  Status ReadPairSides(Capture& cap, Timestamp now);
  Status FollowRedirects(Capture& cap);
  void NoteDefenderMissing(const std::string& id, Timestamp now, Capture& cap);

  // sweep.cc
  Status SweepOpen(Capture& cap, bool every_pair);
  // Pairs the listings touched although both listed sides look as they did when the pair was last
  // reconciled (the overlap window lists them again every cycle): not read again. Pairs with
  // outbox rows (`from_rows`) stay.
  void DropUnchanged(const std::set<std::string>& from_rows, const std::map<std::string, std::string>& listed_etags,
                     Capture& cap);
  // resync.cc
  Status CaptureForResync(const std::string& id, Timestamp now, Capture& cap);
  void RecordResync(const Capture& cap, Timestamp now, store::Decision& decision) const;

  // execute.cc
  // Runs this cycle's writes and the carried ones by urgency until `deadline` (none: all); what is
  // left joins the backlog.
  void Execute(Backlog fresh, std::optional<std::chrono::steady_clock::time_point> deadline, Timestamp now,
               CycleReport& report);
  Status ExecuteOne(const Backlog& batch, const PendingWrite& row, Timestamp now);
  // Carried writes whose pairs this cycle re-planned are superseded: their rows go.
  void DropSuperseded(const std::set<std::string>& replanned);
  std::set<int64_t> CarriedRows() const;
  Status ExecuteCreate(const reconcile::TwinCreate& c, const domain::DefenderIncident& source, const PendingWrite& row,
                       Timestamp now);
  Status ExecuteSentinel(const reconcile::SentinelWrite& w, const PendingWrite& row, Timestamp now);
  Status ExecuteDefender(const reconcile::DefenderWrite& w, const PendingWrite& row, Timestamp now);
  Status ExecuteComment(const reconcile::CommentWrite& c, const PendingWrite& row, Timestamp now);
  void Failed(const PendingWrite& row, const Status& st, Timestamp now, CycleReport& report);
  static std::string PairOf(const reconcile::Plan& plan, const PendingWrite& row);
  void ReleaseQuarantine(const std::string& defender_id, Timestamp now);
  // Commits the queued confirmations; a failure fails the cycle (their rows stay and are re-planned).
  void CommitConfirms();
  Status SplitFirstTimeFields(const std::string& id, domain::DefenderPatch& patch);

  // link_runner.cc
  reconcile::LinkPolicy EffectivePolicy();
  std::string Meta(const std::string& key);
  const std::string& Link() const { return ctx.policy->name; }
  store::CreationWay Way() const;
  void LogChanges(domain::Side target, const std::string& defender_id, const std::string& sentinel_id,
                  const std::vector<reconcile::FieldChange>& changes);

  LinkContext ctx;
  // What follows the writes (confirmations, failures, quarantine releases, digests): one
  // transaction per batch, committed at the latest when the cycle ends.
  store::StoreBatch confirms;
  Status link_failure;  // set when an auth failure means the whole link must stop this cycle
  std::map<std::string, std::string> created_names;  // twin id -> real Sentinel name (defender-alert)
  std::vector<Backlog> backlog;  // oldest first
  // Held base moves of Sentinel writes confirmed this cycle, by pair: released with the pair's
  // Defender write when that one is confirmed too (tags written to both sides at once).
  std::map<std::string, std::vector<store::BaseMove>> held_sentinel_bases;
};

bool IsAuthFailure(const Status& s);

// How the pairs this cycle reconciled looked (sweep.cc): a mark for each active pair whose sides
// were both read and whose stored sighting differs; a forgetting mark for pairs the plan must
// revisit. Pairs being created are left out.
std::vector<store::SeenMark> SeenMarks(const reconcile::Input& in, const Capture& cap, const reconcile::Plan& plan);

}  // namespace xdrsync::engine
