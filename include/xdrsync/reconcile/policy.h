// A link's sync policy as the reconciler sees it: mode, per-field directions and conflict
// policies, scope, caps. Built from the configuration by the app layer; plain data here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "xdrsync/domain/fields.h"
#include "xdrsync/domain/mapping.h"

namespace xdrsync::reconcile {

enum class LinkMode { kMirror, kLink };
enum class Direction { kBoth, kDefenderToSentinel, kSentinelToDefender, kNone };
enum class ConflictPolicy { kNewest, kDefenderWins, kSentinelWins, kManual };

std::string_view DirectionName(Direction d);
std::string_view ConflictPolicyName(ConflictPolicy p);
bool Allows(Direction d, domain::Side from);

struct Scope {
  std::string min_severity;                 // Defender spelling ("low"); empty = any
  std::optional<Timestamp> created_after;
  std::set<std::string> service_sources;    // any alert from one of these; empty = any
  std::set<std::string> exclude_tags;       // Defender custom tags that keep an incident out
};

struct LinkPolicy {
  std::string name;
  std::string defender_tenant_id;
  LinkMode mode = LinkMode::kMirror;
  domain::MappingPolicy mapping;
  std::array<Direction, domain::kFieldCount> directions{};
  Direction comments = Direction::kBoth;
  std::array<ConflictPolicy, domain::kFieldCount> conflicts{};
  int64_t newest_min_gap_seconds = 60;
  domain::Side tie_side = domain::Side::kDefender;
  Scope scope;
  size_t max_writes_per_cycle = 500;
  int64_t digest_min_interval_seconds = 300;
  // Learnt per tenant (spec §4): Defender refused `inProgress` / `resolvingComment` in a PATCH.
  bool defender_refuses_in_progress = false;
  bool defender_refuses_resolving_comment = false;

  Direction direction(domain::Field f) const { return directions[static_cast<size_t>(f)]; }
  ConflictPolicy conflict(domain::Field f) const { return conflicts[static_cast<size_t>(f)]; }

  // The defaults of spec §4: mirror syncs status, owner, classification, closing comment and tags
  // both ways, severity, title and description Defender → Sentinel; link mode leaves the fields to
  // Microsoft's connector (none) and only adds comments, merges, the overflow note and the journal.
  static LinkPolicy Defaults(LinkMode mode);
};

}  // namespace xdrsync::reconcile
