// RAII wrappers over one SQLite connection, its statements and its write transactions. Every
// failure comes back as a Status reading "state store <path>: <operation>: <sqlite message>", so a
// log line always says which file and which step failed. No exception leaves these classes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xdrsync/core/status.h"
#include "xdrsync/core/timestamp.h"

struct sqlite3;
struct sqlite3_stmt;

namespace xdrsync::store {

class Db;

class Statement {
 public:
  // `cached`: the statement belongs to the Db's cache and is reset, not finalized, when done.
  Statement(Db* db, sqlite3_stmt* stmt, std::string_view op, bool cached = false);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Binds parameters 1..n in order. A bind error is reported by the next Step/Run.
  template <typename... Args>
  Statement& Bind(const Args&... args) {
    int index = 1;
    (BindOne(index++, args), ...);
    return *this;
  }

  // Binds `values` to parameters first, first + 1, ... (the members of an IN list).
  Statement& BindTexts(int first, const std::vector<std::string>& values);
  Statement& BindInts(int first, const std::vector<int64_t>& values);

  // Advances to the next row: true when a row is ready, false when done.
  Result<bool> Step();
  // Steps to the end, for statements that return no rows.
  Status Run();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  Timestamp Time(int col) const { return Timestamp::FromTicks(Int(col)); }
  std::string Text(int col) const;

 private:
  void BindOne(int index, std::string_view v);
  void BindOne(int index, int64_t v);
  void BindOne(int index, Timestamp t) { BindOne(index, t.ticks()); }
  void BindOne(int index, std::nullptr_t);
  void BindOne(int index, const std::optional<Timestamp>& t);
  void Note(int rc);

  Db* db_;
  sqlite3_stmt* stmt_;
  std::string op_;
  int bind_rc_ = 0;
  bool cached_ = false;
};

class Db {
 public:
  // Opens read-write, creating the file if needed. Nothing else is set up here.
  static Result<Db> Open(const std::string& path);
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  ~Db();

  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

  // Prepared statements are kept by their SQL text and reused (preparing costs more than running
  // most of ours); a text already in use is prepared afresh.
  Result<Statement> Prepare(std::string_view op, std::string_view sql);

  // Prepares, binds and runs one statement that returns no rows.
  template <typename... Args>
  Status Exec(std::string_view op, std::string_view sql, const Args&... args) {
    auto st = Prepare(op, sql);
    if (!st.ok()) return st.status();
    st->Bind(args...);
    return st->Run();
  }

  // Runs a query and turns each row into a T with `row` (a callable Statement& -> Result<T>).
  template <typename T, typename RowFn, typename... Args>
  Result<std::vector<T>> Query(std::string_view op, std::string_view sql, RowFn row,
                               const Args&... args) {
    auto st = Prepare(op, sql);
    if (!st.ok()) return st.status();
    st->Bind(args...);
    std::vector<T> out;
    for (;;) {
      auto more = st->Step();
      if (!more.ok()) return more.status();
      if (!*more) return out;
      Result<T> value = row(*st);
      if (!value.ok()) return value.status();
      out.push_back(std::move(value).value());
    }
  }

  // Runs several statements separated by ';' (migrations, pragmas); no parameters.
  Status ExecScript(std::string_view op, const std::string& sql);

  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;
  bool InTransaction() const;

  // The Status for SQLite result code `rc` during `op`.
  Status Error(std::string_view op, int rc) const;
  // What the operating system said about failure `rc`, as " (<errno text>)", or "" when nothing
  // is known: SQLite's own messages ("database or disk is full") do not say which.
  std::string OsReason(int rc) const;
  // A Status of the given code with the path and operation in front.
  Status Fail(Code code, std::string_view op, std::string_view message) const;

 private:
  friend class Statement;
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool busy = false;
  };
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void Release(sqlite3_stmt* stmt);
  void FinalizeCache();
  sqlite3* db_ = nullptr;
  std::string path_;
  std::map<std::string, Cached, std::less<>> cache_;
};

// One BEGIN IMMEDIATE transaction: the write lock is taken up front, so a writer never fails with
// SQLITE_BUSY half-way when it upgrades. Rolled back unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Db& db, std::string_view op);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  Transaction(Db* db, std::string_view op) : db_(db), op_(op) {}
  void Rollback();
  Db* db_;
  std::string op_;
};

}  // namespace xdrsync::store
