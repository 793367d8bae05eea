// A StateStore that forwards to a real one and counts the pair rows each cycle reads from it: how
// a test sees that a cycle loads only the pairs it needs.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "xdrsync/store/state_store.h"

namespace xdrsync::engine::testing {

class CountingStore final : public store::StateStore {
 public:
  explicit CountingStore(store::StateStore& real) : real_(real) {}

  int64_t pair_rows_read = 0;  // pairs handed out by any pair read
  int64_t largest_read = 0;    // the most pairs one call handed out
  int64_t whole_link_reads = 0;

  using StateStore::RecordDecision;
  Status RecordDecision(const store::Decision& d, std::vector<int64_t>* ids) override {
    return real_.RecordDecision(d, ids);
  }
  Status ConfirmWrite(int64_t id, const std::vector<store::BaseMove>& b, const std::vector<store::AuditEntry>& a,
                      const std::vector<store::CommentCopy>& p) override {
    return real_.ConfirmWrite(id, b, a, p);
  }
  Status FailWrite(int64_t id, std::string e, Timestamp next) override { return real_.FailWrite(id, std::move(e), next); }
  Status DeadLetter(int64_t id, std::string e, Timestamp now) override { return real_.DeadLetter(id, std::move(e), now); }
  Result<store::BatchOutcome> Apply(const store::WriteBatch& b) override { return real_.Apply(b); }
  Status AdvanceWatermark(const std::string& l, store::Side s, Timestamp t) override { return real_.AdvanceWatermark(l, s, t); }
  Status ResolveConflict(int64_t id, Timestamp at, std::string r) override {
    return real_.ResolveConflict(id, at, std::move(r));
  }
  Status Quarantine(const store::QuarantineEntry& e) override { return real_.Quarantine(e); }
  Status ClearQuarantine(const std::string& l, store::Side s, const std::string& id, const std::string& f) override {
    return real_.ClearQuarantine(l, s, id, f);
  }
  Status SetLinkMeta(const std::string& l, const std::string& k, std::optional<std::string> v) override {
    return real_.SetLinkMeta(l, k, std::move(v));
  }
  Result<store::ForgetSummary> Forget(const store::ForgetScope& s, bool dry, Timestamp now,
                                      const std::string& cause) override {
    return real_.Forget(s, dry, now, cause);
  }

  Result<std::vector<store::Pair>> Pairs(const std::string& l) override {
    ++whole_link_reads;
    return Count(real_.Pairs(l));
  }
  Result<std::optional<store::Pair>> PairByDefenderId(const std::string& l, const std::string& id) override {
    return CountOne(real_.PairByDefenderId(l, id));
  }
  Result<std::optional<store::Pair>> PairBySentinelId(const std::string& l, const std::string& id) override {
    return CountOne(real_.PairBySentinelId(l, id));
  }
  Result<std::vector<store::Pair>> PairsByDefenderIds(const std::string& l, const std::vector<std::string>& ids) override {
    return Count(real_.PairsByDefenderIds(l, ids));
  }
  Result<std::vector<store::Pair>> PairsBySentinelIds(const std::string& l, const std::vector<std::string>& ids) override {
    return Count(real_.PairsBySentinelIds(l, ids));
  }
  Result<std::vector<store::Pair>> PairsByMarkers(const std::string& l, const std::vector<std::string>& ids) override {
    return Count(real_.PairsByMarkers(l, ids));
  }
  Result<std::vector<store::Pair>> PairsAfter(const std::string& l, const std::string& after, int64_t limit) override {
    return Count(real_.PairsAfter(l, after, limit));
  }
  Result<store::PairBases> Bases(const store::PairKey& p) override { return real_.Bases(p); }
  Result<std::optional<store::ObservedSnapshot>> Observed(const store::PairKey& p, store::Side s) override {
    return real_.Observed(p, s);
  }
  Result<std::optional<store::DigestMark>> Digest(const store::PairKey& p) override { return real_.Digest(p); }
  Result<std::vector<store::OutboxEntry>> DueWrites(Timestamp now, int64_t limit) override {
    return real_.DueWrites(now, limit);
  }
  Result<std::vector<store::OutboxEntry>> LinkWrites(const std::string& l, int64_t limit,
                                                     const std::set<int64_t>& skip) override {
    return real_.LinkWrites(l, limit, skip);
  }
  Result<int64_t> OutboxDepth(const std::optional<std::string>& l) override { return real_.OutboxDepth(l); }
  Result<std::optional<Timestamp>> Watermark(const std::string& l, store::Side s) override { return real_.Watermark(l, s); }
  Result<std::vector<store::Conflict>> OpenConflicts(const std::optional<std::string>& l) override {
    return real_.OpenConflicts(l);
  }
  Result<std::vector<store::AuditEntry>> AuditLog(const store::AuditQuery& q) override { return real_.AuditLog(q); }
  Result<std::vector<store::QuarantineEntry>> Quarantined(const std::optional<std::string>& l) override {
    return real_.Quarantined(l);
  }
  Result<std::vector<store::AlertRecord>> Alerts(const std::string& l, const std::string& id) override {
    return real_.Alerts(l, id);
  }
  Result<std::optional<std::string>> IncidentOfAlert(const std::string& l, const std::string& a) override {
    return real_.IncidentOfAlert(l, a);
  }
  Result<std::vector<store::CommentCopy>> CommentCopies(const store::PairKey& p) override { return real_.CommentCopies(p); }
  Result<std::optional<std::string>> CopiedComment(const store::PairKey& p, store::Side t, const std::string& c) override {
    return real_.CopiedComment(p, t, c);
  }
  Result<std::optional<std::string>> LinkMeta(const std::string& l, const std::string& k) override {
    return real_.LinkMeta(l, k);
  }
  Status IntegrityCheck() override { return real_.IntegrityCheck(); }

 private:
  Result<std::vector<store::Pair>> Count(Result<std::vector<store::Pair>> r) {
    if (r.ok()) {
      pair_rows_read += static_cast<int64_t>(r->size());
      largest_read = std::max(largest_read, static_cast<int64_t>(r->size()));
    }
    return r;
  }
  Result<std::optional<store::Pair>> CountOne(Result<std::optional<store::Pair>> r) {
    if (r.ok() && r->has_value()) {
      ++pair_rows_read;
      largest_read = std::max<int64_t>(largest_read, 1);
    }
    return r;
  }

  store::StateStore& real_;
};

}  // namespace xdrsync::engine::testing
