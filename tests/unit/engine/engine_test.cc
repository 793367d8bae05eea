#include <algorithm>
#include <chrono>

#include "engine_fixture.h"
#include "xdrsync/core/uuid.h"

namespace xdrsync::engine::testing {
namespace {

TEST_F(EngineTest, NewIncidentGetsATwinAndTheLinkSettles) {
  defender.Add("2972395").assigned_to = "alice@contoso.com";
  auto r = Cycle();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.plan.creations.size(), 1u);
  EXPECT_EQ(r.writes_failed, 0u);
  const std::string twin = TwinName("2972395");
  EXPECT_EQ(twin, "ac9a5780-98b5-5ec6-9873-32585d2eabab");
  EXPECT_EQ(sentinel.Peek(twin).owner->user_principal_name, "alice@contoso.com");
  EXPECT_LE(Settle(), 2);
  EXPECT_EQ(sentinel.size(), 1u);
  EXPECT_EQ(*store->OutboxDepth(std::string("contoso")), 0);
  auto audit = store->AuditLog({std::string("contoso"), std::string("2972395"), 100});
  ASSERT_TRUE(audit.ok());
  EXPECT_FALSE(audit->empty());
  EXPECT_EQ(log.Count("twin.created"), 1u);
  EXPECT_EQ(metrics.Value("xdrsync_twins_created_total", {{"link", "contoso"}, {"way", "arm"}}), 1);
  // An idle cycle writes nothing at all.
  const int puts = sentinel.Calls("Put"), patches = defender.Calls("Patch");
  EXPECT_TRUE(Cycle().settled());
  EXPECT_EQ(sentinel.Calls("Put"), puts);
  EXPECT_EQ(defender.Calls("Patch"), patches);
}

TEST_F(EngineTest, AnAnalystChangeOvertakesABacklogOfAlertTables) {
  defender.Add("1");
  Settle();
  // A cold start of 20 incidents on a slow comment API: the cycle runs out of drain time.
  drain_seconds = 1;
  Reopen();
  sentinel.SlowDown("PutComment", std::chrono::milliseconds(150));
  for (int i = 0; i < 20; ++i) {
    const std::string id = std::to_string(100 + i);
    defender.Add(id).alerts = std::vector<domain::DefenderAlert>{
        {"a" + id, id, "alert of " + id, domain::ParseDSeverity("medium"), "new", "microsoftDefenderForEndpoint",
         clock.Now(), ""}};
  }
  const CycleReport cold = Cycle();
  ASSERT_TRUE(cold.status.ok()) << cold.status.ToString();
  EXPECT_EQ(sentinel.size(), 21u) << "twins go before alert tables";
  ASSERT_GT(cold.carried, 0u);
  // An analyst closes incident 1 meanwhile: the next cycle writes that before the backlog.
  defender.Edit("1", [](domain::DefenderIncident& d) {
    d.status = domain::ParseDStatus("resolved");
    d.classification = domain::ParseDClassification("falsePositive");
  });
  const CycleReport next = Cycle();
  EXPECT_EQ(WireText(sentinel.Peek(TwinName("1")).status), "Closed");
  EXPECT_GT(next.carried, 0u) << "the backlog was not what held the change back";
  // The backlog drains, each table once, and the link settles with an empty outbox.
  bool settled = false;
  for (int i = 0; i < 30 && !settled; ++i) settled = Cycle().settled();
  EXPECT_TRUE(settled);
  for (int i = 0; i < 20; ++i) {
    const auto twin = sentinel.Peek(TwinName(std::to_string(100 + i)));
    EXPECT_EQ(std::count_if(twin.comments.begin(), twin.comments.end(),
                            [](const domain::SentinelComment& c) { return c.message.find("Alerts of") != std::string::npos; }),
              1)
        << twin.name;
  }
  EXPECT_EQ(*store->OutboxDepth(std::string("contoso")), 0);
}

TEST_F(EngineTest, AChangeToAnIncidentWaitingForItsTwinOvertakesTheBacklogOfTwins) {
  // A cold start of 20 incidents on a slow ARM: the cycle runs out of drain time with twins left.
  drain_seconds = 1;
  Reopen();
  sentinel.SlowDown("Put", std::chrono::milliseconds(200));
  for (int i = 0; i < 20; ++i) defender.Add(std::to_string(100 + i));
  const CycleReport cold = Cycle();
  ASSERT_TRUE(cold.status.ok()) << cold.status.ToString();
  const size_t made = sentinel.size();
  ASSERT_GT(cold.carried, 0u);
  ASSERT_LT(made, 15u) << "the slow service leaves twins for later";
  const auto twinned = [&](const std::string& id) {
    const auto names = sentinel.Names();
    return std::find(names.begin(), names.end(), TwinName(id)) != names.end();
  };
  // Newest first: an analyst takes the oldest incident still waiting meanwhile; its twin is made
  // first, with the analyst's change, ahead of the twins carried from the cold start.
  ASSERT_TRUE(twinned("119")) << "the newest incidents get their twins first";
  ASSERT_FALSE(twinned("100"));
  defender.Edit("100", [](domain::DefenderIncident& d) { d.assigned_to = "bob@contoso.com"; });
  const int gets = sentinel.Calls("Get");
  const CycleReport next = Cycle();
  ASSERT_TRUE(next.status.ok()) << next.status.ToString();
  ASSERT_TRUE(twinned("100"));
  EXPECT_EQ(sentinel.Peek(TwinName("100")).owner->user_principal_name, "bob@contoso.com");
  // The incidents still waiting were not read again: only the twins made so far were.
  EXPECT_LE(sentinel.Calls("Get") - gets, static_cast<int>(made));
  bool settled = false;
  for (int i = 0; i < 30 && !settled; ++i) settled = Cycle().settled();
  EXPECT_TRUE(settled);
  EXPECT_EQ(sentinel.size(), 20u) << "one twin each";
  EXPECT_EQ(*store->OutboxDepth(std::string("contoso")), 0);
}

TEST_F(EngineTest, ACaptureLongerThanTheDrainWindowStillLeavesTimeForWrites) {
  // Found measuring a cold start at 2 s poll: the drain window counted from the cycle's start, so a
  // capture slower than the window left none, and no write ever ran.
  drain_seconds = 1;
  Reopen();
  sentinel.SlowDown("ListChanged", std::chrono::milliseconds(1200));
  defender.Add("1");
  const CycleReport r = Cycle();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_GT(r.writes_done, 0u);
  EXPECT_EQ(sentinel.size(), 1u);
}

TEST_F(EngineTest, ChangesFlowBothWaysAndAreAudited) {
  defender.Add("1");
  Settle();
  const std::string twin = TwinName("1");
  CloseTwinAsTruePositive(twin);
  auto r = Cycle();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(WireText(defender.Peek("1").status), "resolved");
  EXPECT_EQ(WireText(*defender.Peek("1").classification), "truePositive");
  // The read-then-PATCH window is measured for every Defender PATCH.
  EXPECT_GE(metrics.Value("xdrsync_defender_patch_window_seconds", {{"link", "contoso"}}), 1);
  defender.Edit("1", [](domain::DefenderIncident& d) { d.assigned_to = "bob@contoso.com"; });
  Cycle();
  EXPECT_EQ(sentinel.Peek(twin).owner->user_principal_name, "bob@contoso.com");
  EXPECT_LE(Settle(), 2);
  auto audit = store->AuditLog({std::string("contoso"), std::string("1"), 100});
  ASSERT_TRUE(audit.ok());
  bool status_to_defender = false, owner_to_sentinel = false;
  for (const auto& a : *audit) {
    status_to_defender |= a.field == "status" && a.direction == store::Direction::kSentinelToDefender;
    owner_to_sentinel |= a.field == "owner" && a.direction == store::Direction::kDefenderToSentinel;
  }
  EXPECT_TRUE(status_to_defender);
  EXPECT_TRUE(owner_to_sentinel);
  EXPECT_GT(log.Count("change.propagated"), 0u);
}

TEST_F(EngineTest, CommentsAreCopiedOnceAcrossRestarts) {
  defender.Add("1");
  defender.Edit("1", [&](domain::DefenderIncident& d) { d.comments.push_back({"seen on host", "alice", clock.Now()}); });
  Settle();
  const std::string twin = TwinName("1");
  sentinel.AddAnalystComment(twin, "isolated");
  Settle();
  Reopen();
  clock.Advance(60);
  Settle();
  auto count = [](const auto& comments, const std::string& text, auto get) {
    return std::count_if(comments.begin(), comments.end(), [&](const auto& c) { return get(c).find(text) != std::string::npos; });
  };
  EXPECT_EQ(count(sentinel.Peek(twin).comments, "seen on host", [](const auto& c) { return c.message; }), 1);
  EXPECT_EQ(count(defender.Peek("1").comments, "isolated", [](const auto& c) { return c.text; }), 1);
}

TEST_F(EngineTest, DryRunDecidesButWritesAndRecordsNothing) {
  defender.Add("1");
  CycleOptions o;
  o.dry_run = true;
  auto r = Cycle(o);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.plan.creations.size(), 1u);
  EXPECT_EQ(sentinel.size(), 0u);
  EXPECT_TRUE(store->Pairs("contoso")->empty());
  EXPECT_FALSE(*store->Watermark("contoso", domain::Side::kDefender));
}

TEST_F(EngineTest, LostStateIsRebuiltWithoutDuplicates) {
  defender.Add("1").assigned_to = "alice@contoso.com";
  Settle();
  std::filesystem::remove(dir / "state.db");
  std::filesystem::remove(dir / "state.db-wal");
  std::filesystem::remove(dir / "state.db-shm");
  Reopen();
  Settle();
  EXPECT_EQ(sentinel.size(), 1u);
  EXPECT_EQ(TwinName("1"), TwinId(kTenant, "1"));
}

TEST_F(EngineTest, LinkModePairsWithConnectorIncidents) {
  policy = reconcile::LinkPolicy::Defaults(reconcile::LinkMode::kLink);
  policy.name = "contoso";
  policy.defender_tenant_id = kTenant;
  Reopen();
  defender.Add("7");
  sentinel.AddConnectorIncident("7");
  defender.Edit("7", [&](domain::DefenderIncident& d) { d.comments.push_back({"note", "alice", clock.Now()}); });
  Settle();
  EXPECT_EQ(TwinName("7"), "conn-7");
  EXPECT_EQ(sentinel.size(), 1u);
  // Link mode leaves new comments to Microsoft's connector.
  const auto s = sentinel.Peek("conn-7");
  EXPECT_TRUE(std::none_of(s.comments.begin(), s.comments.end(),
                           [](const auto& c) { return c.message.find("note") != std::string::npos; }));
}

}  // namespace
}  // namespace xdrsync::engine::testing
