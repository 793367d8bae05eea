// `xdrsync forget` in the store (spec §10): drop a link's state, or one pair's, in one transaction.
// The audit trail and the conflict journal are the record of what xdrsync did, so they stay.
#include "store/rows.h"
#include "store/sqlite_state_store.h"

namespace xdrsync::store {
namespace {

Result<int64_t> IntColumn(Statement& st) { return st.Int(0); }

// Runs `sql` (which ends in a WHERE on `link = ?`) for the whole link, or narrowed to one pair by
// appending `pair_clause` (bound to the Defender id).
class Scoped {
 public:
  Scoped(Db& db, std::string_view op, const ForgetScope& scope) : db_(db), op_(op), scope_(scope) {}

  Result<int64_t> Count(const std::string& sql, const std::string& pair_clause) {
    auto rows = scope_.defender_id
                    ? db_.Query<int64_t>(op_, sql + pair_clause, IntColumn, scope_.link, *scope_.defender_id)
                    : db_.Query<int64_t>(op_, sql, IntColumn, scope_.link);
    if (!rows.ok()) return rows.status();
    return rows->empty() ? 0 : rows->front();
  }

  Status Exec(const std::string& sql, const std::string& pair_clause) {
    if (!scope_.defender_id) return db_.Exec(op_, sql, scope_.link);
    return db_.Exec(op_, sql + pair_clause, scope_.link, *scope_.defender_id);
  }

  Status Resolve(Timestamp now) {
    const std::string sql =
        "UPDATE conflicts SET resolved_at = ?, resolution = 'forgotten' WHERE resolved_at IS NULL AND link = ?";
    if (!scope_.defender_id) return db_.Exec(op_, sql, now, scope_.link);
    return db_.Exec(op_, sql + " AND defender_id = ?", now, scope_.link, *scope_.defender_id);
  }

 private:
  Db& db_;
  std::string_view op_;
  const ForgetScope& scope_;
};

}  // namespace

Result<ForgetSummary> ForgetRows(Db& db, std::string_view op, const ForgetScope& scope, bool dry_run,
                                 Timestamp now) {
  ForgetSummary out;
  std::string pair_sql = "SELECT ";
  pair_sql += kPairColumns;
  pair_sql += " FROM pairs WHERE link = ?";
  auto pairs = scope.defender_id
                   ? db.Query<Pair>(op, pair_sql + " AND defender_id = ?", ReadPair, scope.link, *scope.defender_id)
                   : db.Query<Pair>(op, pair_sql + " ORDER BY defender_id", ReadPair, scope.link);
  if (!pairs.ok()) return pairs.status();
  out.pairs = std::move(*pairs);
  // A pair's quarantine entries: its Defender incident, and its twin by name.
  const std::string twin = out.pairs.empty() ? std::string() : out.pairs.front().sentinel_id;
  const std::string quarantine_clause =
      " AND ((side = 'defender' AND incident_id = ?) OR (side = 'sentinel' AND incident_id = ? AND ? <> ''))";
  Scoped s(db, op, scope);
  auto outbox = s.Count("SELECT count(*) FROM outbox WHERE link = ?", " AND defender_id = ?");
  if (!outbox.ok()) return outbox.status();
  out.outbox_rows = *outbox;
  auto quarantined = scope.defender_id
                         ? db.Query<int64_t>(op, "SELECT count(*) FROM quarantine WHERE link = ?" + quarantine_clause,
                                             IntColumn, scope.link, *scope.defender_id, twin, twin)
                         : db.Query<int64_t>(op, "SELECT count(*) FROM quarantine WHERE link = ?", IntColumn, scope.link);
  if (!quarantined.ok()) return quarantined.status();
  out.quarantined = quarantined->empty() ? 0 : quarantined->front();
  auto conflicts = s.Count("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL AND link = ?", " AND defender_id = ?");
  if (!conflicts.ok()) return conflicts.status();
  out.open_conflicts = *conflicts;
  if (!scope.defender_id) {
    auto link_rows = s.Count("SELECT (SELECT count(*) FROM watermarks WHERE link = ?1) + "
                             "(SELECT count(*) FROM link_meta WHERE link = ?1)",
                             "");
    if (!link_rows.ok()) return link_rows.status();
    out.link_rows = *link_rows;
  }
  if (dry_run) return out;

  Status st = s.Resolve(now);
  if (st.ok()) st = s.Exec("DELETE FROM outbox WHERE link = ?", " AND defender_id = ?");
  if (st.ok()) st = s.Exec("DELETE FROM alerts WHERE link = ?", " AND incident_id = ?");
  if (st.ok() && scope.defender_id) {
    st = db.Exec(op, "DELETE FROM quarantine WHERE link = ?" + quarantine_clause, scope.link, *scope.defender_id, twin,
                 twin);
    if (st.ok()) st = db.Exec(op, "DELETE FROM link_meta WHERE link = ? AND key = ?", scope.link, "gone:" + *scope.defender_id);
  } else if (st.ok()) {
    st = db.Exec(op, "DELETE FROM quarantine WHERE link = ?", scope.link);
    if (st.ok()) st = db.Exec(op, "DELETE FROM watermarks WHERE link = ?", scope.link);
    if (st.ok()) st = db.Exec(op, "DELETE FROM link_meta WHERE link = ?", scope.link);
  }
  // Bases, snapshots and comment provenance go with their pair (ON DELETE CASCADE).
  if (st.ok()) st = s.Exec("DELETE FROM pairs WHERE link = ?", " AND defender_id = ?");
  if (!st.ok()) return st;
  return out;
}

Result<ForgetSummary> SqliteStateStore::Forget(const ForgetScope& scope, bool dry_run, Timestamp now,
                                               const std::string& cause) {
  std::lock_guard lock(mu_);
  constexpr const char* op = "Forget";
  ForgetSummary summary;
  Status s = InTransaction(op, [&]() -> Status {
    auto dropped = ForgetRows(db_, op, scope, dry_run, now);
    if (!dropped.ok()) return dropped.status();
    summary = std::move(*dropped);
    if (dry_run) return Status::Ok();
    for (const Pair& p : summary.pairs) {
      Status a = AddAudit(db_, op,
                          {0, now, p.key.link, p.key.defender_id, p.sentinel_id, "pair", Direction::kDefenderToSentinel,
                           std::string(PairStateName(p.state)), "forgotten", cause});
      if (!a.ok()) return a;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return summary;
}

}  // namespace xdrsync::store
