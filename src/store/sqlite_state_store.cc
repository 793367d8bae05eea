#include "store/sqlite_state_store.h"

#include <sqlite3.h>

#include "store/rows.h"

namespace xdrsync::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// The per-connection settings (spec deps §3): journal_mode persists in the file, the rest must be
// set at every open.
Status Configure(Db& db, const SqliteOptions& options) {
  sqlite3_busy_timeout(db.raw(), kBusyTimeoutMs);
  if (sqlite3_db_readonly(db.raw(), "main") == 1) {
    return db.Fail(Code::kPermissionDenied, "open",
                   "the state file is read-only" + db.OsReason(SQLITE_READONLY) +
                       "; xdrsync must be able to write it");
  }
  // A new file gets 8 KB pages: a pair's packed bases (about 1.5 KB with the benchmark's
  // descriptions) fill them five to a page, where 4 KB pages hold two and leave a quarter empty.
  // And incremental auto-vacuum, so the pages a burst freed (a cold start's creation snapshots
  // and outbox rows) go back to the file system at the next open or clean close. Neither can
  // change on an existing file without a VACUUM; such a file stays as it is.
  auto pages = db.Query<int64_t>("open: page count", "PRAGMA page_count",
                                 [](Statement& st) -> Result<int64_t> { return st.Int(0); });
  if (!pages.ok()) return pages.status();
  if (!pages->empty() && pages->front() == 0) {
    Status s = db.ExecScript("open: set page size", "PRAGMA page_size = 8192; PRAGMA auto_vacuum = INCREMENTAL");
    if (!s.ok()) return s;
  }
  auto mode =
      db.Query<std::string>("open: set WAL", "PRAGMA journal_mode = WAL",
                            [](Statement& st) -> Result<std::string> { return st.Text(0); });
  if (!mode.ok()) return mode.status();
  std::string got = mode->empty() ? "" : mode->front();
  if (got != "wal" && got != "memory") {
    return db.Fail(Code::kFailedPrecondition, "open",
                   "could not switch to WAL (journal mode is '" + got + "')");
  }
  std::string pragmas = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
  if (options.max_page_count > 0) {
    pragmas += "PRAGMA max_page_count = " + std::to_string(options.max_page_count) + ";";
  }
  return db.ExecScript("open: configure", pragmas);
}

}  // namespace

Result<std::unique_ptr<SqliteStateStore>> SqliteStateStore::Open(const std::string& path,
                                                                 const SqliteOptions& options) {
  if (options.schema_version < 1 || options.schema_version > kSchemaVersion) {
    return InvalidArgument("state store " + path + ": open: no schema version " +
                           std::to_string(options.schema_version));
  }
  auto db = Db::Open(path);
  if (!db.ok()) return db.status();
  Status s = Configure(*db, options);
  if (!s.ok()) return s;
  s = Migrate(*db, options.schema_version);
  if (!s.ok()) return s;
  // Best effort: another process may hold the write lock (a command run beside the daemon).
  auto free_pages = db->Query<int64_t>("open: free pages", "PRAGMA freelist_count",
                                       [](Statement& st) -> Result<int64_t> { return st.Int(0); });
  if (free_pages.ok() && !free_pages->empty() && free_pages->front() > 0) {
    (void)db->ExecScript("open: give back free pages", "PRAGMA incremental_vacuum");
  }
  return std::unique_ptr<SqliteStateStore>(new SqliteStateStore(std::move(db).value()));
}

Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& path) {
  auto store = SqliteStateStore::Open(path);
  if (!store.ok()) return store.status();
  return std::unique_ptr<StateStore>(std::move(store).value());
}

SqliteStateStore::~SqliteStateStore() {
  // Best effort on a clean close; the next open tries again.
  (void)db_.ExecScript("close: give back free pages", "PRAGMA incremental_vacuum");
}

Status SqliteStateStore::RecordDecision(const Decision& d, std::vector<int64_t>* outbox_ids) {
  std::lock_guard lock(mu_);
  constexpr const char* op = "RecordDecision";
  if (outbox_ids) outbox_ids->clear();
  Status done = InTransaction(op, [&] { return DecisionRows(db_, op, d, outbox_ids); });
  if (!done.ok() && outbox_ids) outbox_ids->clear();  // rolled back: no row was given an id
  return done;
}

Status SqliteStateStore::ConfirmWrite(int64_t outbox_id, const std::vector<BaseMove>& bases,
                                      const std::vector<AuditEntry>& audit,
                                      const std::vector<CommentCopy>& provenance) {
  std::lock_guard lock(mu_);
  constexpr const char* op = "ConfirmWrite";
  return InTransaction(op, [&] { return ConfirmRows(db_, op, {outbox_id, bases, audit, provenance}); });
}

Status SqliteStateStore::FailWrite(int64_t outbox_id, std::string error, Timestamp next_attempt) {
  std::lock_guard lock(mu_);
  constexpr const char* op = "FailWrite";
  return InTransaction(op, [&] { return FailRows(db_, op, {outbox_id, std::move(error), next_attempt}); });
}

Status SqliteStateStore::DeadLetter(int64_t outbox_id, std::string error, Timestamp now) {
  std::lock_guard lock(mu_);
  constexpr const char* op = "DeadLetter";
  return InTransaction(op, [&]() -> Status {
    auto rows = db_.Query<QuarantineEntry>(
        op,
        "SELECT o.link, o.target, o.defender_id, p.sentinel_id, o.attempts FROM outbox o "
        "JOIN pairs p ON p.link = o.link AND p.defender_id = o.defender_id WHERE o.id = ?",
        [&](Statement& st) -> Result<QuarantineEntry> {
          auto target = ReadSide(st, 1);
          if (!target.ok()) return target.status();
          std::string sentinel_id = st.Text(3);
          // A twin whose create never succeeded has no Sentinel id: quarantine its source.
          bool on_sentinel = *target == Side::kSentinel && !sentinel_id.empty();
          return QuarantineEntry{st.Text(0),
                                 on_sentinel ? Side::kSentinel : Side::kDefender,
                                 on_sentinel ? sentinel_id : st.Text(2),
                                 "",
                                 error,
                                 st.Int(4) + 1,
                                 now,
                                 now};
        },
        outbox_id);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) {
      return db_.Fail(Code::kNotFound, op,
                      "outbox row " + std::to_string(outbox_id) + " is not pending");
    }
    Status s = db_.Exec(op, "DELETE FROM outbox WHERE id = ?", outbox_id);
    if (s.ok()) s = ApplyQuarantine(db_, op, {rows->front(), false});
    return s;
  });
}

Status SqliteStateStore::AdvanceWatermark(const std::string& link, Side side, Timestamp t) {
  std::lock_guard lock(mu_);
  constexpr const char* op = "AdvanceWatermark";
  return InTransaction(op, [&] { return RaiseWatermark(db_, op, {link, side, t}); });
}

Status SqliteStateStore::ResolveConflict(int64_t conflict_id, Timestamp at,
                                         std::string resolution) {
  std::lock_guard lock(mu_);
  constexpr const char* op = "ResolveConflict";
  return InTransaction(op, [&]() -> Status {
    Status s = db_.Exec(op,
                        "UPDATE conflicts SET resolved_at = ?, resolution = ? "
                        "WHERE id = ? AND resolved_at IS NULL",
                        at, resolution, conflict_id);
    if (s.ok() && db_.Changes() == 0) {
      s = db_.Fail(Code::kNotFound, op, "no open conflict " + std::to_string(conflict_id));
    }
    return s;
  });
}

Status SqliteStateStore::Quarantine(const QuarantineEntry& e) {
  std::lock_guard lock(mu_);
  constexpr const char* op = "Quarantine";
  return InTransaction(op, [&] { return ApplyQuarantine(db_, op, {e, false}); });
}

Status SqliteStateStore::ClearQuarantine(const std::string& link, Side side,
                                         const std::string& incident_id, const std::string& field) {
  std::lock_guard lock(mu_);
  constexpr const char* op = "ClearQuarantine";
  QuarantineChange change{{link, side, incident_id, field, "", 0, {}, {}}, true};
  return InTransaction(op, [&] { return ApplyQuarantine(db_, op, change); });
}

Status SqliteStateStore::SetLinkMeta(const std::string& link, const std::string& key,
                                     std::optional<std::string> value) {
  std::lock_guard lock(mu_);
  constexpr const char* op = "SetLinkMeta";
  return InTransaction(op, [&] { return ApplyLinkMeta(db_, op, {link, key, std::move(value)}); });
}

Status SqliteStateStore::IntegrityCheck() {
  std::lock_guard lock(mu_);
  constexpr const char* op = "IntegrityCheck";
  auto text = [](Statement& st) -> Result<std::string> { return st.Text(0); };
  auto problems = db_.Query<std::string>(op, "PRAGMA integrity_check", text);
  if (!problems.ok()) return problems.status();
  if (problems->size() != 1 || problems->front() != "ok") {
    std::string all;
    for (const std::string& p : *problems) all += (all.empty() ? "" : "; ") + p;
    return db_.Fail(Code::kDataLoss, op, all);
  }
  auto orphans = db_.Query<std::string>(op, "PRAGMA foreign_key_check", text);
  if (!orphans.ok()) return orphans.status();
  if (!orphans->empty()) {
    return db_.Fail(Code::kDataLoss, op,
                    std::to_string(orphans->size()) + " rows refer to a missing pair (first in " +
                        orphans->front() + ")");
  }
  return Status::Ok();
}

}  // namespace xdrsync::store
