// Rule 4 of spec §5: both sides changed and disagree; every conflict policy; the mass-change valve.
#include <gtest/gtest.h>

#include "world.h"

namespace xdrsync::reconcile::testing {
namespace {

using domain::Field;

struct PolicyCase {
  std::string name;
  ConflictPolicy policy;
  int64_t defender_lead_seconds;  // how much later the Defender edit is than the Sentinel one
  std::string want_owner_defender;
  std::string want_owner_sentinel_upn;
  std::string decision;
};

TEST(ConflictTest, EveryPolicyDecidesAndJournals) {
  const std::vector<PolicyCase> cases = {
      {"newest: defender later", ConflictPolicy::kNewest, 120, "dave@contoso.com", "dave@contoso.com", "defender"},
      {"newest: sentinel later", ConflictPolicy::kNewest, -120, "sam@contoso.com", "sam@contoso.com", "sentinel"},
      {"newest: within the gap ties to defender", ConflictPolicy::kNewest, -30, "dave@contoso.com",
       "dave@contoso.com", "defender"},
      {"defender-wins", ConflictPolicy::kDefenderWins, -600, "dave@contoso.com", "dave@contoso.com", "defender"},
      {"sentinel-wins", ConflictPolicy::kSentinelWins, 600, "sam@contoso.com", "sam@contoso.com", "sentinel"},
      {"manual", ConflictPolicy::kManual, 600, "dave@contoso.com", "sam@contoso.com", "manual"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    LinkPolicy p = LinkPolicy::Defaults(LinkMode::kMirror);
    p.conflicts[static_cast<size_t>(Field::kOwner)] = c.policy;
    World w(p);
    w.NewDefender("1");
    w.Cycle();
    w.Cycle();
    const std::string twin = w.pairs["1"].sentinel_id;
    auto edit_d = [&] {
      w.defender["1"].assigned_to = "dave@contoso.com";
      w.TouchDefender("1");
    };
    auto edit_s = [&] {
      w.sentinel[twin].owner = domain::SentinelOwner{"", "", "", "sam@contoso.com", domain::ParseSOwnerType("User")};
      w.TouchSentinel(twin);
    };
    if (c.defender_lead_seconds >= 0) {
      edit_s();
      w.Tick(c.defender_lead_seconds);
      edit_d();
    } else {
      edit_d();
      w.Tick(-c.defender_lead_seconds);
      edit_s();
    }
    Plan plan = w.Cycle();
    ASSERT_EQ(plan.conflicts.size(), 1u);
    EXPECT_EQ(plan.conflicts[0].field, Field::kOwner);
    EXPECT_EQ(plan.conflicts[0].decision, c.decision);
    EXPECT_EQ(plan.conflicts[0].defender_value, "dave@contoso.com");
    EXPECT_EQ(plan.conflicts[0].sentinel_value, "upn:sam@contoso.com");
    EXPECT_EQ(plan.conflicts[0].sentinel_modified_by, "analyst@fabrikam.com");
    EXPECT_EQ(*w.defender["1"].assigned_to, c.want_owner_defender);
    EXPECT_EQ(w.sentinel[twin].owner->user_principal_name, c.want_owner_sentinel_upn);
    EXPECT_EQ(domain::HasLabel(w.sentinel[twin], domain::kLabelConflict), c.policy == ConflictPolicy::kManual);
    Plan next = w.Cycle();
    EXPECT_TRUE(next.empty());
    if (c.policy == ConflictPolicy::kManual) {
      // The conflict stays open until a human makes the sides agree; then it resolves itself.
      EXPECT_EQ(next.conflicts.size(), 1u);
      w.sentinel[twin].owner->user_principal_name = "dave@contoso.com";
      w.TouchSentinel(twin);
      Plan resolved = w.Cycle();
      EXPECT_TRUE(resolved.conflicts.empty());
      EXPECT_TRUE(w.Cycle().empty());
    } else {
      EXPECT_TRUE(next.conflicts.empty());
    }
  }
}

TEST(ConflictTest, NewestCorrectsForServerClockOffsets) {
  LinkPolicy p = LinkPolicy::Defaults(LinkMode::kMirror);
  World w(p);
  w.NewDefender("1");
  w.Cycle();
  const std::string twin = w.pairs["1"].sentinel_id;
  w.defender["1"].assigned_to = "dave@contoso.com";
  w.TouchDefender("1");
  w.Tick(100);
  w.sentinel[twin].owner = domain::SentinelOwner{"", "", "", "sam@contoso.com", domain::ParseSOwnerType("User")};
  w.TouchSentinel(twin);
  // Sentinel's clock runs 5 minutes fast: its edit really came first.
  Input in;
  in.policy = &w.policy;
  in.now = w.now;
  in.pairs = w.pairs;
  in.observed.defender = w.defender;
  in.observed.sentinel = w.sentinel;
  in.observed.sentinel_clock_offset = 300 * Timestamp::kTicksPerSecond;
  Plan plan = Reconcile(in);
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].decision, "defender");
}

TEST(ConflictTest, MassChangeIsHeldUntilApproved) {
  LinkPolicy p = LinkPolicy::Defaults(LinkMode::kMirror);
  p.max_writes_per_cycle = 3;
  World w(p);
  for (int i = 0; i < 5; ++i) w.NewDefender(std::to_string(i));
  w.Cycle();  // creations are not updates of existing pairs: not capped
  w.Cycle();
  ASSERT_EQ(w.sentinel.size(), 5u);
  for (auto& [id, d] : w.defender) {
    d.status = domain::ParseDStatus("resolved");
    w.TouchDefender(id);
  }
  Plan held = w.Cycle();
  EXPECT_TRUE(held.held);
  EXPECT_NE(held.held_reason.find("status"), std::string::npos);
  EXPECT_TRUE(held.sentinel_writes.empty());
  for (const auto& [name, s] : w.sentinel) EXPECT_EQ(WireText(s.status), "New");
  Plan again = w.Cycle();
  EXPECT_TRUE(again.held);
  Plan approved = w.Cycle(nullptr, /*approved=*/true);
  EXPECT_FALSE(approved.held);
  EXPECT_EQ(approved.sentinel_writes.size(), 5u);
  for (const auto& [name, s] : w.sentinel) EXPECT_EQ(WireText(s.status), "Closed");
}

}  // namespace
}  // namespace xdrsync::reconcile::testing
