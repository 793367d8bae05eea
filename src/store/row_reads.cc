#include <charconv>

#include "store/rows.h"

namespace xdrsync::store {

using domain::FieldName;
using domain::ParseSide;

Status BadStoredValue(std::string_view what, std::string_view value) {
  return Status(Code::kDataLoss,
                "stored " + std::string(what) + " '" + std::string(value) + "' is not valid");
}

Result<Side> ReadSide(const Statement& st, int col) {
  std::string text = st.Text(col);
  auto side = ParseSide(text);
  if (!side) return BadStoredValue("side", text);
  return *side;
}

Result<Pair> ReadPair(Statement& st) {
  Pair p;
  p.key.link = st.Text(0);
  p.key.defender_id = st.Text(1);
  p.sentinel_id = st.Text(2);
  std::string state = st.Text(3);
  auto parsed_state = ParsePairState(state);
  if (!parsed_state) return BadStoredValue("pair state", state);
  p.state = *parsed_state;
  p.redirect_target = st.Text(4);
  std::string way = st.Text(5);
  auto parsed_way = ParseCreationWay(way);
  if (!parsed_way) return BadStoredValue("creation way", way);
  p.way = *parsed_way;
  p.marker = st.Text(6);
  p.created = st.Time(7);
  p.updated = st.Time(8);
  p.seen_defender = st.Time(9);
  p.seen_sentinel = st.Text(10);
  p.seen_open = static_cast<int>(st.Int(11));
  return p;
}

Result<OutboxEntry> ReadOutbox(Statement& st) {
  OutboxEntry e;
  e.id = st.Int(0);
  e.pair = {st.Text(1), st.Text(2)};
  auto target = ReadSide(st, 3);
  if (!target.ok()) return target.status();
  e.target = *target;
  e.kind = st.Text(4);
  e.payload = st.Text(5);
  e.created = st.Time(6);
  e.next_attempt = st.Time(7);
  e.attempts = st.Int(8);
  e.last_error = st.Text(9);
  return e;
}

Result<Conflict> ReadConflict(Statement& st) {
  Conflict c;
  c.id = st.Int(0);
  c.time = st.Time(1);
  c.pair = {st.Text(2), st.Text(3)};
  c.field = st.Text(4);
  c.defender_value = st.Text(5);
  c.sentinel_value = st.Text(6);
  c.defender_time = st.Time(7);
  c.sentinel_time = st.Time(8);
  c.defender_modified_by = st.Text(9);
  c.sentinel_modified_by = st.Text(10);
  c.policy = st.Text(11);
  c.decision = st.Text(12);
  if (!st.IsNull(13)) c.resolved_at = st.Time(13);
  c.resolution = st.Text(14);
  return c;
}

Result<AuditEntry> ReadAudit(Statement& st) {
  AuditEntry a;
  a.id = st.Int(0);
  a.time = st.Time(1);
  a.link = st.Text(2);
  a.defender_id = st.Text(3);
  a.sentinel_id = st.Text(4);
  a.field = st.Text(5);
  std::string direction = st.Text(6);
  auto parsed = ParseDirection(direction);
  if (!parsed) return BadStoredValue("direction", direction);
  a.direction = *parsed;
  a.old_value = st.Text(7);
  a.new_value = st.Text(8);
  a.cause = st.Text(9);
  return a;
}

Result<QuarantineEntry> ReadQuarantine(Statement& st) {
  QuarantineEntry e;
  e.link = st.Text(0);
  auto side = ReadSide(st, 1);
  if (!side.ok()) return side.status();
  e.side = *side;
  e.incident_id = st.Text(2);
  e.field = st.Text(3);
  e.error = st.Text(4);
  e.attempts = st.Int(5);
  e.since = st.Time(6);
  e.updated = st.Time(7);
  return e;
}

Result<AlertRecord> ReadAlert(Statement& st) {
  return AlertRecord{st.Text(0), st.Text(1), st.Text(2), st.Text(3),
                     st.Text(4), st.Text(5), st.Time(6), st.Text(7)};
}

std::string EncodeValues(const domain::FieldValues& values) {
  std::string out;
  for (Field f : domain::kAllFields) {
    const std::string& v = values[f];
    out += FieldName(f);
    out += ' ';
    out += std::to_string(v.size());
    out += ':';
    out += v;
  }
  return out;
}

Result<domain::FieldValues> DecodeValues(std::string_view blob) {
  domain::FieldValues values;
  while (!blob.empty()) {
    size_t space = blob.find(' ');
    size_t colon = blob.find(':');
    if (space == std::string_view::npos || colon == std::string_view::npos || colon < space) {
      return BadStoredValue("observed snapshot", blob.substr(0, 40));
    }
    size_t length = 0;
    const char* begin = blob.data() + space + 1;
    const char* end = blob.data() + colon;
    auto [ptr, ec] = std::from_chars(begin, end, length);
    if (ec != std::errc() || ptr != end || length > blob.size() - colon - 1) {
      return BadStoredValue("observed snapshot", blob.substr(0, 40));
    }
    // A field this build does not know (written by a newer one) is skipped, not an error.
    if (auto field = domain::ParseField(blob.substr(0, space))) {
      values[*field] = std::string(blob.substr(colon + 1, length));
    }
    blob.remove_prefix(colon + 1 + length);
  }
  return values;
}

}  // namespace xdrsync::store
