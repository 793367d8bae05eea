// The bodies of the store's mutating calls, each run inside the caller's transaction: a single call
// (RecordDecision, ConfirmWrite, FailWrite) wraps one in a transaction of its own, Apply runs many
// in one.
#include <sqlite3.h>

#include "store/rows.h"
#include "store/sqlite_state_store.h"

namespace xdrsync::store {
namespace {

template <typename T, typename Fn>
Status ForEach(Db& db, std::string_view op, const std::vector<T>& items, Fn fn) {
  for (const T& item : items) {
    Status s = fn(db, op, item);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status NotPending(Db& db, std::string_view op, int64_t outbox_id) {
  return db.Fail(Code::kNotFound, op, "outbox row " + std::to_string(outbox_id) + " is not pending");
}

}  // namespace

Status DecisionRows(Db& db, std::string_view op, const Decision& d, std::vector<int64_t>* outbox_ids) {
  Status s = ForEach(db, op, d.forget, [&](Db& x, std::string_view o, const PairKey& key) {
    return ForgetRows(x, o, {key.link, key.defender_id}, false, d.forget_time).status();
  });
  // Pairs next: every other row of the decision may refer to one of them.
  if (s.ok()) s = ForEach(db, op, d.pairs, PutPair);
  if (s.ok()) s = PutBases(db, op, d.bases);
  if (s.ok()) s = ForEach(db, op, d.observed, PutObserved);
  for (size_t i = 0; s.ok() && i < d.outbox.size(); ++i) {
    s = AddOutbox(db, op, d.outbox[i]);
    if (s.ok() && outbox_ids) outbox_ids->push_back(sqlite3_last_insert_rowid(db.raw()));
  }
  if (s.ok()) s = ForEach(db, op, d.conflicts, AddConflict);
  if (s.ok()) s = ForEach(db, op, d.audit, AddAudit);
  if (s.ok()) s = ForEach(db, op, d.alerts, ApplyAlert);
  if (s.ok()) s = ForEach(db, op, d.comment_copies, AddCommentCopy);
  if (s.ok()) s = ForEach(db, op, d.quarantine, ApplyQuarantine);
  if (s.ok()) s = ForEach(db, op, d.link_meta, ApplyLinkMeta);
  if (s.ok()) s = ForEach(db, op, d.digests, PutDigest);
  if (s.ok()) s = ForEach(db, op, d.seen, PutSeen);
  if (s.ok()) s = ForEach(db, op, d.watermarks, RaiseWatermark);
  return s;
}

Status ConfirmRows(Db& db, std::string_view op, const WriteBatch::Confirm& c) {
  Status s = db.Exec(op, "DELETE FROM outbox WHERE id = ?", c.outbox_id);
  if (!s.ok()) return s;
  // A second confirmation of the same write must not move bases a newer decision has set.
  if (db.Changes() == 0) return NotPending(db, op, c.outbox_id);
  s = PutBases(db, op, c.bases);
  if (s.ok()) s = ForEach(db, op, c.audit, AddAudit);
  if (s.ok()) s = ForEach(db, op, c.provenance, AddCommentCopy);
  return s;
}

Status FailRows(Db& db, std::string_view op, const WriteBatch::Fail& f) {
  Status s = db.Exec(op, "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE id = ?",
                     f.error, f.next_attempt, f.outbox_id);
  if (s.ok() && db.Changes() == 0) s = NotPending(db, op, f.outbox_id);
  return s;
}

Result<BatchOutcome> SqliteStateStore::Apply(const WriteBatch& batch) {
  constexpr const char* op = "Apply";
  for (const auto& item : batch.ops) {
    if (const auto* d = std::get_if<Decision>(&item); d && !d->outbox.empty()) {
      return InvalidArgument("state store " + db_.path() +
                             ": Apply: a batched decision carries outbox rows; record intents with RecordDecision");
    }
  }
  std::lock_guard lock(mu_);
  BatchOutcome out;
  Status done = InTransaction(op, [&]() -> Status {
    for (const auto& item : batch.ops) {
      // Each op in a savepoint of its own: a row no longer pending undoes that op alone.
      if (Status s = db_.Exec(op, "SAVEPOINT batch_op"); !s.ok()) return s;
      Status s = std::visit(
          [&](const auto& x) -> Status {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Decision>) return DecisionRows(db_, op, x, nullptr);
            if constexpr (std::is_same_v<T, WriteBatch::Confirm>) return ConfirmRows(db_, op, x);
            if constexpr (std::is_same_v<T, WriteBatch::Fail>) return FailRows(db_, op, x);
          },
          item);
      if (s.code() == Code::kNotFound || s.code() == Code::kFailedPrecondition) {
        if (s.code() == Code::kNotFound) {
          ++out.not_pending;
        } else if (out.refused++ == 0) {
          out.first_refusal = s.message();
        }
        s = db_.ExecScript(op, "ROLLBACK TO batch_op");
      } else if (s.ok()) {
        ++out.applied;
      }
      if (!s.ok()) return s;
      if (Status r = db_.Exec(op, "RELEASE batch_op"); !r.ok()) return r;
    }
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return out;
}

}  // namespace xdrsync::store
