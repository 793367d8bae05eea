#include "xdrsync/store/store_batch.h"

#include <utility>

namespace xdrsync::store {

StoreBatch::~StoreBatch() { (void)Commit(); }

Status StoreBatch::Record(Decision d) {
  if (!d.outbox.empty()) {
    return InvalidArgument("StoreBatch: a decision with outbox rows is an intent; record it with RecordDecision");
  }
  batch_.ops.emplace_back(std::move(d));
  return Queued();
}

Status StoreBatch::Confirm(int64_t outbox_id, std::vector<BaseMove> bases, std::vector<AuditEntry> audit,
                           std::vector<CommentCopy> provenance) {
  batch_.ops.emplace_back(WriteBatch::Confirm{outbox_id, std::move(bases), std::move(audit), std::move(provenance)});
  return Queued();
}

Status StoreBatch::Fail(int64_t outbox_id, std::string error, Timestamp next_attempt) {
  batch_.ops.emplace_back(WriteBatch::Fail{outbox_id, std::move(error), next_attempt});
  return Queued();
}

Status StoreBatch::Queued() {
  const auto now = std::chrono::steady_clock::now();
  if (batch_.ops.size() == 1) oldest_ = now;
  if (batch_.ops.size() >= limits_.max_ops || now - oldest_ >= limits_.max_age) return Commit();
  return Status::Ok();
}

Status StoreBatch::Commit() {
  if (batch_.ops.empty()) return Status::Ok();
  WriteBatch batch = std::exchange(batch_, WriteBatch{});
  auto outcome = store_.Apply(batch);
  if (!outcome.ok()) return outcome.status();
  ++commits_;
  not_pending_ += outcome->not_pending;
  if (outcome->refused > 0) {
    return FailedPrecondition(std::to_string(outcome->refused) + " batched store op(s) refused, the rest committed; first: " +
                              outcome->first_refusal);
  }
  return Status::Ok();
}

}  // namespace xdrsync::store
