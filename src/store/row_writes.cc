#include <map>

#include "store/packed_bases.h"
#include "store/rows.h"

namespace xdrsync::store {

using domain::FieldName;
using domain::SideName;

Status PutPair(Db& db, std::string_view op, const Pair& p) {
  // The first `created` is kept: it is when the pair began, whatever the caller rebuilt.
  Status s = db.Exec(
      op,
      "INSERT INTO pairs (link, defender_id, sentinel_id, state, redirect_target, way, "
      "marker, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (link, defender_id) DO UPDATE SET sentinel_id = excluded.sentinel_id, "
      "state = excluded.state, redirect_target = excluded.redirect_target, "
      "way = excluded.way, marker = excluded.marker, updated = excluded.updated",
      p.key.link, p.key.defender_id, p.sentinel_id, PairStateName(p.state), p.redirect_target,
      CreationWayName(p.way), p.marker, p.created, p.updated);
  // The snapshots serve a creation until it is confirmed (twin recovery, adoption); then they go.
  if (s.ok() && p.state != PairState::kCreatePending) {
    s = db.Exec(op, "DELETE FROM observed WHERE link = ? AND defender_id = ?", p.key.link, p.key.defender_id);
  }
  return s;
}

Result<std::vector<NamedBase>> ReadBases(Db& db, std::string_view op, const PairKey& pair) {
  auto blobs = db.Query<std::string>(
      op, "SELECT packed FROM pair_bases WHERE link = ? AND defender_id = ?",
      [](Statement& st) -> Result<std::string> { return st.Text(0); }, pair.link, pair.defender_id);
  if (!blobs.ok()) return blobs.status();
  if (blobs->empty()) return std::vector<NamedBase>{};
  auto bases = DecodeBases(blobs->front());
  if (!bases.ok()) return bases.status().Annotate("state store " + db.path() + ": " + std::string(op));
  return bases;
}

Status PutBases(Db& db, std::string_view op, const std::vector<BaseMove>& moves) {
  // One read-modify-write of each pair's row, the moves applied in their order; the pairs in the
  // order of their first move. Grouped in one pass: a decision of a thousand changes moves six
  // thousand bases.
  std::vector<std::pair<const PairKey*, std::vector<const BaseMove*>>> groups;
  std::map<std::pair<std::string_view, std::string_view>, size_t> group_of;
  for (const auto& m : moves) {
    auto [it, added] = group_of.try_emplace({m.pair.link, m.pair.defender_id}, groups.size());
    if (added) groups.push_back({&m.pair, {}});
    groups[it->second].second.push_back(&m);
  }
  for (const auto& [key_ptr, list] : groups) {
    const PairKey& key = *key_ptr;
    auto bases = ReadBases(db, op, key);
    if (!bases.ok()) return bases.status();
    for (const BaseMove* m : list) SetBase(*bases, m->side, FieldName(m->field), m->base);
    Status s = db.Exec(op,
                       "INSERT INTO pair_bases (link, defender_id, packed) VALUES (?, ?, ?) "
                       "ON CONFLICT (link, defender_id) DO UPDATE SET packed = excluded.packed",
                       key.link, key.defender_id, EncodeBases(*bases));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status PutObserved(Db& db, std::string_view op, const ObservedSnapshot& o) {
  return db.Exec(op,
                 "INSERT INTO observed (link, defender_id, side, vals, stamp_time, stamp_etag, "
                 "observed_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (link, defender_id, side) DO UPDATE SET vals = excluded.vals, "
                 "stamp_time = excluded.stamp_time, stamp_etag = excluded.stamp_etag, "
                 "observed_at = excluded.observed_at",
                 o.pair.link, o.pair.defender_id, SideName(o.side), EncodeValues(o.values),
                 o.stamp.time, o.stamp.etag, o.observed_at);
}

Status AddOutbox(Db& db, std::string_view op, const OutboxEntry& e) {
  return db.Exec(op,
                 "INSERT INTO outbox (link, defender_id, target, kind, payload, created, "
                 "next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 e.pair.link, e.pair.defender_id, SideName(e.target), e.kind, e.payload, e.created,
                 e.next_attempt);
}

Status AddConflict(Db& db, std::string_view op, const Conflict& c) {
  // DO NOTHING fires only on the open-conflict unique index: the same conflict seen again.
  return db.Exec(
      op,
      "INSERT INTO conflicts (time, link, defender_id, field, defender_value, "
      "sentinel_value, defender_time, sentinel_time, defender_modified_by, "
      "sentinel_modified_by, policy, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT DO NOTHING",
      c.time, c.pair.link, c.pair.defender_id, c.field, c.defender_value, c.sentinel_value,
      c.defender_time, c.sentinel_time, c.defender_modified_by, c.sentinel_modified_by, c.policy,
      c.decision);
}

Status AddAudit(Db& db, std::string_view op, const AuditEntry& a) {
  return db.Exec(op,
                 "INSERT INTO audit (time, link, defender_id, sentinel_id, field, direction, "
                 "old_value, new_value, cause) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 a.time, a.link, a.defender_id, a.sentinel_id, a.field, DirectionName(a.direction),
                 a.old_value, a.new_value, a.cause);
}

Status ApplyAlert(Db& db, std::string_view op, const AlertChange& c) {
  const AlertRecord& a = c.alert;
  if (c.removed) {
    return db.Exec(op, "DELETE FROM alerts WHERE link = ? AND alert_id = ?", c.link, a.alert_id);
  }
  return db.Exec(op,
                 "INSERT INTO alerts (link, alert_id, incident_id, title, severity, status, "
                 "service_source, created, web_link) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (link, alert_id) DO UPDATE SET incident_id = excluded.incident_id, "
                 "title = excluded.title, severity = excluded.severity, status = excluded.status, "
                 "service_source = excluded.service_source, created = excluded.created, "
                 "web_link = excluded.web_link",
                 c.link, a.alert_id, a.incident_id, a.title, a.severity, a.status, a.service_source,
                 a.created, a.web_link);
}

Status AddCommentCopy(Db& db, std::string_view op, const CommentCopy& c) {
  // A copy recorded twice (a replayed confirmation) keeps its first record.
  return db.Exec(op,
                 "INSERT INTO comment_copies (link, defender_id, target, source_comment_id, "
                 "target_comment_id, copied_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                 c.pair.link, c.pair.defender_id, SideName(c.target), c.source_comment_id,
                 c.target_comment_id, c.copied_at);
}

Status ApplyQuarantine(Db& db, std::string_view op, const QuarantineChange& c) {
  const QuarantineEntry& e = c.entry;
  if (c.clear) {
    return db.Exec(op,
                   "DELETE FROM quarantine WHERE link = ? AND side = ? AND incident_id = ? AND "
                   "field = ?",
                   e.link, SideName(e.side), e.incident_id, e.field);
  }
  return db.Exec(
      op,
      "INSERT INTO quarantine (link, side, incident_id, field, error, attempts, since, "
      "updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (link, side, incident_id, field) DO UPDATE SET error = excluded.error, "
      "attempts = excluded.attempts, updated = excluded.updated",
      e.link, SideName(e.side), e.incident_id, e.field, e.error, e.attempts, e.since, e.updated);
}

Status ApplyLinkMeta(Db& db, std::string_view op, const LinkMetaChange& c) {
  if (!c.value) {
    return db.Exec(op, "DELETE FROM link_meta WHERE link = ? AND key = ?", c.link, c.key);
  }
  return db.Exec(op,
                 "INSERT INTO link_meta (link, key, value) VALUES (?, ?, ?) "
                 "ON CONFLICT (link, key) DO UPDATE SET value = excluded.value",
                 c.link, c.key, *c.value);
}

Status PutSeen(Db& db, std::string_view op, const SeenMark& m) {
  // A pair gone since (forgotten, say) has nothing to remember: no error.
  return db.Exec(op,
                 "UPDATE pairs SET seen_defender = ?, seen_sentinel = ?, seen_open = ? WHERE link = ? AND "
                 "defender_id = ?",
                 m.defender, m.sentinel, static_cast<int64_t>(m.open), m.pair.link, m.pair.defender_id);
}

Status PutDigest(Db& db, std::string_view op, const DigestMark& d) {
  Status s = db.Exec(op,
                     "UPDATE pairs SET digest_hash = ?, digest_written = ? WHERE link = ? AND "
                     "defender_id = ?",
                     d.hash, d.written, d.pair.link, d.pair.defender_id);
  if (!s.ok()) return s;
  if (db.Changes() == 0) {
    return db.Fail(Code::kFailedPrecondition, op,
                   "digest for unknown pair " + d.pair.link + "/" + d.pair.defender_id);
  }
  return Status::Ok();
}

Status RaiseWatermark(Db& db, std::string_view op, const WatermarkAdvance& w) {
  // max(): a late advance from an older capture must not undo a newer one (spec §8).
  if (w.lower) {
    return db.Exec(op,
                   "INSERT INTO watermarks (link, side, time) VALUES (?, ?, ?) "
                   "ON CONFLICT (link, side) DO UPDATE SET time = excluded.time",
                   w.link, SideName(w.side), w.time);
  }
  return db.Exec(op,
                 "INSERT INTO watermarks (link, side, time) VALUES (?, ?, ?) "
                 "ON CONFLICT (link, side) DO UPDATE SET time = max(time, excluded.time)",
                 w.link, SideName(w.side), w.time);
}

}  // namespace xdrsync::store
