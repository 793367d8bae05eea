// The reconciler's input (what was observed, what the store remembers) and its output, a plan:
// writes per side, twin creations, comment copies, base moves, pair state changes, conflicts and
// notices. Plain data; the engine stores the plan as outbox rows and executes it.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "xdrsync/domain/fields.h"
#include "xdrsync/domain/incident.h"
#include "xdrsync/reconcile/policy.h"

namespace xdrsync::reconcile {

using domain::Field;
using domain::Side;

// Per pair, per side, per field: the value the side held right after the last sync of that field.
struct FieldBase {
  std::string value;
  domain::VersionStamp stamp;
  bool own_write = false;  // the stamp is the one our own write produced
  bool operator==(const FieldBase&) const = default;
};

struct SideBases {
  std::array<std::optional<FieldBase>, domain::kFieldCount> fields;
  const std::optional<FieldBase>& operator[](Field f) const { return fields[static_cast<size_t>(f)]; }
  std::optional<FieldBase>& operator[](Field f) { return fields[static_cast<size_t>(f)]; }
};

enum class PairKind { kActive, kMerged, kDeletedInSentinel, kSourceGone };
std::string_view PairKindName(PairKind k);

struct PairState {
  std::string defender_id;
  std::string sentinel_id;
  PairKind kind = PairKind::kActive;
  std::string merged_into;  // survivor's Defender id when kind == kMerged
  SideBases defender;
  SideBases sentinel;
  // Marker uuids already written per target side (provenance): "defender|<uuid>", "sentinel|<uuid>".
  std::set<std::string> copied;
  std::string digest_hash;    // hash of the last alert table written
  Timestamp digest_written;   // when it was written
};

struct Observation {
  // Defender incidents seen this cycle, by id: the changed ones, the paired ones the engine
  // re-read, and every incident on a redirect chain. `alerts` set when membership is known.
  std::map<std::string, domain::DefenderIncident> defender;
  // Sentinel incidents seen this cycle, by name, with their comments.
  std::map<std::string, domain::SentinelIncident> sentinel;
  std::set<std::string> sentinel_missing;  // twins that answered 404
  std::set<std::string> defender_gone;     // Defender ids confirmed gone (two 404s a sweep apart)
  // Server clock minus our clock, from the HTTP Date headers, in ticks.
  int64_t defender_clock_offset = 0;
  int64_t sentinel_clock_offset = 0;
};

struct Input {
  const LinkPolicy* policy = nullptr;
  Timestamp now;
  Observation observed;
  std::map<std::string, PairState> pairs;  // by Defender id
  bool approved = false;                   // an operator let a held mass change through once
  // `xdrsync remap`: write the twin fields whose agreement a changed mapping broke (see Remap).
  bool remap = false;
  // A base stamped later than now plus this (a service clock gone wrong, a bad page) says nothing
  // of order: any observation counts as newer than it, so real later changes are not taken for
  // stale reads.
  int64_t future_skew_seconds = 600;
};

struct BaseUpdate {
  std::string defender_id;
  Side side;
  Field field;
  FieldBase base;
};

struct FieldChange {
  Field field;
  std::string from;   // the target side's value before
  std::string to;     // the value written
  std::string cause;  // "defender changed", "conflict: newest (sentinel)", ...
};

struct DefenderWrite {
  std::string defender_id;
  domain::FieldValues values;  // canonical Defender values for `fields`
  std::set<Field> fields;
  // What Defender held when planned: the engine re-reads before the PATCH and re-plans if differs.
  std::map<Field, std::string> expected;
  std::vector<FieldChange> changes;
  // Base moves of the other side that this write completes (the source of the change).
  std::vector<BaseUpdate> on_confirm;
  // Written fields whose base stays put on confirm: tags written to both sides at once keep their
  // common base until both are seen to hold the merged set.
  std::set<Field> hold_base;
};

struct SentinelWrite {
  std::string defender_id;   // pair key
  std::string sentinel_id;
  domain::SentinelIncident incident;  // the full object to PUT (carries the etag)
  std::set<Field> fields;             // the synced fields it changes (bases move for these)
  std::vector<std::string> labels_added, labels_removed;  // xdrsync-owned labels
  std::vector<FieldChange> changes;
  std::vector<BaseUpdate> on_confirm;
  std::set<Field> hold_base;  // as DefenderWrite::hold_base
};

struct TwinCreate {
  std::string defender_id;
  std::string twin_id;                // the deterministic UUIDv5; the ARM incident name (arm way)
  domain::SentinelIncident incident;  // the twin's first full object
  std::string cause;                  // "new incident", "merge survivor"
};

struct CommentWrite {
  std::string defender_id;  // pair key
  Side target;
  std::string target_incident;
  std::string uuid;  // marker uuid; the Sentinel comment id
  std::string text;  // starts with (or contains) the marker
  std::string purpose;  // "copy", "merge-carry", "merge-notice", "alerts", "deeplink", "capped", ...
  bool edit_in_place = false;  // the alert table comment is rewritten under the same id
  std::string content_hash;    // set for the alert table: stored as the pair's digest hash
  std::vector<BaseUpdate> on_confirm;
};

struct PairUpdate {
  PairState state;  // bases and provenance in it are not used; BaseUpdate carries bases
  bool created = false;
  std::string cause;
};

struct Conflict {
  std::string defender_id;
  std::string sentinel_id;
  Field field;
  std::string defender_value, sentinel_value;
  Timestamp defender_time, sentinel_time;
  std::string defender_modified_by, sentinel_modified_by;
  std::string kind;  // "both-changed", "no-base", "merged-source"
  ConflictPolicy policy;
  std::string decision;  // "defender", "sentinel", "manual", "journal-only"
};

// A twin field that no longer matches its Defender value under the link's current mapping (owner
// map, domain rules, title prefix, unknown severity) although neither side changed it since the last
// sync: a changed configuration, which changes nothing by itself (spec §4). `xdrsync plan` lists
// these; `xdrsync remap` writes them, at most `max_writes_per_cycle` pairs per cycle.
struct Remap {
  std::string defender_id;
  std::string sentinel_id;
  Field field;
  std::string from;  // the twin's value now
  std::string to;    // the Defender value mapped with the current configuration
  bool planned = false;  // part of this plan's Sentinel writes (remap mode, within the cap)
};

struct Notice {
  std::string defender_id;
  std::string message;
};

struct Plan {
  std::vector<PairUpdate> pairs;
  std::vector<TwinCreate> creations;
  std::vector<SentinelWrite> sentinel_writes;
  std::vector<DefenderWrite> defender_writes;
  std::vector<CommentWrite> comments;
  std::vector<BaseUpdate> base_updates;
  std::vector<Conflict> conflicts;
  std::vector<Notice> notices;
  std::vector<Remap> remaps;
  // Pairs with work put off to a later time (an alert table within its rewrite interval): a
  // full sweep must read them again even if neither side changed.
  std::set<std::string> revisit;
  bool held = false;        // the mass-change valve closed: nothing of this plan is to be applied
  std::string held_reason;

  // No writes, creations, pair changes or base moves (conflicts and notices do not count).
  bool empty() const {
    return pairs.empty() && creations.empty() && sentinel_writes.empty() && defender_writes.empty() &&
           comments.empty() && base_updates.empty();
  }
};

}  // namespace xdrsync::reconcile
