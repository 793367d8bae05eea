#include <gtest/gtest.h>

#include <functional>

#include "config_fixture.h"
#include "xdrsync/app/config.h"

namespace xdrsync::app {
namespace {

using domain::Field;
using nlohmann::json;
using reconcile::ConflictPolicy;
using reconcile::Direction;
using reconcile::LinkMode;
using testing::ErrorOf;
using testing::MinimalConfig;
using testing::Parse;

Direction Dir(const LinkConfig& l, Field f) { return l.policy.direction(f); }

TEST(ConfigLinksTest, MirrorDefaultsFollowTheSpec) {
  auto r = Parse(MinimalConfig());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const LinkConfig& l = r->links[0];
  EXPECT_EQ(l.policy.name, "contoso-soc");
  EXPECT_EQ(l.policy.mode, LinkMode::kMirror);
  EXPECT_FALSE(l.paused);
  for (Field f : {Field::kStatus, Field::kOwner, Field::kClassification, Field::kClosingComment, Field::kTags}) {
    EXPECT_EQ(Dir(l, f), Direction::kBoth) << domain::FieldName(f);
  }
  for (Field f : {Field::kSeverity, Field::kTitle, Field::kDescription}) {
    EXPECT_EQ(Dir(l, f), Direction::kDefenderToSentinel) << domain::FieldName(f);
  }
  EXPECT_EQ(l.policy.comments, Direction::kBoth);
  for (Field f : domain::kAllFields) EXPECT_EQ(l.policy.conflict(f), ConflictPolicy::kNewest);
  EXPECT_EQ(l.policy.newest_min_gap_seconds, 60);
  EXPECT_EQ(l.policy.tie_side, domain::Side::kDefender);
  EXPECT_EQ(l.policy.max_writes_per_cycle, 500u);
  EXPECT_EQ(l.policy.digest_min_interval_seconds, 300);
  EXPECT_EQ(l.policy.mapping.unknown_severity, "Medium");
  EXPECT_EQ(l.policy.mapping.owners.unmapped, domain::OwnerMap::Unmapped::kCopyAsIs);
}

TEST(ConfigLinksTest, LinkModeLeavesEverythingToTheConnector) {
  json j = MinimalConfig();
  j["links"][0]["mode"] = "link";
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  for (Field f : domain::kAllFields) EXPECT_EQ(Dir(r->links[0], f), Direction::kNone);
  EXPECT_EQ(r->links[0].policy.comments, Direction::kNone);
  // With the connector's sync switched off, the operator may turn directions on.
  j["links"][0]["connector_sync_disabled"] = true;
  j["links"][0]["directions"] = {{"status", "both"}, {"comments", "both"}};
  r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Dir(r->links[0], Field::kStatus), Direction::kBoth);
  EXPECT_EQ(Dir(r->links[0], Field::kOwner), Direction::kNone);
  EXPECT_EQ(r->links[0].policy.comments, Direction::kBoth);
}

TEST(ConfigLinksTest, EveryLinkKeyIsRead) {
  json j = MinimalConfig();
  j["links"][0].update(json::parse(R"({
    "paused": true,
    "title_prefix": "[contoso] ",
    "unknown_severity": "High",
    "scope": {"min_severity": "medium", "created_after": "2026-01-01T00:00:00Z",
              "service_sources": ["microsoftDefenderForEndpoint"], "exclude_tags": ["lab"]},
    "owners": {"map": [{"defender": "alice@contoso.com", "sentinel": "alice@fabrikam.com",
                        "object_id": "9a9a9a9a-1111-2222-3333-444444444444"}],
               "domains": {"Contoso.com": "fabrikam.com"}, "unmapped": "keep-unassigned"},
    "conflicts": {"default": "defender-wins", "owner": "manual", "newest_min_gap_seconds": 30, "tie_side": "sentinel"},
    "directions": {"severity": "both", "description": "none", "comments": "defender-to-sentinel"},
    "max_writes_per_cycle": 50,
    "digest_min_interval_seconds": 0
  })"));
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const LinkConfig& l = r->links[0];
  const reconcile::LinkPolicy& p = l.policy;
  EXPECT_TRUE(l.paused);
  EXPECT_EQ(p.mapping.title_prefix, "[contoso] ");
  EXPECT_EQ(p.mapping.unknown_severity, "High");
  EXPECT_EQ(p.scope.min_severity, "medium");
  ASSERT_TRUE(p.scope.created_after.has_value());
  EXPECT_EQ(p.scope.created_after->ToSecondsString(), "2026-01-01T00:00:00Z");
  EXPECT_EQ(p.scope.service_sources, std::set<std::string>{"microsoftDefenderForEndpoint"});
  EXPECT_EQ(p.scope.exclude_tags, std::set<std::string>{"lab"});
  ASSERT_EQ(p.mapping.owners.entries.size(), 1u);
  EXPECT_EQ(p.mapping.owners.entries[0].sentinel_object_id, "9a9a9a9a-1111-2222-3333-444444444444");
  ASSERT_EQ(p.mapping.owners.domains.size(), 1u);
  EXPECT_EQ(p.mapping.owners.domains[0].first, "contoso.com");
  EXPECT_EQ(p.mapping.owners.unmapped, domain::OwnerMap::Unmapped::kKeepUnassigned);
  EXPECT_EQ(p.conflict(Field::kStatus), ConflictPolicy::kDefenderWins);
  EXPECT_EQ(p.conflict(Field::kOwner), ConflictPolicy::kManual);
  EXPECT_EQ(p.newest_min_gap_seconds, 30);
  EXPECT_EQ(p.tie_side, domain::Side::kSentinel);
  EXPECT_EQ(p.direction(Field::kSeverity), Direction::kBoth);
  EXPECT_EQ(p.direction(Field::kDescription), Direction::kNone);
  EXPECT_EQ(p.direction(Field::kStatus), Direction::kBoth);
  EXPECT_EQ(p.comments, Direction::kDefenderToSentinel);
  EXPECT_EQ(p.max_writes_per_cycle, 50u);
  EXPECT_EQ(p.digest_min_interval_seconds, 0);
}

TEST(ConfigLinksTest, OwnerMapAsAnObject) {
  json j = MinimalConfig();
  j["links"][0]["owners"]["map"] = {{"alice@contoso.com", "alice@fabrikam.com"}, {"SOC Tier 1", "soc1@fabrikam.com"}};
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& entries = r->links[0].policy.mapping.owners.entries;
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].defender, "SOC Tier 1");  // object keys come sorted
  EXPECT_EQ(entries[1].sentinel, "alice@fabrikam.com");
}

struct BadCase {
  std::string name;
  std::function<void(json&)> edit;
  std::string error;
};

TEST(ConfigLinksTest, LinkProblemsNameTheKey) {
  const std::vector<BadCase> cases = {
      {"conflict policy", [](json& j) { j["links"][0]["conflicts"]["owner"] = "oldest"; },
       "xdrsync.json: links[0].conflicts.owner: unknown policy 'oldest' (expected newest, defender-wins, "
       "sentinel-wins or manual)"},
      {"conflict on comments", [](json& j) { j["links"][0]["conflicts"]["comments"] = "newest"; },
       "xdrsync.json: links[0].conflicts.comments: comments are append-only and never conflict; remove this key"},
      {"direction", [](json& j) { j["links"][0]["directions"]["tags"] = "left"; },
       "xdrsync.json: links[0].directions.tags: unknown direction 'left' (expected both, defender-to-sentinel, "
       "sentinel-to-defender or none)"},
      {"description back", [](json& j) { j["links"][0]["directions"]["description"] = "both"; },
       "xdrsync.json: links[0].directions.description: description can only be defender-to-sentinel or none"},
      {"unknown field", [](json& j) { j["links"][0]["directions"]["priority"] = "both"; },
       "xdrsync.json: links[0].directions.priority: unknown key (expected classification, closing_comment, "
       "comments, description, owner, severity, status, tags or title)"},
      {"link mode direction",
       [](json& j) {
         j["links"][0]["mode"] = "link";
         j["links"][0]["directions"]["owner"] = "both";
       },
       "xdrsync.json: links[0].directions.owner: link mode leaves this to Microsoft's connector; set "
       "connector_sync_disabled: true to sync it yourself"},
      {"connector flag on mirror", [](json& j) { j["links"][0]["connector_sync_disabled"] = true; },
       "xdrsync.json: links[0].connector_sync_disabled: applies to link mode only (mirror links sync every field)"},
      {"mode", [](json& j) { j["links"][0]["mode"] = "sync"; },
       "xdrsync.json: links[0].mode: unknown mode 'sync' (expected mirror or link)"},
      {"missing tenant", [](json& j) { j["links"][0]["defender"] = "fabrikam"; },
       "xdrsync.json: links[0].defender: no defender tenant named 'fabrikam' (defined: contoso)"},
      {"missing workspace", [](json& j) { j["links"][0]["sentinel"] = "noc"; },
       "xdrsync.json: links[0].sentinel: no sentinel workspace named 'noc' (defined: soc)"},
      {"duplicate link name",
       [](json& j) {
         j["links"].push_back(j["links"][0]);
       },
       "xdrsync.json: links[1].name: duplicate name 'contoso-soc' (also links[0])"},
      {"same pair twice",
       [](json& j) {
         j["links"].push_back(j["links"][0]);
         j["links"][1]["name"] = "again";
       },
       "xdrsync.json: links[1]: links the same tenant and workspace as links[0]"},
      {"same-tenant onboarded mirror",
       [](json& j) {
         j["sentinel_workspaces"][0]["portal"] = "defender";
         j["sentinel_workspaces"][0]["tenant_id"] = "72F988BF-86F1-41AF-91AB-2D7CD011DB47";
       },
       "xdrsync.json: links[0].mode: mirror between tenant 'contoso' and workspace 'soc', onboarded to the Defender "
       "portal of the same tenant, would copy every incident onto itself; use mode 'link'"},
      {"severity", [](json& j) { j["links"][0]["scope"]["min_severity"] = "Medium"; },
       "xdrsync.json: links[0].scope.min_severity: unknown severity 'Medium' (expected informational, low, medium or "
       "high)"},
      {"unknown severity", [](json& j) { j["links"][0]["unknown_severity"] = "medium"; },
       "xdrsync.json: links[0].unknown_severity: unknown severity 'medium' (expected Informational, Low, Medium or "
       "High)"},
      {"created after", [](json& j) { j["links"][0]["scope"]["created_after"] = "yesterday"; },
       "xdrsync.json: links[0].scope.created_after: expected an ISO-8601 time like 2026-01-01T00:00:00Z"},
      {"tags type", [](json& j) { j["links"][0]["scope"]["exclude_tags"] = "lab"; },
       "xdrsync.json: links[0].scope.exclude_tags: expected an array of strings, got string"},
      {"unmapped", [](json& j) { j["links"][0]["owners"]["unmapped"] = "drop"; },
       "xdrsync.json: links[0].owners.unmapped: unknown unmapped policy 'drop' (expected keep-unassigned or "
       "copy-as-is)"},
      {"owner twice",
       [](json& j) {
         j["links"][0]["owners"]["map"] = json::array({{{"defender", "a@contoso.com"}, {"sentinel", "a@f.com"}},
                                                       {{"defender", "b@contoso.com"}, {"sentinel", "A@F.com"}}});
       },
       "xdrsync.json: links[0].owners.map[1]: sentinel owner 'A@F.com' is mapped twice"},
      {"object id", [](json& j) {
         j["links"][0]["owners"]["map"] = json::array({{{"defender", "a@contoso.com"}, {"sentinel", "a@f.com"},
                                                        {"object_id", "alice"}}});
       },
       "xdrsync.json: links[0].owners.map[0].object_id: expected the Entra object id (a GUID)"},
      {"domain", [](json& j) { j["links"][0]["owners"]["domains"] = {{"contoso.com", "bob@fabrikam.com"}}; },
       "xdrsync.json: links[0].owners.domains.contoso.com: expected a domain mapped to a domain, like "
       "\"contoso.com\": \"fabrikam.com\""},
      {"cap", [](json& j) { j["links"][0]["max_writes_per_cycle"] = 0; },
       "xdrsync.json: links[0].max_writes_per_cycle: must be from 1 to 1000000, got 0"},
      {"tie side", [](json& j) { j["links"][0]["conflicts"]["tie_side"] = "both"; },
       "xdrsync.json: links[0].conflicts.tie_side: unknown side 'both' (expected defender or sentinel)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json j = MinimalConfig();
    c.edit(j);
    EXPECT_EQ(ErrorOf(j), c.error);
  }
}

TEST(ConfigLinksTest, OnboardedWorkspaceOfAnotherTenantMayBeMirrored) {
  json j = MinimalConfig();
  j["sentinel_workspaces"][0]["portal"] = "defender";
  EXPECT_EQ(ErrorOf(j), "ok");
  j["links"][0]["mode"] = "link";
  j["sentinel_workspaces"][0]["tenant_id"] = j["defender_tenants"][0]["tenant_id"];
  EXPECT_EQ(ErrorOf(j), "ok");
}

}  // namespace
}  // namespace xdrsync::app
