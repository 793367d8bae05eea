// The records the state store keeps, in domain terms. A pair is identified within its link by its
// Defender incident id: every pair has one from the start, while the Sentinel id of a
// `defender-alert` twin is unknown until its creation is confirmed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/core/timestamp.h"
#include "xdrsync/domain/fields.h"

namespace xdrsync::store {

using domain::Field;
using domain::Side;
using domain::VersionStamp;

enum class PairState {
  kActive,
  kMerged,             // tombstone: the Defender incident was redirected to `redirect_target`
  kDeletedInSentinel,  // tombstone: the twin answered 404; only `xdrsync resync` re-creates it
  kSourceGone,         // the Defender incident answered 404 twice, a sweep apart
  kCreatePending,      // written before a create whose id we cannot choose; holds the marker uuid
};
std::string_view PairStateName(PairState s);  // "active", "merged", "deleted-in-sentinel", ...
std::optional<PairState> ParsePairState(std::string_view s);

enum class CreationWay { kArm, kDefenderAlert, kLink };
std::string_view CreationWayName(CreationWay w);  // "arm", "defender-alert", "link"
std::optional<CreationWay> ParseCreationWay(std::string_view s);

enum class Direction { kDefenderToSentinel, kSentinelToDefender };
std::string_view DirectionName(Direction d);  // "defender-to-sentinel", "sentinel-to-defender"
std::optional<Direction> ParseDirection(std::string_view s);

struct PairKey {
  std::string link;
  std::string defender_id;
  bool operator==(const PairKey&) const = default;
};

struct Pair {
  PairKey key;
  std::string sentinel_id;  // empty while a defender-alert creation is pending
  PairState state = PairState::kActive;
  std::string redirect_target;  // Defender id of the survivor; set exactly when state is kMerged
  CreationWay way = CreationWay::kArm;
  std::string marker;  // the twin marker uuid (mirror mode)
  Timestamp created;
  Timestamp updated;
  // How both sides looked when a cycle last reconciled the pair and left nothing for later
  // (SeenMark): a full sweep skips the pair while its listings show the same. Written only
  // through Decision::seen; a pair upsert leaves them as they are.
  Timestamp seen_defender;    // Defender lastUpdateDateTime; zero = never seen
  std::string seen_sentinel;  // Sentinel etag
  int seen_open = 0;          // kSeenDefenderOpen | kSeenSentinelOpen
  bool operator==(const Pair&) const = default;
};

inline constexpr int kSeenDefenderOpen = 1;
inline constexpr int kSeenSentinelOpen = 2;

// A pair's sides as a cycle saw them (see Pair::seen_*); a zero `defender` forgets the sighting.
struct SeenMark {
  PairKey pair;
  Timestamp defender;
  std::string sentinel;
  int open = 0;
  bool operator==(const SeenMark&) const = default;
};

// One side's base of one field: the value that side held right after the last sync of the field.
struct Base {
  std::string value;  // canonical native value (domain::FieldValues encoding)
  VersionStamp stamp;
  bool own_write = false;  // the stamp is the one our own write produced (a `newest` tie, spec §5)
  bool operator==(const Base&) const = default;
};

struct BaseMove {
  PairKey pair;
  Side side = Side::kDefender;
  Field field = Field::kStatus;
  Base base;
};

// All bases of one pair; a field that was never synced has none.
struct PairBases {
  std::array<std::array<std::optional<Base>, domain::kFieldCount>, 2> by_side;
  const std::optional<Base>& Get(Side s, Field f) const {
    return by_side[static_cast<size_t>(s)][static_cast<size_t>(f)];
  }
  std::optional<Base>& Get(Side s, Field f) {
    return by_side[static_cast<size_t>(s)][static_cast<size_t>(f)];
  }
};

// A side's incident as last read: every canonical value and its version stamp.
struct ObservedSnapshot {
  PairKey pair;
  Side side = Side::kDefender;
  domain::FieldValues values;
  VersionStamp stamp;
  Timestamp observed_at;
  bool operator==(const ObservedSnapshot&) const = default;
};

// A write decided but not yet confirmed. `kind` names the operation ("patch", "put", "comment",
// "create", ...) and `payload` is the engine's own encoding; the store reads neither.
struct OutboxEntry {
  int64_t id = 0;  // assigned by the store; ids are never reused
  PairKey pair;
  Side target = Side::kSentinel;
  std::string kind;
  std::string payload;
  Timestamp created;
  Timestamp next_attempt;
  int64_t attempts = 0;
  std::string last_error;
  bool operator==(const OutboxEntry&) const = default;
};

// A conflict journal entry (spec §5 rule 4). An entry with the same pair, field and both values as
// an open one is the same conflict seen again and is not journaled twice.
struct Conflict {
  int64_t id = 0;
  Timestamp time;
  PairKey pair;
  std::string field;  // a Field name, or e.g. "merged-source" for edits of a tombstone's twin
  std::string defender_value, sentinel_value;
  Timestamp defender_time, sentinel_time;
  std::string defender_modified_by, sentinel_modified_by;
  std::string policy;    // "newest", "defender-wins", "sentinel-wins", "manual"
  std::string decision;  // what was done, e.g. "defender-wins", "waiting-for-operator"
  std::optional<Timestamp> resolved_at;
  std::string resolution;
};

// One propagated change. Holds incident data only; nothing secret ever passes through here.
struct AuditEntry {
  int64_t id = 0;
  Timestamp time;
  std::string link;
  std::string defender_id;
  std::string sentinel_id;
  std::string field;  // a Field name, or "comment", "create", "label", ...
  Direction direction = Direction::kDefenderToSentinel;
  std::string old_value, new_value;
  std::string cause;
  bool operator==(const AuditEntry&) const = default;
};

// Alert membership (spec §7): Defender is authoritative; each alert belongs to one incident.
struct AlertRecord {
  std::string alert_id;
  std::string incident_id;  // Defender incident id
  std::string title;
  std::string severity;
  std::string status;
  std::string service_source;
  Timestamp created;
  std::string web_link;
  bool operator==(const AlertRecord&) const = default;
};

struct AlertChange {
  std::string link;
  AlertRecord alert;     // upserted by alert id (moving it to alert.incident_id)
  bool removed = false;  // true: forget the alert (only alert.alert_id is read)
};

// Provenance of a copied comment: canonical source comment -> the copy on the target side.
struct CommentCopy {
  PairKey pair;
  Side target = Side::kSentinel;
  std::string source_comment_id;
  std::string target_comment_id;
  Timestamp copied_at;
  bool operator==(const CommentCopy&) const = default;
};

// An incident (or one field of a pair, when `field` is set) that keeps failing; it no longer stalls
// its link. Keyed by link, side, incident id and field.
struct QuarantineEntry {
  std::string link;
  Side side = Side::kDefender;
  std::string incident_id;
  std::string field;  // empty: the whole incident
  std::string error;
  int64_t attempts = 0;
  Timestamp since;
  Timestamp updated;
  bool operator==(const QuarantineEntry&) const = default;
};

struct QuarantineChange {
  QuarantineEntry entry;
  bool clear = false;  // true: release it (only the key fields are read)
};

struct WatermarkAdvance {
  std::string link;
  Side side = Side::kDefender;
  Timestamp time;
  // Watermarks only grow; `lower` sets this one as given, to repair a watermark that a timestamp
  // from the future carried too far.
  bool lower = false;
};

struct LinkMetaChange {
  std::string link;
  std::string key;
  std::optional<std::string> value;  // nullopt deletes the key
};

// The last alert digest written to a pair's twin (spec §7: write only on change, rate-limited).
struct DigestMark {
  PairKey pair;
  std::string hash;
  Timestamp written;
  bool operator==(const DigestMark&) const = default;
};

}  // namespace xdrsync::store
