// The decision the crash child records for each sequence number, and the row counts the crash test
// expects to find for it: a decision is intact exactly when every one of its rows is there.
#pragma once

#include <cstdint>
#include <string>

#include "xdrsync/store/state_store.h"

namespace xdrsync::store::testing {

inline constexpr const char* kCrashLink = "crash";
inline constexpr const char* kConfirmLink = "crash-confirm";
inline constexpr int64_t kCrashPairs = 3;

// Every row of decision `seq` carries "<seq>/" at the start of its Defender id.
inline std::string CrashId(int64_t seq, int64_t k) {
  return std::to_string(seq) + "/" + std::to_string(k);
}

inline Decision CrashDecision(int64_t seq) {
  Decision d;
  const Timestamp now = Timestamp::FromTicks(seq);
  for (int64_t k = 0; k < kCrashPairs; ++k) {
    Pair p;
    p.key = {kCrashLink, CrashId(seq, k)};
    p.sentinel_id = "s-" + CrashId(seq, k);
    p.created = now;
    p.updated = now;
    d.pairs.push_back(p);
    d.bases.push_back(
        {p.key, domain::Side::kDefender, domain::Field::kStatus, {"active", {now, ""}, false}});
    d.bases.push_back({p.key,
                       domain::Side::kSentinel,
                       domain::Field::kStatus,
                       {"New", {now, "etag-" + std::to_string(seq)}, true}});
    domain::FieldValues values;
    values[domain::Field::kTitle] = "incident " + CrashId(seq, k);
    d.observed.push_back({p.key, domain::Side::kDefender, values, {now, ""}, now});
    OutboxEntry e;
    e.pair = p.key;
    e.target = domain::Side::kSentinel;
    e.kind = "put";
    e.payload = std::string(200, 'x');
    e.created = now;
    e.next_attempt = now;
    d.outbox.push_back(e);
  }
  AuditEntry a;
  a.time = now;
  a.link = kCrashLink;
  a.defender_id = CrashId(seq, 0);
  a.sentinel_id = "s-" + CrashId(seq, 0);
  a.field = "create";
  a.cause = "crash test";
  d.audit.push_back(a);
  d.link_meta.push_back({kCrashLink, "seq", std::to_string(seq)});
  d.watermarks.push_back({kCrashLink, domain::Side::kDefender, now});
  return d;
}

// The batch that confirms decision `seq`'s writes (`ids`, in its pairs' order): every row of it
// carries the sequence number like the decision's own.
inline WriteBatch CrashConfirmations(int64_t seq, const std::vector<int64_t>& ids) {
  WriteBatch b;
  const Timestamp now = Timestamp::FromTicks(seq);
  for (size_t k = 0; k < ids.size(); ++k) {
    const PairKey key{kCrashLink, CrashId(seq, static_cast<int64_t>(k))};
    AuditEntry a;
    a.time = now;
    a.link = kConfirmLink;  // apart from the decision's own rows, which are counted by link
    a.defender_id = key.defender_id;
    a.field = "confirm";
    a.cause = "crash test";
    b.ops.emplace_back(WriteBatch::Confirm{
        ids[k], {{key, domain::Side::kSentinel, domain::Field::kTitle, {"confirmed", {now, "c"}, true}}}, {a}, {}});
  }
  b.ops.emplace_back(Decision{.link_meta = {{kCrashLink, "confirmed", std::to_string(seq)}}});
  return b;
}

}  // namespace xdrsync::store::testing
