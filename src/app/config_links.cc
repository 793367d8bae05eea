// One link: mode, scope, owner map, per-field directions and conflict policies (spec §3-5).
#include "config_parts.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::app::detail {
namespace {

using domain::Field;
using reconcile::ConflictPolicy;
using reconcile::Direction;
using reconcile::LinkMode;

const EnumTable<LinkMode> kModes = {{"mirror", LinkMode::kMirror}, {"link", LinkMode::kLink}};
const EnumTable<Direction> kDirections = {{"both", Direction::kBoth},
                                          {"defender-to-sentinel", Direction::kDefenderToSentinel},
                                          {"sentinel-to-defender", Direction::kSentinelToDefender},
                                          {"none", Direction::kNone}};
const EnumTable<ConflictPolicy> kPolicies = {{"newest", ConflictPolicy::kNewest},
                                             {"defender-wins", ConflictPolicy::kDefenderWins},
                                             {"sentinel-wins", ConflictPolicy::kSentinelWins},
                                             {"manual", ConflictPolicy::kManual}};
const EnumTable<domain::Side> kSides = {{"defender", domain::Side::kDefender}, {"sentinel", domain::Side::kSentinel}};
const EnumTable<domain::OwnerMap::Unmapped> kUnmapped = {{"keep-unassigned", domain::OwnerMap::Unmapped::kKeepUnassigned},
                                                         {"copy-as-is", domain::OwnerMap::Unmapped::kCopyAsIs}};
const EnumTable<std::string> kDefenderSeverities = {
    {"informational", "informational"}, {"low", "low"}, {"medium", "medium"}, {"high", "high"}};
const EnumTable<std::string> kSentinelSeverities = {
    {"Informational", "Informational"}, {"Low", "Low"}, {"Medium", "Medium"}, {"High", "High"}};

void ReadScope(ObjectReader& parent, reconcile::Scope& scope) {
  ObjectReader r(parent.Take("scope"), parent.Path("scope"), parent.problems());
  r.Enum("min_severity", kDefenderSeverities, "severity", scope.min_severity);
  std::string created_after;
  r.String("created_after", created_after);
  if (!created_after.empty()) {
    if (auto t = Timestamp::Parse(created_after); t.ok()) {
      scope.created_after = *t;
    } else {
      r.problems().Add(r.Path("created_after"), "expected an ISO-8601 time like 2026-01-01T00:00:00Z");
    }
  }
  r.StringSet("service_sources", scope.service_sources);
  r.StringSet("exclude_tags", scope.exclude_tags);
  r.Finish();
}

const Json kNoRules = Json::object();

bool LooksLikeDomain(std::string_view s) {
  return !s.empty() && s.find('.') != std::string_view::npos && s.find_first_of("@ /\t") == std::string_view::npos;
}

void AddOwner(ObjectReader& r, const std::string& path, domain::OwnerMap::Entry e, domain::OwnerMap& map) {
  if (e.defender.empty() || e.sentinel.empty()) {
    r.problems().Add(path, "both the defender and the sentinel owner must be given");
    return;
  }
  for (const auto& other : map.entries) {
    // The map works both ways, so either side appearing twice makes one direction ambiguous.
    if (EqualsIgnoreCase(other.defender, e.defender)) {
      r.problems().Add(path, "defender owner " + Quoted(e.defender) + " is mapped twice");
      return;
    }
    if (EqualsIgnoreCase(other.sentinel, e.sentinel)) {
      r.problems().Add(path, "sentinel owner " + Quoted(e.sentinel) + " is mapped twice");
      return;
    }
  }
  map.entries.push_back(std::move(e));
}

void ReadOwners(ObjectReader& parent, domain::OwnerMap& map) {
  ObjectReader r(parent.Take("owners"), parent.Path("owners"), parent.problems());
  if (const Json* m = r.Take("map")) {
    const std::string path = r.Path("map");
    if (m->is_object()) {
      for (const auto& [d, s] : m->items()) {
        if (!s.is_string()) {
          r.problems().Add(path + "." + d, "expected a string (the Sentinel owner's UPN)");
          break;
        }
        AddOwner(r, path + "." + d, {d, s.get<std::string>(), ""}, map);
      }
    } else if (m->is_array()) {
      for (size_t i = 0; i < m->size(); ++i) {
        ObjectReader entry(&(*m)[i], path + "[" + std::to_string(i) + "]", r.problems());
        domain::OwnerMap::Entry e;
        entry.Require("defender");
        entry.Require("sentinel");
        entry.NonEmptyString("defender", e.defender);
        entry.NonEmptyString("sentinel", e.sentinel);
        entry.String("object_id", e.sentinel_object_id);
        if (!e.sentinel_object_id.empty() && !IsGuid(e.sentinel_object_id)) {
          r.problems().Add(entry.Path("object_id"), "expected the Entra object id (a GUID)");
        }
        entry.Finish();
        if (entry.present()) AddOwner(r, entry.path(), std::move(e), map);
      }
    } else {
      r.problems().Add(path, "expected an object (defender UPN -> sentinel UPN) or an array of "
                             "{defender, sentinel, object_id}");
    }
  }
  if (const Json* d = r.Take("domains")) {
    if (!d->is_object()) r.problems().Add(r.Path("domains"), "expected an object (defender domain -> sentinel domain)");
    const Json& rules = d->is_object() ? *d : kNoRules;
    for (const auto& [from, to] : rules.items()) {
      const std::string path = r.Path("domains") + "." + from;
      if (!to.is_string() || !LooksLikeDomain(from) || !LooksLikeDomain(to.get<std::string>())) {
        r.problems().Add(path, "expected a domain mapped to a domain, like \"contoso.com\": \"fabrikam.com\"");
        break;
      }
      map.domains.emplace_back(AsciiLower(from), AsciiLower(to.get<std::string>()));
    }
  }
  r.Enum("unmapped", kUnmapped, "unmapped policy", map.unmapped);
  r.Finish();
}

void ReadConflicts(ObjectReader& parent, reconcile::LinkPolicy& p) {
  ObjectReader r(parent.Take("conflicts"), parent.Path("conflicts"), parent.problems());
  ConflictPolicy fallback = ConflictPolicy::kNewest;
  r.Enum("default", kPolicies, "policy", fallback);
  p.conflicts.fill(fallback);
  for (Field f : domain::kAllFields) {
    r.Enum(domain::FieldName(f), kPolicies, "policy", p.conflicts[static_cast<size_t>(f)]);
  }
  if (r.Take("comments") != nullptr) {
    r.problems().Add(r.Path("comments"), "comments are append-only and never conflict; remove this key");
  }
  r.Int("newest_min_gap_seconds", p.newest_min_gap_seconds, 0, 86'400);
  r.Enum("tie_side", kSides, "side", p.tie_side);
  r.Finish();
}

void ReadDirections(ObjectReader& parent, bool connector_sync_disabled, reconcile::LinkPolicy& p) {
  ObjectReader r(parent.Take("directions"), parent.Path("directions"), parent.problems());
  auto check = [&](std::string_view key, Direction d) {
    if (p.mode == LinkMode::kLink && !connector_sync_disabled && d != Direction::kNone) {
      r.problems().Add(r.Path(key), "link mode leaves this to Microsoft's connector; set "
                                    "connector_sync_disabled: true to sync it yourself");
    }
  };
  for (Field f : domain::kAllFields) {
    const std::string_view key = domain::FieldName(f);
    const Json* v = r.Take(key);
    if (v == nullptr) continue;
    auto d = r.EnumValue(*v, r.Path(key), kDirections, "direction");
    if (!d) continue;
    // The twin's description is rendered from Defender (deep link, alert summary): it has no way back.
    if (f == Field::kDescription && *d != Direction::kDefenderToSentinel && *d != Direction::kNone) {
      r.problems().Add(r.Path(key), "description can only be defender-to-sentinel or none");
      continue;
    }
    check(key, *d);
    p.directions[static_cast<size_t>(f)] = *d;
  }
  if (const Json* v = r.Take("comments")) {
    if (auto d = r.EnumValue(*v, r.Path("comments"), kDirections, "direction")) {
      check("comments", *d);
      p.comments = *d;
    }
  }
  r.Finish();
}

}  // namespace

void ReadLink(ObjectReader& r, LinkConfig& link) {
  if (!r.present()) return;
  r.Require("name");
  r.NonEmptyString("name", link.name);
  if (!link.name.empty() && !IsValidName(link.name)) {
    r.problems().Add(r.Path("name"), "use 1-64 letters, digits, '.', '_' or '-'");
  }
  r.Require("defender");
  r.Require("sentinel");
  r.String("defender", link.defender);
  r.String("sentinel", link.sentinel);
  LinkMode mode = LinkMode::kMirror;
  r.Enum("mode", kModes, "mode", mode);
  reconcile::LinkPolicy& p = link.policy;
  p = reconcile::LinkPolicy::Defaults(mode);
  // Microsoft's connector also carries new comments within one tenant; copying them again would
  // duplicate every one.
  if (mode == LinkMode::kLink) p.comments = Direction::kNone;
  p.name = link.name;
  r.Bool("paused", link.paused);
  r.Bool("connector_sync_disabled", link.connector_sync_disabled);
  if (link.connector_sync_disabled && mode == LinkMode::kMirror) {
    r.problems().Add(r.Path("connector_sync_disabled"), "applies to link mode only (mirror links sync every field)");
  }
  r.String("title_prefix", p.mapping.title_prefix);
  r.Enum("unknown_severity", kSentinelSeverities, "severity", p.mapping.unknown_severity);
  ReadScope(r, p.scope);
  ReadOwners(r, p.mapping.owners);
  ReadConflicts(r, p);
  ReadDirections(r, link.connector_sync_disabled, p);
  int64_t max_writes = static_cast<int64_t>(p.max_writes_per_cycle);
  r.Int("max_writes_per_cycle", max_writes, 1, 1'000'000);
  p.max_writes_per_cycle = static_cast<size_t>(max_writes);
  r.Int("digest_min_interval_seconds", p.digest_min_interval_seconds, 0, 7 * 86'400);
  r.Finish();
}

}  // namespace xdrsync::app::detail
