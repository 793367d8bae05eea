// The SQLite implementation of StateStore: one writer connection in WAL mode, synchronous=FULL
// (every acknowledged commit survives power loss), foreign keys on, a 5 s busy timeout so a second
// instance waits for the lock instead of failing. All methods are serialised by one mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/migrations.h"
#include "store/sqlite_handle.h"
#include "xdrsync/store/state_store.h"

namespace xdrsync::store {

struct SqliteOptions {
  // Migrate only up to this version; tests use it to build a database of an older schema.
  int schema_version = kSchemaVersion;
  // Caps the database at this many pages (0: no cap). A small cap makes "disk full" testable.
  int64_t max_page_count = 0;
};

class SqliteStateStore final : public StateStore {
 public:
  static Result<std::unique_ptr<SqliteStateStore>> Open(const std::string& path,
                                                        const SqliteOptions& options = {});

  ~SqliteStateStore() override;

  using StateStore::RecordDecision;
  Status RecordDecision(const Decision& d, std::vector<int64_t>* outbox_ids) override;
  Status ConfirmWrite(int64_t outbox_id, const std::vector<BaseMove>& bases,
                      const std::vector<AuditEntry>& audit,
                      const std::vector<CommentCopy>& provenance) override;
  Status FailWrite(int64_t outbox_id, std::string error, Timestamp next_attempt) override;
  Status DeadLetter(int64_t outbox_id, std::string error, Timestamp now) override;
  Result<BatchOutcome> Apply(const WriteBatch& batch) override;
  Status AdvanceWatermark(const std::string& link, Side side, Timestamp t) override;
  Status ResolveConflict(int64_t conflict_id, Timestamp at, std::string resolution) override;
  Status Quarantine(const QuarantineEntry& e) override;
  Status ClearQuarantine(const std::string& link, Side side, const std::string& incident_id,
                         const std::string& field) override;
  Status SetLinkMeta(const std::string& link, const std::string& key,
                     std::optional<std::string> value) override;
  Result<ForgetSummary> Forget(const ForgetScope& scope, bool dry_run, Timestamp now,
                               const std::string& cause) override;

  Result<std::vector<Pair>> Pairs(const std::string& link) override;
  Result<std::optional<Pair>> PairByDefenderId(const std::string& link,
                                               const std::string& defender_id) override;
  Result<std::optional<Pair>> PairBySentinelId(const std::string& link,
                                               const std::string& sentinel_id) override;
  Result<std::vector<Pair>> PairsByDefenderIds(const std::string& link,
                                               const std::vector<std::string>& ids) override;
  Result<std::vector<Pair>> PairsBySentinelIds(const std::string& link,
                                               const std::vector<std::string>& ids) override;
  Result<std::vector<Pair>> PairsByMarkers(const std::string& link,
                                           const std::vector<std::string>& ids) override;
  Result<std::vector<Pair>> PairsAfter(const std::string& link, const std::string& after,
                                       int64_t limit) override;
  Result<PairBases> Bases(const PairKey& pair) override;
  Result<std::optional<ObservedSnapshot>> Observed(const PairKey& pair, Side side) override;
  Result<std::optional<DigestMark>> Digest(const PairKey& pair) override;
  Result<std::vector<OutboxEntry>> DueWrites(Timestamp now, int64_t limit) override;
  Result<std::vector<OutboxEntry>> LinkWrites(const std::string& link, int64_t limit,
                                              const std::set<int64_t>& skip) override;
  Result<int64_t> OutboxDepth(const std::optional<std::string>& link) override;
  Result<std::optional<Timestamp>> Watermark(const std::string& link, Side side) override;
  Result<std::vector<Conflict>> OpenConflicts(const std::optional<std::string>& link) override;
  Result<std::vector<AuditEntry>> AuditLog(const AuditQuery& q) override;
  Result<std::vector<QuarantineEntry>> Quarantined(const std::optional<std::string>& link) override;
  Result<std::vector<AlertRecord>> Alerts(const std::string& link,
                                          const std::string& incident_id) override;
  Result<std::optional<std::string>> IncidentOfAlert(const std::string& link,
                                                     const std::string& alert_id) override;
  Result<std::vector<CommentCopy>> CommentCopies(const PairKey& pair) override;
  Result<std::optional<std::string>> CopiedComment(const PairKey& pair, Side target,
                                                   const std::string& source_comment_id) override;
  Result<std::optional<std::string>> LinkMeta(const std::string& link,
                                              const std::string& key) override;
  Status IntegrityCheck() override;

 private:
  explicit SqliteStateStore(Db db) : db_(std::move(db)) {}

  // Runs `body` inside one BEGIN IMMEDIATE transaction named `op`, committing only if it succeeds.
  template <typename Body>
  Status InTransaction(const char* op, Body body) {
    auto txn = Transaction::Begin(db_, op);
    if (!txn.ok()) return txn.status();
    Status s = body();
    if (!s.ok()) return s;
    return txn->Commit();
  }

  // Pairs of `link` whose `column` is one of `ids` (store_reads.cc).
  Result<std::vector<Pair>> PairsWhereIn(const char* op, std::string_view column, const std::string& link,
                                         const std::vector<std::string>& ids);

  std::mutex mu_;
  Db db_;
};

}  // namespace xdrsync::store
