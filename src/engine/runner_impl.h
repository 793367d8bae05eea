// Internal state of one LinkRunner cycle, shared by link_runner.cc (orchestration), capture.cc
// (reading both sides) and execute.cc (writes, confirmations, failures).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
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
  // Capture::known_absent of the cycle that planned them: a first attempt of one of these
  // creations needs no look first, in that cycle or carried into a later one. (Its pending record
  // keeps this state's own later cycles from planning it again; a second instance with a state
  // of its own could make it meanwhile: the rollover window of docs/reliability.md.)
  std::set<std::string> known_absent;
};

struct Capture {
  reconcile::Observation observed;
  // The pairs this cycle looks at, by Defender id: loaded from the store as capture finds their
  // ids (LoadPairs, KeepPair), never the whole link. `pairs_asked` holds every Defender id the
  // store was asked about, so an id without a pair is asked once and a pair is read once.
  std::map<std::string, store::Pair> pairs;
  std::set<std::string> pairs_asked;
  std::set<std::string> touched;             // Defender ids whose pairs this cycle looks at
  std::optional<Timestamp> newest_defender, newest_sentinel;
  // Per side, where the next listing goes on from (capture.cc ContinueListing): a value when this
  // one ended early but in order, nullopt when it came back whole and an earlier one had ended
  // early. No entry: nothing to record.
  std::map<domain::Side, std::optional<Timestamp>> continuations;
  std::set<domain::Side> continued;  // sides whose listing went on from an earlier one's end
  // A stored watermark found beyond now + the skew allowance: lowered with this cycle's decision.
  std::vector<store::WatermarkAdvance> repaired_watermarks;
  std::vector<store::QuarantineChange> quarantine;
  std::vector<store::OutboxEntry> outbox_rows;  // this link's rows left by earlier cycles
  std::set<int64_t> due_rows;
  // `xdrsync resync`: the Defender id re-planned from scratch and its pair as it was stored.
  std::string resync_id;
  std::optional<store::Pair> resync_old;
  // Listed Sentinel incidents that carry a twin label no pair knows (a defender-alert twin whose
  // pair was lost or forgotten): twin id -> incident name, read and adopted like a twin found by
  // its deterministic name.
  std::map<std::string, std::string> labelled_twins;
  // Listed (twin id, incident name) from twin labels, until ResolveLabelledTwins asks the store
  // which of them a pair knows.
  std::vector<std::pair<std::string, std::string>> labelled_candidates;
  // The window this cycle's Sentinel listing covered (its `since`), when it came back whole, and
  // the names it listed: an arm twin made after `since` would be among them.
  std::optional<Timestamp> sentinel_listed_since;
  std::set<std::string> sentinel_listed;
  // Twin ids of pair-less incidents whose twin that listing proves absent, and of carried creations
  // no attempt of ours made yet (DropCarriedCreations): not read, and created without the
  // creator's look first.
  std::set<std::string> known_absent;
};

// One cycle's working state, handed from step to step (link_runner.cc RunCycle).
struct Cycle {
  Cycle(const CycleOptions& o, Timestamp t) : options(o), now(t) {}
  const CycleOptions& options;
  const Timestamp now;
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  CycleReport report;
  Capture cap;
  reconcile::LinkPolicy policy;
  reconcile::Input in;                        // in.policy points at `policy`
  std::vector<store::Pair> completed;         // creations an earlier run made but never confirmed
  std::vector<store::BaseMove> seeded_bases;  // their bases, from the creation's own snapshots
  std::vector<PendingWrite> writes;           // this cycle's writes, in plan order
  std::vector<store::OutboxEntry> unplanned;  // earlier rows the plan did not repeat
};

// What a full sweep keeps of its two open listings (sweep.cc): each open twin as its etag, each
// open incident whose pair looks as last seen as its id, and whole only the open incidents that
// changed (or have no pair).
struct SweepListings {
  std::unordered_map<std::string, std::string> twin_etags;  // twin name -> etag listed
  std::unordered_set<std::string> unchanged;                // Defender ids
  std::map<std::string, domain::DefenderIncident> changed;  // by Defender id
};

// Notes `s` as a labelled-twin candidate when it carries a twin label (mirror links); those no
// pair knows reach cap.labelled_twins (LinkRunner::Impl::ResolveLabelledTwins).
void NoteLabelledTwin(const domain::SentinelIncident& s, Capture& cap);
// Records where each side's next listing goes on from (capture.cc), with the cycle's decision.
void AddContinuations(const std::string& link, const Capture& cap, store::Decision& decision);
// Keeps `p` among cap.pairs unless the store was already asked about its Defender id.
void KeepPair(const store::Pair& p, Capture& cap);

struct LinkRunner::Impl {
  explicit Impl(LinkContext c) : ctx(std::move(c)), confirms(*ctx.store) {}

  // The steps of one cycle, in order (RunCycle): capture, build the reconciler's input,
  // reconcile, record the decision with its outbox rows, retire settled rows, execute, finish.
  // cycle_input.cc
  Status BuildInput(Cycle& c);
  Status SkipQuarantined(Cycle& c);
  Status LoadPairState(Cycle& c, const store::Pair& pair);
  // A create-pending pair whose twin exists: seeds its bases from the creation's snapshots.
  bool RecoverCreation(Cycle& c, const store::Pair& pair, store::PairBases& bases);
  // link_runner.cc
  void Reconcile(Cycle& c);
  void LogPlan(const reconcile::Plan& plan);
  void RetireSettled(Cycle& c);
  void ExecutePlanned(Cycle& c);
  CycleReport Finish(Cycle& c, const Status& given);
  void SetGauges(Timestamp now);
  // record.cc: the decision, its outbox rows and watermarks, in one transaction. A held plan
  // records only its conflicts and quarantine (report.held).
  Status Record(Cycle& c);
  void AddPairRows(const Cycle& c, store::Decision& decision);
  void AddCreationSnapshots(const Cycle& c, store::Decision& decision);
  void AddOutboxRows(Cycle& c, store::Decision& decision);

  // capture.cc
  Status CaptureChanges(const CycleOptions& options, Timestamp now, Capture& cap, CycleReport& report);
  Status LoadOutboxRows(Timestamp now, Capture& cap);
  // The time this cycle lists `side` from: its watermark minus the overlap (a watermark from the
  // future is put back to now).
  Result<Timestamp> ListSince(domain::Side side, Timestamp now, Capture& cap);
  Status ListDefender(Timestamp since, Timestamp now, Capture& cap, CycleReport& report);
  Status ListSentinel(Timestamp since, Timestamp now, std::map<std::string, std::string>& listed_etags, Capture& cap,
                      CycleReport& report);
  void CountFuture(domain::Side side, size_t future, Timestamp limit);
  Status ReadPairSides(Capture& cap, Timestamp now);
  // Loads the touched pairs and touches the survivors of merged ones (chains of up to 32 hops).
  Status FollowMergeChains(Capture& cap);
  Status FollowRedirects(Capture& cap);
  void NoteDefenderMissing(const std::string& id, Timestamp now, Capture& cap);
  // Whether this cycle's listings show that the pair-less incident `d` has no twin to read.
  bool TwinKnownAbsent(Capture& cap, const domain::DefenderIncident& d, const std::string& twin_id);

  // pair_loads.cc: the pairs a cycle needs, from indexed store lookups.
  // Loads the pairs of those of `ids` the store was not yet asked about.
  Status LoadPairs(const std::set<std::string>& ids, Capture& cap);
  // The pairs of the listed Sentinel incidents `names`, kept in cap.pairs: Sentinel name -> Defender id.
  Result<std::map<std::string, std::string>> PairsOfTwins(const std::vector<std::string>& names, Capture& cap);
  // Moves the labelled candidates that no pair knows (by Sentinel id or marker) to cap.labelled_twins.
  Status ResolveLabelledTwins(Capture& cap);
  // Calls `visit` for every pair of the link, a bounded page at a time.
  Status ForEachPair(const std::function<Status(const store::Pair&)>& visit);

  // sweep.cc
  Status SweepOpen(Capture& cap, bool every_pair);
  // One page of the open Defender listing into `seen`: an incident whose pair looks as last seen
  // (both sides) is kept as its id, the rest whole; `keep_all` keeps every one whole.
  Status SortOpenPage(std::vector<domain::DefenderIncident>&& page, bool keep_all, Capture& cap, SweepListings& seen);
  // Pairs the listings touched although both listed sides look as they did when the pair was last
  // reconciled (the overlap window lists them again every cycle): not read again. Pairs with
  // outbox rows (`from_rows`) stay.
  void DropUnchanged(const std::set<std::string>& from_rows, const std::map<std::string, std::string>& listed_etags,
                     Capture& cap);
  // Pairs the Defender listing touched whose creation this process carries, not yet attempted,
  // planned from the incident as listed now: their carried creation stands, they are not read
  // again. One changed since is planned again, and the twin no attempt made is known absent.
  void DropCarriedCreations(const std::set<std::string>& from_rows,
                            const std::map<std::string, std::string>& listed_etags, Capture& cap);
  // resync.cc
  Status CaptureForResync(const std::string& id, Timestamp now, Capture& cap);
  void RecordResync(const Capture& cap, Timestamp now, store::Decision& decision) const;

  // execute.cc
  // Runs this cycle's writes and the carried ones by urgency until `deadline` (none: all); what is
  // left joins the backlog.
  void Execute(Backlog fresh, std::optional<std::chrono::steady_clock::time_point> deadline, Timestamp now,
               CycleReport& report);
  Status ExecuteOne(const Backlog& batch, const PendingWrite& row, Timestamp now);
  // sweep.cc: for each pair whose writes in `fresh` (this cycle's plan) were field writes only and
  // all confirmed (`ok`, by write), the sighting their answers give, queued with the confirmations.
  void RecordSightingsAfterWrites(const Backlog& fresh, const std::vector<bool>& ok);
  void NoteAnswer(const std::string& defender_id, const domain::SentinelIncident& answer, bool held);
  void NoteAnswer(const std::string& defender_id, const domain::DefenderIncident& answer, bool held);
  // Carried writes whose pairs this cycle re-planned are superseded: their rows go.
  void DropSuperseded(const std::set<std::string>& replanned);
  std::set<int64_t> CarriedRows() const;
  Status ExecuteCreate(const reconcile::TwinCreate& c, const Backlog& batch, const PendingWrite& row,
                       Timestamp now);
  Status ExecuteSentinel(const reconcile::SentinelWrite& w, const PendingWrite& row, Timestamp now);
  // After a PUT refused for a stale etag or with an unknown outcome: the twin as read right
  // away, when it holds every value the write was to set (the write landed, its answer was lost).
  std::optional<domain::SentinelIncident> LandedAnyway(const reconcile::SentinelWrite& w, const Status& failed);
  std::optional<domain::DefenderIncident> LandedAnyway(const reconcile::DefenderWrite& w, const Status& failed);
  Status ExecuteDefender(const reconcile::DefenderWrite& w, const PendingWrite& row, Timestamp now);
  Result<domain::DefenderIncident> ReadThenPatch(const reconcile::DefenderWrite& w);
  Status ExecuteComment(const reconcile::CommentWrite& c, const PendingWrite& row, Timestamp now);
  void Failed(const PendingWrite& row, const Status& st, Timestamp now, CycleReport& report);
  static std::string PairOf(const reconcile::Plan& plan, const PendingWrite& row);
  void ReleaseQuarantine(const std::string& defender_id, Timestamp now);
  // Commits the queued confirmations; a failure fails the cycle (their rows stay and are re-planned).
  void CommitConfirms();
  // Sends each first-time field of `patch` alone once per link (true when one was sent).
  Result<bool> ProbeFirstTimeFields(const std::string& id, const domain::DefenderPatch& patch);
  // kFailedPrecondition (and a re-plan) when a field `w` writes holds neither what was planned
  // from nor what `w` writes.
  Status StillAsPlanned(const reconcile::DefenderWrite& w, const domain::DefenderIncident& now);

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
  // Defender ids whose creation found its twin made already (by an attempt never recorded, or
  // before a lost state): their other writes, in this Execute or carried past its deadline to a
  // later one, wait for a read of the twin (a new plan of the pair drops the id).
  std::set<std::string> adopted;
  // Held base moves of Sentinel writes confirmed this cycle, by pair: released with the pair's
  // Defender write when that one is confirmed too (tags written to both sides at once).
  std::map<std::string, std::vector<store::BaseMove>> held_sentinel_bases;
  // The sightings this cycle's decision recorded, by Defender id (Record), and what the field
  // writes confirmed since answered: how those pairs look after our own writes
  // (RecordSightingsAfterWrites), so the next listing shows nothing new for them.
  struct WriteAnswers {
    std::optional<std::pair<Timestamp, bool>> defender;    // lastUpdateDateTime, open
    std::optional<std::pair<std::string, bool>> sentinel;  // etag, open
    bool held = false;  // a write holding a base back waits to be seen: no sighting from answers
    // The Defender incident's stamp as read right before our PATCH. An answer tells how the
    // incident looks after our write only if nobody changed it since the read the plan was made
    // from: Graph has no etag, so a field we do not write may have moved in between.
    std::optional<Timestamp> defender_read;
  };
  std::map<std::string, store::SeenMark> recorded_seen;
  std::map<std::string, WriteAnswers> write_answers;
};

bool IsAuthFailure(const Status& s);

// How the pairs this cycle reconciled looked (sweep.cc): a mark for each active pair whose sides
// were both read and whose stored sighting differs; a forgetting mark for pairs the plan must
// revisit (a tombstone too: the full sweep reads it again). Pairs being created are left out.
std::vector<store::SeenMark> SeenMarks(const reconcile::Input& in, const Capture& cap, const reconcile::Plan& plan);

}  // namespace xdrsync::engine
