// Groups the store work that follows writes (confirmations, failures, the small decisions made
// along the way) into one transaction per batch instead of one per call.
//
// Crash safety: what is queued is durable only once Commit() returned ok. A crash before that
// loses confirmations of writes already sent; their outbox rows stay, so the pairs are re-read and
// re-planned against fresh reads, as after a crash between a write and a single ConfirmWrite.
// Intents are never queued: a Decision with outbox rows is refused (record it with RecordDecision
// before its writes are sent).
//
// Not thread-safe: one batch belongs to one thread (a link's cycle). Reads through the store do
// not see what is queued until it is committed.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "xdrsync/store/state_store.h"

namespace xdrsync::store {

struct BatchLimits {
  size_t max_ops = 256;  // committed when this many are queued
  std::chrono::milliseconds max_age{1000};  // ... or when the oldest has waited this long
};

class StoreBatch {
 public:
  explicit StoreBatch(StateStore& store, BatchLimits limits = {}) : store_(store), limits_(limits) {}
  StoreBatch(const StoreBatch&) = delete;
  StoreBatch& operator=(const StoreBatch&) = delete;
  // Commits what is still queued; a failure then is lost (call Commit() to see it).
  ~StoreBatch();

  // Queue one op; the batch is committed when it reaches its limits. The Status is that commit's
  // (ok when nothing was committed); InvalidArgument for a Decision with outbox rows.
  Status Record(Decision d);
  Status Confirm(int64_t outbox_id, std::vector<BaseMove> bases, std::vector<AuditEntry> audit,
                 std::vector<CommentCopy> provenance);
  Status Fail(int64_t outbox_id, std::string error, Timestamp next_attempt);

  // Applies what is queued in one transaction. On failure nothing of it is applied and the queue
  // is dropped (the outbox rows stay: their pairs are re-planned). FailedPrecondition when some
  // ops were refused on their own (BatchOutcome): the rest is committed.
  Status Commit();

  size_t queued() const { return batch_.ops.size(); }
  int64_t commits() const { return commits_; }
  int64_t not_pending() const { return not_pending_; }  // ops whose outbox row was already gone

 private:
  Status Queued();

  StateStore& store_;
  BatchLimits limits_;
  WriteBatch batch_;
  std::chrono::steady_clock::time_point oldest_{};
  int64_t commits_ = 0;
  int64_t not_pending_ = 0;
};

}  // namespace xdrsync::store
