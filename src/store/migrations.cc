#include "store/migrations.h"

#include <array>
#include <string>

#include "store/packed_bases.h"

namespace xdrsync::store {
namespace {

// Version 1: the state of spec §5-10. Timestamps are INTEGER ticks (100 ns since the Unix epoch).
// Pairs are keyed by (link, Defender id); the CHECKs keep stored enums readable by ParseX.
constexpr const char* kV1 = R"sql(
CREATE TABLE pairs (
  link TEXT NOT NULL,
  defender_id TEXT NOT NULL,
  sentinel_id TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN
    ('active', 'merged', 'deleted-in-sentinel', 'source-gone', 'create-pending')),
  redirect_target TEXT NOT NULL DEFAULT '',
  way TEXT NOT NULL CHECK (way IN ('arm', 'defender-alert', 'link')),
  marker TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  CHECK (link <> '' AND defender_id <> ''),
  CHECK ((state = 'merged') = (redirect_target <> '')),
  PRIMARY KEY (link, defender_id)
) WITHOUT ROWID;
-- Two pairs sharing one twin would make every write ping-pong between them.
CREATE UNIQUE INDEX pairs_by_sentinel ON pairs (link, sentinel_id) WHERE sentinel_id <> '';

CREATE TABLE bases (
  link TEXT NOT NULL,
  defender_id TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('defender', 'sentinel')),
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  stamp_time INTEGER NOT NULL,
  stamp_etag TEXT NOT NULL,
  own_write INTEGER NOT NULL CHECK (own_write IN (0, 1)),
  PRIMARY KEY (link, defender_id, side, field),
  FOREIGN KEY (link, defender_id) REFERENCES pairs (link, defender_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE observed (
  link TEXT NOT NULL,
  defender_id TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('defender', 'sentinel')),
  vals BLOB NOT NULL,
  stamp_time INTEGER NOT NULL,
  stamp_etag TEXT NOT NULL,
  observed_at INTEGER NOT NULL,
  PRIMARY KEY (link, defender_id, side),
  FOREIGN KEY (link, defender_id) REFERENCES pairs (link, defender_id) ON DELETE CASCADE
) WITHOUT ROWID;

-- AUTOINCREMENT: a confirmation for an old id must never hit a newer row that reused it.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  link TEXT NOT NULL,
  defender_id TEXT NOT NULL,
  target TEXT NOT NULL CHECK (target IN ('defender', 'sentinel')),
  kind TEXT NOT NULL CHECK (kind <> ''),
  payload TEXT NOT NULL,
  created INTEGER NOT NULL,
  next_attempt INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  FOREIGN KEY (link, defender_id) REFERENCES pairs (link, defender_id) ON DELETE CASCADE
);
CREATE INDEX outbox_by_pair ON outbox (link, defender_id);

CREATE TABLE conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  link TEXT NOT NULL,
  defender_id TEXT NOT NULL,
  field TEXT NOT NULL,
  defender_value TEXT NOT NULL,
  sentinel_value TEXT NOT NULL,
  defender_time INTEGER NOT NULL,
  sentinel_time INTEGER NOT NULL,
  defender_modified_by TEXT NOT NULL,
  sentinel_modified_by TEXT NOT NULL,
  policy TEXT NOT NULL,
  decision TEXT NOT NULL,
  resolved_at INTEGER,
  resolution TEXT NOT NULL DEFAULT ''
);
-- The same open conflict seen again next cycle is not a new journal entry.
CREATE UNIQUE INDEX conflicts_open
  ON conflicts (link, defender_id, field, defender_value, sentinel_value) WHERE resolved_at IS NULL;

CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  link TEXT NOT NULL,
  defender_id TEXT NOT NULL,
  sentinel_id TEXT NOT NULL,
  field TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('defender-to-sentinel', 'sentinel-to-defender')),
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  cause TEXT NOT NULL
);
CREATE INDEX audit_by_defender ON audit (defender_id, time);
CREATE INDEX audit_by_sentinel ON audit (sentinel_id, time);

CREATE TABLE alerts (
  link TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  service_source TEXT NOT NULL,
  created INTEGER NOT NULL,
  web_link TEXT NOT NULL,
  PRIMARY KEY (link, alert_id)
) WITHOUT ROWID;
CREATE INDEX alerts_by_incident ON alerts (link, incident_id, created);

CREATE TABLE comment_copies (
  link TEXT NOT NULL,
  defender_id TEXT NOT NULL,
  target TEXT NOT NULL CHECK (target IN ('defender', 'sentinel')),
  source_comment_id TEXT NOT NULL,
  target_comment_id TEXT NOT NULL,
  copied_at INTEGER NOT NULL,
  PRIMARY KEY (link, defender_id, target, source_comment_id),
  FOREIGN KEY (link, defender_id) REFERENCES pairs (link, defender_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE quarantine (
  link TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('defender', 'sentinel')),
  incident_id TEXT NOT NULL,
  field TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  since INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  PRIMARY KEY (link, side, incident_id, field)
) WITHOUT ROWID;

CREATE TABLE watermarks (
  link TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('defender', 'sentinel')),
  time INTEGER NOT NULL,
  PRIMARY KEY (link, side)
) WITHOUT ROWID;

CREATE TABLE link_meta (
  link TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (link, key)
) WITHOUT ROWID;
)sql";

// Version 2: the alert digest of each twin (spec §7: rewrite only when its hash changes, at most
// once per interval), and an index for the outbox runner's "what is due" scan.
constexpr const char* kV2 = R"sql(
ALTER TABLE pairs ADD COLUMN digest_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE pairs ADD COLUMN digest_written INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_due ON outbox (next_attempt, id);
)sql";

// Version 3: how each pair's sides looked when last reconciled, so a full sweep reads only the
// pairs whose listings show a change (cost follows changes, not pairs).
constexpr const char* kV3 = R"sql(
ALTER TABLE pairs ADD COLUMN seen_defender INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pairs ADD COLUMN seen_sentinel TEXT NOT NULL DEFAULT '';
ALTER TABLE pairs ADD COLUMN seen_open INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 4: a pair's bases in one packed row (store/packed_bases.h) instead of a WITHOUT ROWID
// row per (side, field): a description's base was larger than such a table keeps in its page,
// so each one took an overflow page of its own (about 10 KB a pair, 7 of them empty). The
// creation snapshots move to a rowid table for the same reason, and only pairs whose creation is
// pending keep them. Existing bases are packed here in SQL (one entry per old row, written in
// full); the store writes the shorter form from then on.
constexpr const char* kV4 = R"sql(
CREATE TABLE pair_bases (
  link TEXT NOT NULL,
  defender_id TEXT NOT NULL,
  packed BLOB NOT NULL,
  PRIMARY KEY (link, defender_id),
  FOREIGN KEY (link, defender_id) REFERENCES pairs (link, defender_id) ON DELETE CASCADE
);
INSERT INTO pair_bases (link, defender_id, packed)
  SELECT link, defender_id, CAST(group_concat(entry, '') AS BLOB) FROM (
    SELECT link, defender_id,
           printf('%s.%s %d %d:%s %d %d:%s', substr(side, 1, 1), field, stamp_time,
                  length(CAST(stamp_etag AS BLOB)), stamp_etag, own_write,
                  length(CAST(value AS BLOB)), value) AS entry
    FROM bases ORDER BY link, defender_id, side, field)
  GROUP BY link, defender_id;
DROP TABLE bases;

CREATE TABLE observed_v4 (
  link TEXT NOT NULL,
  defender_id TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('defender', 'sentinel')),
  vals BLOB NOT NULL,
  stamp_time INTEGER NOT NULL,
  stamp_etag TEXT NOT NULL,
  observed_at INTEGER NOT NULL,
  PRIMARY KEY (link, defender_id, side),
  FOREIGN KEY (link, defender_id) REFERENCES pairs (link, defender_id) ON DELETE CASCADE
);
INSERT INTO observed_v4 SELECT o.* FROM observed o JOIN pairs p
  ON p.link = o.link AND p.defender_id = o.defender_id WHERE p.state = 'create-pending';
DROP TABLE observed;
ALTER TABLE observed_v4 RENAME TO observed;
)sql";

// Version 5: the bases of long titles, descriptions and closing comments are kept as digests
// (domain::BaseValue; a description's base was 1.1 KB of a pair's 3.1). An older build would take
// a digest for the text and see every such field as changed, so the version goes up. The rows are
// re-encoded in C++ (DigestBases), in the same transaction.
constexpr const char* kV5 = "";

constexpr std::array<const char*, kSchemaVersion> kSteps = {kV1, kV2, kV3, kV4, kV5};

// Moves every packed row aside and writes it back re-encoded, a thousand rows at a time (the
// table may hold 100,000 pairs). Shrinking the rows in place would leave each page as sparse as
// they make it; emptied at once, the table's pages go to the free list, which the incremental
// vacuum at open gives back to the file system. A row that does not decode is written back as
// it was: it fails on reading as it did before, and nothing is lost by migrating.
Status DigestBases(Db& db, std::string_view op) {
  Status s = db.ExecScript(op,
                           "CREATE TEMP TABLE packed_v4 AS SELECT link, defender_id, packed FROM pair_bases "
                           "ORDER BY rowid; DELETE FROM pair_bases;");
  struct Row {
    int64_t rowid;
    std::string link, defender_id, packed;
  };
  for (int64_t after = 0; s.ok();) {
    auto rows = db.Query<Row>(
        op, "SELECT rowid, link, defender_id, packed FROM temp.packed_v4 WHERE rowid > ? ORDER BY rowid LIMIT 1000",
        [](Statement& st) -> Result<Row> { return Row{st.Int(0), st.Text(1), st.Text(2), st.Text(3)}; }, after);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    for (const Row& row : *rows) {
      after = row.rowid;
      auto bases = DecodeBases(row.packed);
      s = db.Exec(op, "INSERT INTO pair_bases (link, defender_id, packed) VALUES (?, ?, ?)", row.link,
                  row.defender_id, bases.ok() ? EncodeBases(*bases) : row.packed);
      if (!s.ok()) return s;
    }
  }
  if (!s.ok()) return s;
  return db.ExecScript(op, "DROP TABLE temp.packed_v4;");
}

Status RefuseForeign(Db& db) {
  auto objects = db.Query<int64_t>("migrate", "SELECT count(*) FROM sqlite_schema",
                                   [](Statement& st) -> Result<int64_t> { return st.Int(0); });
  if (!objects.ok()) return objects.status();
  if (!objects->empty() && objects->front() > 0) {
    return db.Fail(
        Code::kFailedPrecondition, "migrate",
        "the file holds tables but no xdrsync schema version; it is not a state database");
  }
  return Status::Ok();
}

}  // namespace

Result<int> SchemaVersion(Db& db) {
  auto v = db.Query<int64_t>("read schema version", "PRAGMA user_version",
                             [](Statement& st) -> Result<int64_t> { return st.Int(0); });
  if (!v.ok()) return v.status();
  return v->empty() ? 0 : static_cast<int>(v->front());
}

Status Migrate(Db& db, int target) {
  auto current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  if (*current > kSchemaVersion) {
    return db.Fail(Code::kFailedPrecondition, "migrate",
                   "the database has schema version " + std::to_string(*current) +
                       ", newer than this xdrsync understands (" + std::to_string(kSchemaVersion) +
                       "); run a newer xdrsync or restore a state file it wrote");
  }
  if (*current == 0) {
    Status s = RefuseForeign(db);
    if (!s.ok()) return s;
  }
  for (int version = *current + 1; version <= target; ++version) {
    std::string op = "migrate to schema version " + std::to_string(version);
    auto txn = Transaction::Begin(db, op);
    if (!txn.ok()) return txn.status();
    // Another process may have migrated while we waited for the write lock.
    auto now = SchemaVersion(db);
    if (!now.ok()) return now.status();
    if (*now >= version) continue;
    std::string script = kSteps[static_cast<size_t>(version - 1)];
    script += "\nPRAGMA user_version = " + std::to_string(version) + ";";
    Status s = db.ExecScript(op, script);
    if (s.ok() && version == 5) s = DigestBases(db, op);
    if (!s.ok()) return s;
    s = txn->Commit();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace xdrsync::store
