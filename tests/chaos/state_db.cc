#include "state_db.h"

#include <sqlite3.h>

#include <filesystem>

namespace xdrsync::chaos {

namespace {

long Count(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  long n = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    n = static_cast<long>(sqlite3_column_int64(st, 0));
  }
  sqlite3_finalize(st);
  return n;
}

std::string Text(sqlite3_stmt* st, int col) {
  const unsigned char* t = sqlite3_column_text(st, col);
  return t ? reinterpret_cast<const char*>(t) : "";
}

}  // namespace

StateSnapshot ReadState(const std::string& path, bool integrity_check) {
  StateSnapshot out;
  if (!std::filesystem::exists(path)) return out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  out.opened = true;
  out.outbox = Count(db, "SELECT COUNT(*) FROM outbox");
  out.quarantined = Count(db, "SELECT COUNT(*) FROM quarantine");
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT link, defender_id, field FROM conflicts", -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      // "status", or "status:no-base" with the kind of conflict after the field.
      const std::string field = Text(st, 2);
      out.conflicts.insert({Text(st, 0), Text(st, 1), field.substr(0, field.find(':'))});
    }
  }
  sqlite3_finalize(st);
  if (integrity_check) {
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK) {
      std::string all;
      while (sqlite3_step(st) == SQLITE_ROW) all += (all.empty() ? "" : "; ") + Text(st, 0);
      out.integrity = all;
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace xdrsync::chaos
