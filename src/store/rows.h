// Row-level statements shared by the store's operations: one writer per record kind (each a single
// statement, to be run inside the caller's transaction) and one reader per row shape. `op` names
// the public operation, so an error says "RecordDecision", not "insert into bases".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite_handle.h"
#include "xdrsync/store/records.h"
#include "xdrsync/store/state_store.h"

namespace xdrsync::store {

Status PutPair(Db& db, std::string_view op, const Pair& p);
// Moves bases within each pair's packed row (packed_bases.h), in the order given.
Status PutBases(Db& db, std::string_view op, const std::vector<BaseMove>& moves);
Status PutObserved(Db& db, std::string_view op, const ObservedSnapshot& o);
Status AddOutbox(Db& db, std::string_view op, const OutboxEntry& e);
Status AddConflict(Db& db, std::string_view op, const Conflict& c);
Status AddAudit(Db& db, std::string_view op, const AuditEntry& a);
Status ApplyAlert(Db& db, std::string_view op, const AlertChange& c);
Status AddCommentCopy(Db& db, std::string_view op, const CommentCopy& c);
Status ApplyQuarantine(Db& db, std::string_view op, const QuarantineChange& c);
Status ApplyLinkMeta(Db& db, std::string_view op, const LinkMetaChange& c);
Status PutDigest(Db& db, std::string_view op, const DigestMark& d);
Status PutSeen(Db& db, std::string_view op, const SeenMark& m);
Status RaiseWatermark(Db& db, std::string_view op, const WatermarkAdvance& w);
// The bodies of RecordDecision, ConfirmWrite and FailWrite, inside the caller's transaction.
Status DecisionRows(Db& db, std::string_view op, const Decision& d, std::vector<int64_t>* outbox_ids);
Status ConfirmRows(Db& db, std::string_view op, const WriteBatch::Confirm& c);
Status FailRows(Db& db, std::string_view op, const WriteBatch::Fail& f);
// Counts, and unless `dry_run` drops, the state of `scope` (StateStore::Forget without the audit
// rows), inside the caller's transaction.
Result<ForgetSummary> ForgetRows(Db& db, std::string_view op, const ForgetScope& scope, bool dry_run,
                                 Timestamp now);

// Column lists the readers expect, in order, for use in SELECTs.
inline constexpr std::string_view kPairColumns =
    "link, defender_id, sentinel_id, state, redirect_target, way, marker, created, updated, seen_defender, "
    "seen_sentinel, seen_open";
inline constexpr std::string_view kOutboxColumns =
    "id, link, defender_id, target, kind, payload, created, next_attempt, attempts, last_error";
inline constexpr std::string_view kConflictColumns =
    "id, time, link, defender_id, field, defender_value, sentinel_value, defender_time, "
    "sentinel_time, defender_modified_by, sentinel_modified_by, policy, decision, resolved_at, "
    "resolution";
inline constexpr std::string_view kAuditColumns =
    "id, time, link, defender_id, sentinel_id, field, direction, old_value, new_value, cause";
inline constexpr std::string_view kQuarantineColumns =
    "link, side, incident_id, field, error, attempts, since, updated";
inline constexpr std::string_view kAlertColumns =
    "alert_id, incident_id, title, severity, status, service_source, created, web_link";

Result<Pair> ReadPair(Statement& st);
Result<OutboxEntry> ReadOutbox(Statement& st);
Result<Conflict> ReadConflict(Statement& st);
Result<AuditEntry> ReadAudit(Statement& st);
Result<QuarantineEntry> ReadQuarantine(Statement& st);
Result<AlertRecord> ReadAlert(Statement& st);

// Stored text that no longer parses as the enum it should hold: the database was edited or damaged.
Status BadStoredValue(std::string_view what, std::string_view value);
Result<Side> ReadSide(const Statement& st, int col);

// The observed values as one self-describing blob ("<field> <length>:<bytes>" per field), so a
// field added later simply reads as empty from older snapshots.
std::string EncodeValues(const domain::FieldValues& values);
Result<domain::FieldValues> DecodeValues(std::string_view blob);

}  // namespace xdrsync::store
