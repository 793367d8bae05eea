#include "store/sqlite_handle.h"

#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

namespace xdrsync::store {
namespace {

Code CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Code::kResourceExhausted;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Code::kPermissionDenied;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Code::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Code::kDataLoss;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
      return Code::kFailedPrecondition;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      return Code::kUnavailable;
    default:
      return Code::kInternal;
  }
}

// Below this much free space, SQLITE_FULL is the disk's doing, not the file's page limit.
constexpr uint64_t kNearlyFullBytes = 1 << 20;

}  // namespace

Statement::Statement(Db* db, sqlite3_stmt* stmt, std::string_view op, bool cached)
    : db_(db), stmt_(stmt), op_(op), cached_(cached) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), op_(std::move(other.op_)), bind_rc_(other.bind_rc_), cached_(other.cached_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (cached_) {
    db_->Release(stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
}

void Statement::Note(int rc) {
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindOne(int index, std::string_view v) {
  // SQLITE_TRANSIENT: SQLite copies, so a temporary argument may die before Step().
  Note(sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

Statement& Statement::BindTexts(int first, const std::vector<std::string>& values) {
  for (const auto& v : values) BindOne(first++, v);
  return *this;
}

Statement& Statement::BindInts(int first, const std::vector<int64_t>& values) {
  for (int64_t v : values) BindOne(first++, v);
  return *this;
}

void Statement::BindOne(int index, int64_t v) { Note(sqlite3_bind_int64(stmt_, index, v)); }

void Statement::BindOne(int index, std::nullptr_t) { Note(sqlite3_bind_null(stmt_, index)); }

void Statement::BindOne(int index, const std::optional<Timestamp>& t) {
  if (t) {
    BindOne(index, t->ticks());
  } else {
    BindOne(index, nullptr);
  }
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return db_->Error(op_, bind_rc_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(op_, rc);
}

Status Statement::Run() {
  for (;;) {
    auto more = Step();
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
  }
}

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Statement::Text(int col) const {
  // Blob access returns the bytes as stored, for TEXT and BLOB columns alike.
  const void* data = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  if (data == nullptr || n <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<size_t>(n));
}

Result<Db> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(raw, path);
  if (rc != SQLITE_OK) {
    if (raw == nullptr)
      return Status(CodeFor(rc), "state store " + path + ": open: " + sqlite3_errstr(rc));
    return db.Error("open", rc);
  }
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

// Moved only while no statement is out (statements point at their Db).
Db::Db(Db&& other) noexcept : db_(other.db_), path_(std::move(other.path_)), cache_(std::move(other.cache_)) {
  other.db_ = nullptr;
  other.cache_.clear();
}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    FinalizeCache();
    sqlite3_close_v2(db_);
    db_ = other.db_;
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
    other.db_ = nullptr;
    other.cache_.clear();
  }
  return *this;
}

Db::~Db() {
  FinalizeCache();
  sqlite3_close_v2(db_);
}

void Db::FinalizeCache() {
  for (auto& [sql, c] : cache_) sqlite3_finalize(c.stmt);
  cache_.clear();
}

void Db::Release(sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  for (auto& [sql, c] : cache_) {
    if (c.stmt == stmt) {
      c.busy = false;
      return;
    }
  }
  sqlite3_finalize(stmt);  // not ours (the cache was cleared meanwhile)
}

Result<Statement> Db::Prepare(std::string_view op, std::string_view sql) {
  if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Fail(Code::kInternal, op, "statement too long");
  }
  auto hit = cache_.find(sql);
  if (hit != cache_.end() && !hit->second.busy) {
    hit->second.busy = true;
    return Statement(this, hit->second.stmt, op, true);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(op, rc);
  }
  if (hit != cache_.end()) return Statement(this, stmt, op);  // the cached one is in use
  cache_.emplace(std::string(sql), Cached{stmt, true});
  return Statement(this, stmt, op, true);
}

Status Db::ExecScript(std::string_view op, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Fail(CodeFor(rc), op, message + OsReason(rc));
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status Db::Error(std::string_view op, int rc) const {
  // The connection's message is more specific ("UNIQUE constraint failed: pairs.sentinel_id") but
  // only describes `rc` when the connection recorded that same error.
  const char* message = (db_ != nullptr && (sqlite3_errcode(db_) & 0xff) == (rc & 0xff))
                            ? sqlite3_errmsg(db_)
                            : sqlite3_errstr(rc);
  return Fail(CodeFor(rc), op, message + OsReason(rc));
}

std::string Db::OsReason(int rc) const {
  // SQLite records the system error for these two only; for any other code it is a stale one.
  const bool has_errno = (rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN;
  const int sys = db_ != nullptr && has_errno ? sqlite3_system_errno(db_) : 0;
  if (sys != 0) return std::string(" (") + std::strerror(sys) + ")";
  if ((rc & 0xff) == SQLITE_READONLY && ::access(path_.c_str(), W_OK) != 0) {
    return std::string(" (") + std::strerror(errno) + ")";
  }
  if ((rc & 0xff) != SQLITE_FULL) return "";
  // SQLite reports ENOSPC as SQLITE_FULL and clears the system error: say what the disk holds.
  const std::string dir = std::filesystem::path(path_).parent_path().string();
  struct statvfs fs {};
  if (::statvfs(dir.empty() ? "." : dir.c_str(), &fs) != 0) return "";
  const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  const std::string where = std::to_string(free_bytes) + " bytes free in " + (dir.empty() ? "." : dir);
  return free_bytes < kNearlyFullBytes ? " (" + std::string(std::strerror(ENOSPC)) + "; " + where + ")"
                                       : " (" + where + ")";
}

Status Db::Fail(Code code, std::string_view op, std::string_view message) const {
  std::string m = "state store ";
  m += path_;
  m += ": ";
  m += op;
  m += ": ";
  m += message;
  return Status(code, std::move(m));
}

Result<Transaction> Transaction::Begin(Db& db, std::string_view op) {
  Status s = db.Exec(op, "BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  return Transaction(&db, op);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(other.db_), op_(std::move(other.op_)) {
  other.db_ = nullptr;
}

Transaction::~Transaction() { Rollback(); }

Status Transaction::Commit() {
  Status s = db_->Exec(op_, "COMMIT");
  // A failed COMMIT (SQLITE_BUSY, SQLITE_FULL) may leave the transaction open: roll it back so the
  // connection is usable and the previous state is what remains.
  if (!s.ok()) Rollback();
  db_ = nullptr;
  return s;
}

void Transaction::Rollback() {
  // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR); ROLLBACK outside a
  // transaction would only add a second error.
  if (db_ != nullptr && db_->InTransaction()) {
    sqlite3_exec(db_->raw(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  db_ = nullptr;
}

}  // namespace xdrsync::store
