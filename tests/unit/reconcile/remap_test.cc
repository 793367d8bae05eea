// Remaps (spec §4): a changed owner map or title prefix is listed, written only in remap mode,
// at most max_writes_per_cycle pairs per plan, never over an analyst's change, and settles.
#include <gtest/gtest.h>

#include "world.h"
#include "xdrsync/domain/comments.h"

namespace xdrsync::reconcile::testing {
namespace {

World Synced(int incidents) {
  World w(LinkPolicy::Defaults(LinkMode::kMirror));
  w.policy.name = "contoso";
  w.policy.defender_tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  for (int i = 1; i <= incidents; ++i) w.NewDefender(std::to_string(i)).assigned_to = "alice@contoso.com";
  w.Cycle();
  w.Cycle();
  return w;
}

size_t Planned(const Plan& p) {
  size_t n = 0;
  for (const auto& r : p.remaps) n += r.planned ? 1 : 0;
  return n;
}

TEST(RemapTest, AChangedMappingIsListedButWrittenOnlyInRemapMode) {
  World w = Synced(2);
  ASSERT_EQ(w.Twin("1").owner->user_principal_name, "alice@contoso.com");
  w.policy.mapping.owners.domains = {{"contoso.com", "soc.example"}};
  w.policy.mapping.title_prefix = "[contoso] ";
  Plan listed = w.Cycle();
  EXPECT_EQ(listed.remaps.size(), 4u);
  EXPECT_EQ(Planned(listed), 0u);
  EXPECT_TRUE(listed.sentinel_writes.empty());
  EXPECT_EQ(w.Twin("1").owner->user_principal_name, "alice@contoso.com");

  w.remap = true;
  Plan remap = w.Cycle();
  EXPECT_EQ(Planned(remap), 4u);
  EXPECT_EQ(remap.sentinel_writes.size(), 2u);
  EXPECT_TRUE(remap.defender_writes.empty()) << "a remap is written to twins only";
  EXPECT_EQ(w.Twin("1").owner->user_principal_name, "alice@soc.example");
  EXPECT_EQ(w.Twin("2").title, "[contoso] Incident 2");
  EXPECT_EQ(w.defender.at("1").assigned_to, "alice@contoso.com");

  Plan after = w.Cycle();
  EXPECT_TRUE(after.remaps.empty());
  EXPECT_TRUE(after.sentinel_writes.empty());
  EXPECT_TRUE(after.defender_writes.empty()) << "no ping-pong";
}

TEST(RemapTest, TheWriteCapPacesARemap) {
  World w = Synced(3);
  w.policy.max_writes_per_cycle = 2;
  w.policy.mapping.owners.domains = {{"contoso.com", "soc.example"}};
  w.remap = true;
  Plan first = w.Cycle();
  EXPECT_FALSE(first.held);
  EXPECT_EQ(Planned(first), 2u);
  EXPECT_EQ(first.remaps.size(), 3u);
  Plan second = w.Cycle();
  EXPECT_EQ(Planned(second), 1u);
  EXPECT_TRUE(w.Cycle().remaps.empty());
}

TEST(RemapTest, AnAnalystsChangeIsSyncedNotRemapped) {
  World w = Synced(1);
  w.policy.mapping.owners.domains = {{"contoso.com", "soc.example"}};
  w.Twin("1").owner = domain::SentinelOwner{"", "", "", "carol@soc.example", {}};
  w.TouchSentinel(w.Twin("1").name);
  w.remap = true;
  Plan p = w.Cycle();
  EXPECT_TRUE(p.remaps.empty());
  EXPECT_EQ(w.defender.at("1").assigned_to, "carol@contoso.com") << "the analyst's change travels as usual";
}

TEST(RemapTest, ATwinTitleKeepsItsMarker) {
  World w = Synced(1);
  const std::string marker = domain::Marker("ac9a5780-98b5-5ec6-9873-32585d2eabab");
  // A defender-alert twin: its title ends in its marker, and that is what was synced.
  w.Twin("1").title = "Incident 1 " + marker;
  w.pairs.at("1").sentinel[Field::kTitle]->value = "Incident 1 " + marker;
  w.policy.mapping.title_prefix = "";
  EXPECT_TRUE(w.Cycle().remaps.empty()) << "the marker alone is no remap";
  w.policy.mapping.title_prefix = "[contoso] ";
  w.remap = true;
  Plan p = w.Cycle();
  ASSERT_EQ(p.remaps.size(), 1u);
  EXPECT_EQ(w.Twin("1").title, "[contoso] Incident 1 " + marker);
  EXPECT_TRUE(w.Cycle().remaps.empty());
}

}  // namespace
}  // namespace xdrsync::reconcile::testing
