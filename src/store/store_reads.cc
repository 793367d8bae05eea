// The read side of SqliteStateStore. Reads take the same mutex as writes: there is one connection.
#include <set>

#include "store/packed_bases.h"
#include "store/rows.h"
#include "store/sqlite_state_store.h"

namespace xdrsync::store {
namespace {

using domain::SideName;

template <typename T>
Result<std::optional<T>> First(Result<std::vector<T>> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<T>();
  return std::optional<T>(std::move(rows->front()));
}

std::string Select(std::string_view columns, std::string_view rest) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += ' ';
  sql += rest;
  return sql;
}

Result<std::string> TextColumn(Statement& st) { return st.Text(0); }

}  // namespace

Result<std::vector<Pair>> SqliteStateStore::Pairs(const std::string& link) {
  std::lock_guard lock(mu_);
  return db_.Query<Pair>("Pairs",
                         Select(kPairColumns, "FROM pairs WHERE link = ? ORDER BY defender_id"),
                         ReadPair, link);
}

Result<std::optional<Pair>> SqliteStateStore::PairByDefenderId(const std::string& link,
                                                               const std::string& defender_id) {
  std::lock_guard lock(mu_);
  return First(db_.Query<Pair>(
      "PairByDefenderId", Select(kPairColumns, "FROM pairs WHERE link = ? AND defender_id = ?"),
      ReadPair, link, defender_id));
}

Result<std::optional<Pair>> SqliteStateStore::PairBySentinelId(const std::string& link,
                                                               const std::string& sentinel_id) {
  std::lock_guard lock(mu_);
  if (sentinel_id.empty()) return std::optional<Pair>();
  return First(db_.Query<Pair>(
      "PairBySentinelId", Select(kPairColumns, "FROM pairs WHERE link = ? AND sentinel_id = ?"),
      ReadPair, link, sentinel_id));
}

// Ids bound per query. The last chunk is padded with its own last id, so each lookup has one SQL
// text and one prepared statement whatever the number of ids.
constexpr size_t kInChunk = 100;

namespace {

// Steps `st` to its end, appending each row as `read` makes it.
template <typename T, typename Read>
Status AppendRows(Statement& st, Read read, std::vector<T>& out) {
  for (;;) {
    auto more = st.Step();
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    auto row = read(st);
    if (!row.ok()) return row.status();
    out.push_back(std::move(*row));
  }
}

}  // namespace

Result<std::vector<Pair>> SqliteStateStore::PairsWhereIn(const char* op, std::string_view column,
                                                         const std::string& link,
                                                         const std::vector<std::string>& ids) {
  std::set<std::string> distinct(ids.begin(), ids.end());
  std::string sql = Select(kPairColumns, "FROM pairs WHERE link = ? AND ");
  sql += column;
  sql += " IN (?";
  for (size_t i = 1; i < kInChunk; ++i) sql += ", ?";
  sql += ')';
  std::lock_guard lock(mu_);
  std::vector<Pair> out;
  std::vector<std::string> chunk;
  for (auto it = distinct.begin(); it != distinct.end();) {
    chunk.clear();
    for (; it != distinct.end() && chunk.size() < kInChunk; ++it) chunk.push_back(*it);
    chunk.resize(kInChunk, chunk.back());
    auto st = db_.Prepare(op, sql);
    if (!st.ok()) return st.status();
    st->Bind(link).BindTexts(2, chunk);
    if (Status s = AppendRows(*st, ReadPair, out); !s.ok()) return s;
  }
  return out;
}

Result<std::vector<Pair>> SqliteStateStore::PairsByDefenderIds(const std::string& link,
                                                               const std::vector<std::string>& ids) {
  return PairsWhereIn("PairsByDefenderIds", "defender_id", link, ids);
}

Result<std::vector<Pair>> SqliteStateStore::PairsBySentinelIds(const std::string& link,
                                                               const std::vector<std::string>& ids) {
  std::vector<std::string> named;
  for (const auto& id : ids) {
    if (!id.empty()) named.push_back(id);  // a pair without a twin name is no match for ""
  }
  // The twin-name index holds named pairs only: the term lets SQLite use it.
  return PairsWhereIn("PairsBySentinelIds", "sentinel_id <> '' AND sentinel_id", link, named);
}

Result<std::vector<Pair>> SqliteStateStore::PairsByMarkers(const std::string& link,
                                                           const std::vector<std::string>& ids) {
  std::vector<std::string> named;
  for (const auto& id : ids) {
    if (!id.empty()) named.push_back(id);
  }
  return PairsWhereIn("PairsByMarkers", "marker", link, named);
}

Result<std::vector<Pair>> SqliteStateStore::PairsAfter(const std::string& link, const std::string& after,
                                                       int64_t limit) {
  std::lock_guard lock(mu_);
  return db_.Query<Pair>(
      "PairsAfter",
      Select(kPairColumns, "FROM pairs WHERE link = ? AND defender_id > ? ORDER BY defender_id LIMIT ?"),
      ReadPair, link, after, limit);
}

Result<PairBases> SqliteStateStore::Bases(const PairKey& pair) {
  std::lock_guard lock(mu_);
  PairBases bases;
  auto packed = db_.Query<std::string>(
      "Bases", "SELECT packed FROM pair_bases WHERE link = ? AND defender_id = ?", TextColumn, pair.link,
      pair.defender_id);
  if (!packed.ok()) return packed.status();
  if (packed->empty()) return bases;
  auto named = DecodeBases(packed->front());
  if (!named.ok()) return named.status().Annotate("state store " + db_.path() + ": Bases");
  for (auto& b : *named) {
    // A field this build no longer syncs: its base means nothing here.
    if (auto field = domain::ParseField(b.field)) bases.Get(b.side, *field) = std::move(b.base);
  }
  return bases;
}

Result<std::optional<ObservedSnapshot>> SqliteStateStore::Observed(const PairKey& pair, Side side) {
  std::lock_guard lock(mu_);
  return First(db_.Query<ObservedSnapshot>(
      "Observed",
      "SELECT vals, stamp_time, stamp_etag, observed_at FROM observed "
      "WHERE link = ? AND defender_id = ? AND side = ?",
      [&](Statement& st) -> Result<ObservedSnapshot> {
        auto values = DecodeValues(st.Text(0));
        if (!values.ok())
          return values.status().Annotate("state store " + db_.path() + ": Observed");
        return ObservedSnapshot{pair, side, *values, {st.Time(1), st.Text(2)}, st.Time(3)};
      },
      pair.link, pair.defender_id, SideName(side)));
}

Result<std::optional<DigestMark>> SqliteStateStore::Digest(const PairKey& pair) {
  std::lock_guard lock(mu_);
  // A pair whose digest was never written has none, rather than an empty one.
  return First(db_.Query<DigestMark>(
      "Digest",
      "SELECT digest_hash, digest_written FROM pairs WHERE link = ? AND defender_id = ? AND "
      "digest_hash <> ''",
      [&](Statement& st) -> Result<DigestMark> {
        return DigestMark{pair, st.Text(0), st.Time(1)};
      },
      pair.link, pair.defender_id));
}

Result<std::vector<OutboxEntry>> SqliteStateStore::DueWrites(Timestamp now, int64_t limit) {
  std::lock_guard lock(mu_);
  return db_.Query<OutboxEntry>(
      "DueWrites",
      Select(kOutboxColumns,
             "FROM outbox WHERE next_attempt <= ? ORDER BY next_attempt, id LIMIT ?"),
      ReadOutbox, now, limit);
}

Result<std::vector<OutboxEntry>> SqliteStateStore::LinkWrites(const std::string& link, int64_t limit,
                                                              const std::set<int64_t>& skip) {
  std::lock_guard lock(mu_);
  // outbox_by_pair's leading column serves the link filter, and holds the row ids: the ids alone
  // are read from the index, the rows only for those not skipped.
  auto ids = db_.Query<int64_t>(
      "LinkWriteIds", "SELECT id FROM outbox WHERE link = ? ORDER BY id LIMIT ?",
      [](Statement& st) -> Result<int64_t> { return st.Int(0); }, link, limit);
  if (!ids.ok()) return ids.status();
  std::vector<int64_t> wanted;
  for (int64_t id : *ids) {
    if (!skip.count(id)) wanted.push_back(id);
  }
  std::string sql = Select(kOutboxColumns, "FROM outbox WHERE id IN (?");
  for (size_t i = 1; i < kInChunk; ++i) sql += ", ?";
  sql += ") ORDER BY id";
  std::vector<OutboxEntry> out;
  for (size_t at = 0; at < wanted.size(); at += kInChunk) {
    std::vector<int64_t> chunk(wanted.begin() + static_cast<std::ptrdiff_t>(at),
                               wanted.begin() + static_cast<std::ptrdiff_t>(std::min(wanted.size(), at + kInChunk)));
    chunk.resize(kInChunk, chunk.back());
    auto st = db_.Prepare("LinkWrites", sql);
    if (!st.ok()) return st.status();
    st->BindInts(1, chunk);
    if (Status s = AppendRows(*st, ReadOutbox, out); !s.ok()) return s;
  }
  return out;
}

Result<int64_t> SqliteStateStore::OutboxDepth(const std::optional<std::string>& link) {
  std::lock_guard lock(mu_);
  std::string sql = "SELECT count(*) FROM outbox ";
  sql += link ? "WHERE link = ?1" : "WHERE ?1 = ?1";
  auto rows = db_.Query<int64_t>(
      "OutboxDepth", sql, [](Statement& st) -> Result<int64_t> { return st.Int(0); },
      link.value_or(""));
  if (!rows.ok()) return rows.status();
  return rows->empty() ? 0 : rows->front();
}

Result<std::optional<Timestamp>> SqliteStateStore::Watermark(const std::string& link, Side side) {
  std::lock_guard lock(mu_);
  return First(db_.Query<Timestamp>(
      "Watermark", "SELECT time FROM watermarks WHERE link = ? AND side = ?",
      [](Statement& st) -> Result<Timestamp> { return st.Time(0); }, link, SideName(side)));
}

Result<std::vector<Conflict>> SqliteStateStore::OpenConflicts(
    const std::optional<std::string>& link) {
  std::lock_guard lock(mu_);
  if (!link) {
    return db_.Query<Conflict>(
        "OpenConflicts",
        Select(kConflictColumns,
               "FROM conflicts WHERE resolved_at IS NULL ORDER BY time DESC, id DESC"),
        ReadConflict);
  }
  return db_.Query<Conflict>("OpenConflicts",
                             Select(kConflictColumns,
                                    "FROM conflicts WHERE resolved_at IS NULL AND link = ? "
                                    "ORDER BY time DESC, id DESC"),
                             ReadConflict, *link);
}

Result<std::vector<AuditEntry>> SqliteStateStore::AuditLog(const AuditQuery& q) {
  std::lock_guard lock(mu_);
  std::string where = "WHERE 1";
  if (q.link) where += " AND link = ?1";
  if (q.incident_id) where += " AND (defender_id = ?2 OR sentinel_id = ?2)";
  return db_.Query<AuditEntry>(
      "AuditLog",
      Select(kAuditColumns, "FROM audit " + where + " ORDER BY time DESC, id DESC LIMIT ?3"),
      ReadAudit, q.link.value_or(""), q.incident_id.value_or(""), q.limit);
}

Result<std::vector<QuarantineEntry>> SqliteStateStore::Quarantined(
    const std::optional<std::string>& link) {
  std::lock_guard lock(mu_);
  std::string where = link ? "WHERE link = ?1" : "WHERE ?1 = ?1";
  return db_.Query<QuarantineEntry>(
      "Quarantined",
      Select(kQuarantineColumns, "FROM quarantine " + where + " ORDER BY since DESC, incident_id"),
      ReadQuarantine, link.value_or(""));
}

Result<std::vector<AlertRecord>> SqliteStateStore::Alerts(const std::string& link,
                                                          const std::string& incident_id) {
  std::lock_guard lock(mu_);
  return db_.Query<AlertRecord>(
      "Alerts",
      Select(kAlertColumns,
             "FROM alerts WHERE link = ? AND incident_id = ? ORDER BY created, alert_id"),
      ReadAlert, link, incident_id);
}

Result<std::optional<std::string>> SqliteStateStore::IncidentOfAlert(const std::string& link,
                                                                     const std::string& alert_id) {
  std::lock_guard lock(mu_);
  return First(db_.Query<std::string>(
      "IncidentOfAlert", "SELECT incident_id FROM alerts WHERE link = ? AND alert_id = ?",
      TextColumn, link, alert_id));
}

Result<std::vector<CommentCopy>> SqliteStateStore::CommentCopies(const PairKey& pair) {
  std::lock_guard lock(mu_);
  auto read = [&pair](Statement& st) -> Result<CommentCopy> {
    auto side = domain::ParseSide(st.Text(0));
    if (!side) return Status(Code::kDataLoss, "comment_copies: unknown target '" + st.Text(0) + "'");
    return CommentCopy{pair, *side, st.Text(1), st.Text(2), Timestamp::FromTicks(st.Int(3))};
  };
  return db_.Query<CommentCopy>(
      "CommentCopies",
      "SELECT target, source_comment_id, target_comment_id, copied_at FROM comment_copies "
      "WHERE link = ? AND defender_id = ?",
      read, pair.link, pair.defender_id);
}

Result<std::optional<std::string>> SqliteStateStore::CopiedComment(
    const PairKey& pair, Side target, const std::string& source_comment_id) {
  std::lock_guard lock(mu_);
  return First(db_.Query<std::string>(
      "CopiedComment",
      "SELECT target_comment_id FROM comment_copies WHERE link = ? AND defender_id = ? AND "
      "target = ? AND source_comment_id = ?",
      TextColumn, pair.link, pair.defender_id, SideName(target), source_comment_id));
}

Result<std::optional<std::string>> SqliteStateStore::LinkMeta(const std::string& link,
                                                              const std::string& key) {
  std::lock_guard lock(mu_);
  return First(db_.Query<std::string>(
      "LinkMeta", "SELECT value FROM link_meta WHERE link = ? AND key = ?", TextColumn, link, key));
}

}  // namespace xdrsync::store
