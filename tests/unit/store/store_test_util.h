// Helpers shared by the state store tests: a temp directory that cleans up after itself, record
// builders with sensible defaults, and raw SQL access for checking what is really in the file.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite_state_store.h"
#include "xdrsync/store/state_store.h"

namespace xdrsync::store::testing {

inline Timestamp T(int64_t unix_seconds) { return Timestamp::FromUnixSeconds(unix_seconds); }

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "xdrsync-store-XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    if (made != nullptr) path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline Pair MakePair(const std::string& link, const std::string& defender_id,
                     const std::string& sentinel_id) {
  Pair p;
  p.key = {link, defender_id};
  p.sentinel_id = sentinel_id;
  p.state = PairState::kActive;
  p.way = CreationWay::kArm;
  p.marker = "marker-" + defender_id;
  p.created = T(1000);
  p.updated = T(1000);
  return p;
}

inline OutboxEntry MakeWrite(const PairKey& pair, Side target, const std::string& kind,
                             Timestamp next_attempt) {
  OutboxEntry e;
  e.pair = pair;
  e.target = target;
  e.kind = kind;
  e.payload = "{\"" + kind + "\":true}";
  e.created = next_attempt;
  e.next_attempt = next_attempt;
  return e;
}

inline AuditEntry MakeAudit(const std::string& link, const std::string& defender_id,
                            const std::string& sentinel_id, Timestamp time) {
  AuditEntry a;
  a.time = time;
  a.link = link;
  a.defender_id = defender_id;
  a.sentinel_id = sentinel_id;
  a.field = "status";
  a.direction = Direction::kDefenderToSentinel;
  a.old_value = "New";
  a.new_value = "Active";
  a.cause = "defender changed status";
  return a;
}

// A store on a fresh file in its own temp directory.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen(const SqliteOptions& options = {}) {
    store_.reset();
    auto opened = SqliteStateStore::Open(path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  std::string path() const { return dir_.File("state.db"); }
  StateStore& store() { return *store_; }

  TempDir dir_;
  std::unique_ptr<SqliteStateStore> store_;
};

// Runs one query yielding a single integer on its own connection (-1 on any error).
inline int64_t QueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t out = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

// Runs SQL statements on their own connection; returns SQLite's error text, empty on success.
inline std::string ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string error;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    error = "cannot open " + path;
  } else {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      error = err != nullptr ? err : "error";
    }
    sqlite3_free(err);
  }
  sqlite3_close(db);
  return error;
}

}  // namespace xdrsync::store::testing
