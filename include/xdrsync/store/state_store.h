// The state store: what xdrsync remembers between cycles and across crashes (spec §5-10), in the
// engine's terms. Every mutating call is one transaction: it happens wholly or not at all, and an
// ok Status means it is durable. A failed call (full disk, read-only file, constraint) returns a
// Status naming the state file and the operation, and leaves the previous state intact.
//
// Thread safety: an implementation may be called from several threads; calls are serialised.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "xdrsync/core/status.h"
#include "xdrsync/core/timestamp.h"
#include "xdrsync/store/records.h"

namespace xdrsync::store {

// Everything one reconcile step decided, recorded in one transaction together with the writes
// it implies (the outbox), so a crash can never leave a decision without its intents or the
// reverse.
struct Decision {
  // Pairs whose state is dropped first, as `Forget` does (`xdrsync resync` re-plans from scratch);
  // their open conflicts are resolved at `forget_time`. Audit rows go in `audit`.
  std::vector<PairKey> forget{};
  Timestamp forget_time{};
  std::vector<Pair> pairs{};  // upserts of whole pair rows
  std::vector<BaseMove> bases{};
  std::vector<ObservedSnapshot> observed{};
  std::vector<OutboxEntry> outbox{};  // new rows; `id`, `attempts` and `last_error` are ignored
  std::vector<Conflict> conflicts{};  // journaled unless the same conflict is already open
  std::vector<AuditEntry> audit{};
  std::vector<AlertChange> alerts{};
  std::vector<CommentCopy> comment_copies{};
  std::vector<QuarantineChange> quarantine{};
  std::vector<LinkMetaChange> link_meta{};
  std::vector<DigestMark> digests{};
  std::vector<SeenMark> seen{};
  std::vector<WatermarkAdvance> watermarks{};  // applied last; never move a watermark backwards
};

struct AuditQuery {
  std::optional<std::string> link{};
  std::optional<std::string> incident_id{};  // matches the Defender or the Sentinel id
  int64_t limit = 100;
};

// What `xdrsync forget` drops (spec §10): one pair's state, or every row a link left behind.
struct ForgetScope {
  std::string link;
  std::optional<std::string> defender_id{};  // nullopt: the whole link
};

// What a Forget dropped (or, in a dry run, would drop).
struct ForgetSummary {
  std::vector<Pair> pairs{};  // by Defender id
  int64_t outbox_rows = 0;    // writes decided but never confirmed
  int64_t quarantined = 0;
  int64_t open_conflicts = 0;  // resolved as "forgotten"; the journal keeps them
  int64_t link_rows = 0;       // watermarks and link metadata (the whole link only)
  bool empty() const { return pairs.empty() && outbox_rows == 0 && quarantined == 0 && link_rows == 0; }
};

// Writes applied together in one transaction (StateStore::Apply), in their order.
struct WriteBatch {
  // StateStore::ConfirmWrite's arguments.
  struct Confirm {
    int64_t outbox_id = 0;
    std::vector<BaseMove> bases{};
    std::vector<AuditEntry> audit{};
    std::vector<CommentCopy> provenance{};
  };
  // StateStore::FailWrite's arguments.
  struct Fail {
    int64_t outbox_id = 0;
    std::string error;
    Timestamp next_attempt;
  };
  // A Decision here carries no outbox rows: an intent must be durable before its write is sent,
  // so it is recorded with RecordDecision, never batched with what follows the write.
  std::vector<std::variant<Decision, Confirm, Fail>> ops{};
};

// What Apply did. An op that fails on its own (NotFound: its outbox row is already gone;
// FailedPrecondition: a constraint, such as a row of a pair forgotten meanwhile) is undone alone
// and counted, as the single call would have failed alone; the rest of the batch is committed.
struct BatchOutcome {
  int64_t applied = 0;
  int64_t not_pending = 0;
  int64_t refused = 0;
  std::string first_refusal;  // the Status message of the first refused op
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Writes. With `outbox_ids`, the ids given to the decision's new outbox rows, in their order.
  virtual Status RecordDecision(const Decision& d, std::vector<int64_t>* outbox_ids) = 0;
  Status RecordDecision(const Decision& d) { return RecordDecision(d, nullptr); }
  // The write `outbox_id` succeeded: delete its row, move the bases of exactly the written fields,
  // log the audit rows and the comment provenance. NotFound if the row is gone (already confirmed).
  virtual Status ConfirmWrite(int64_t outbox_id, const std::vector<BaseMove>& bases,
                              const std::vector<AuditEntry>& audit,
                              const std::vector<CommentCopy>& provenance) = 0;
  // The write failed and will be retried at `next_attempt`: attempts + 1, last error kept.
  virtual Status FailWrite(int64_t outbox_id, std::string error, Timestamp next_attempt) = 0;
  // Give up on a write: the row leaves the outbox and its pair's target-side incident is
  // quarantined with the error and the attempts made, so it no longer stalls its link.
  virtual Status DeadLetter(int64_t outbox_id, std::string error, Timestamp now) = 0;
  // Applies the ops of `batch` in one transaction, in order. Any other error (disk full, I/O,
  // a busy lock) applies none of them. InvalidArgument, and nothing applied, if a Decision in it
  // carries outbox rows.
  virtual Result<BatchOutcome> Apply(const WriteBatch& batch) = 0;
  virtual Status AdvanceWatermark(const std::string& link, Side side, Timestamp t) = 0;
  virtual Status ResolveConflict(int64_t conflict_id, Timestamp at, std::string resolution) = 0;
  virtual Status Quarantine(const QuarantineEntry& e) = 0;
  virtual Status ClearQuarantine(const std::string& link, Side side, const std::string& incident_id,
                                 const std::string& field) = 0;
  virtual Status SetLinkMeta(const std::string& link, const std::string& key,
                             std::optional<std::string> value) = 0;
  // Drops the state of `scope` in one transaction: pairs with their bases, snapshots, outbox rows
  // and comment provenance, the quarantine entries of their incidents, their alert membership and
  // "gone" marks; for a whole link also its watermarks and metadata. Open conflicts are resolved
  // as "forgotten" and the audit trail is kept, with one row per dropped pair (cause `cause`).
  // `dry_run` counts and changes nothing.
  virtual Result<ForgetSummary> Forget(const ForgetScope& scope, bool dry_run, Timestamp now,
                                       const std::string& cause) = 0;

  // Pairs.
  virtual Result<std::vector<Pair>> Pairs(const std::string& link) = 0;
  virtual Result<std::optional<Pair>> PairByDefenderId(const std::string& link,
                                                       const std::string& defender_id) = 0;
  virtual Result<std::optional<Pair>> PairBySentinelId(const std::string& link,
                                                       const std::string& sentinel_id) = 0;
  // The pairs of `link` whose Defender id (or Sentinel id) is one of `ids`, each once, in no set
  // order; an id without a pair is left out. Indexed lookups, a bounded chunk of ids at a time: a
  // cycle loads the pairs it looks at, never the whole link.
  virtual Result<std::vector<Pair>> PairsByDefenderIds(const std::string& link,
                                                       const std::vector<std::string>& ids) = 0;
  virtual Result<std::vector<Pair>> PairsBySentinelIds(const std::string& link,
                                                       const std::vector<std::string>& ids) = 0;
  // The same by marker (the twin id a creation was planned under). Not indexed: each chunk scans
  // the link's pairs; for twin labels that no pair knows by Sentinel id, which are rare.
  virtual Result<std::vector<Pair>> PairsByMarkers(const std::string& link,
                                                   const std::vector<std::string>& ids) = 0;
  // Up to `limit` pairs of `link` with a Defender id after `after` ("": from the first), by
  // Defender id: a full sweep pages through a link without holding all of it.
  virtual Result<std::vector<Pair>> PairsAfter(const std::string& link, const std::string& after,
                                               int64_t limit) = 0;
  virtual Result<PairBases> Bases(const PairKey& pair) = 0;
  virtual Result<std::optional<ObservedSnapshot>> Observed(const PairKey& pair, Side side) = 0;
  virtual Result<std::optional<DigestMark>> Digest(const PairKey& pair) = 0;

  // Outbox: rows with next_attempt <= now, by next_attempt then id (decision order).
  virtual Result<std::vector<OutboxEntry>> DueWrites(Timestamp now, int64_t limit) = 0;
  // One link's rows, due or not, in decision order (by id); at most `limit` looked at, of which
  // those in `skip` (the rows a running engine carries itself) are not read beyond their ids: a
  // cold start's 100,000 rows are not read whole every cycle.
  virtual Result<std::vector<OutboxEntry>> LinkWrites(const std::string& link, int64_t limit,
                                                      const std::set<int64_t>& skip) = 0;
  virtual Result<int64_t> OutboxDepth(const std::optional<std::string>& link) = 0;

  // Watermark of a link's side; nullopt before the first capture.
  virtual Result<std::optional<Timestamp>> Watermark(const std::string& link, Side side) = 0;

  // Journals, newest first.
  virtual Result<std::vector<Conflict>> OpenConflicts(const std::optional<std::string>& link) = 0;
  virtual Result<std::vector<AuditEntry>> AuditLog(const AuditQuery& q) = 0;
  virtual Result<std::vector<QuarantineEntry>> Quarantined(
      const std::optional<std::string>& link) = 0;

  // Alert membership, by creation time then id; and which incident holds an alert (move detection).
  virtual Result<std::vector<AlertRecord>> Alerts(const std::string& link,
                                                  const std::string& incident_id) = 0;
  virtual Result<std::optional<std::string>> IncidentOfAlert(const std::string& link,
                                                             const std::string& alert_id) = 0;

  // Was canonical source comment `source_comment_id` already copied to `pair` on `target`?
  // Returns the copy's comment id.
  virtual Result<std::optional<std::string>> CopiedComment(
      const PairKey& pair, Side target, const std::string& source_comment_id) = 0;
  // Every comment written to `pair` (either side) that the store has a record of.
  virtual Result<std::vector<CommentCopy>> CommentCopies(const PairKey& pair) = 0;

  virtual Result<std::optional<std::string>> LinkMeta(const std::string& link,
                                                      const std::string& key) = 0;

  // SQLite's integrity check; a DataLoss Status lists what it found.
  virtual Status IntegrityCheck() = 0;
};

// Visits every pair of `link` by Defender id, `page_size` pairs at a time (PairsAfter), so a
// link of 100,000 pairs is walked, never held; stops at the first failure `visit` returns.
Status ForEachPair(StateStore& store, const std::string& link, const std::function<Status(const Pair&)>& visit,
                   int64_t page_size = 1000);

// Opens (creating if needed) and migrates the state database at `path`. Refuses a database
// written by a newer xdrsync, a read-only file, and anything that is not a state database.
Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& path);

}  // namespace xdrsync::store
