// Numbered schema migrations on PRAGMA user_version. Each step and its version bump commit in one
// transaction, so a crash mid-migration leaves the database at the previous version, not between.
#pragma once

#include "store/sqlite_handle.h"

namespace xdrsync::store {

inline constexpr int kSchemaVersion = 5;

// Reads the schema version of an open database.
Result<int> SchemaVersion(Db& db);

// Brings the database up to `target` (<= kSchemaVersion; lower only in tests that build an old
// database). Refuses a database newer than this code, or a non-empty database that was never an
// xdrsync state store.
Status Migrate(Db& db, int target);

}  // namespace xdrsync::store
