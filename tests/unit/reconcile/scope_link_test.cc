// Scope (spec §3), twins of twins, link mode, tombstones for deletions and disappearances.
#include <gtest/gtest.h>

#include "world.h"
#include "xdrsync/domain/comments.h"

namespace xdrsync::reconcile::testing {
namespace {

TEST(ScopeTest, ScopeDecidesCreationOnly) {
  struct Case {
    std::string name;
    std::function<void(LinkPolicy&)> policy;
    std::function<void(domain::DefenderIncident&)> incident;
    bool twin;
  };
  const Timestamp cut = Timestamp::FromUnixSeconds(1'700'000'000);
  const std::vector<Case> cases = {
      {"no scope", [](LinkPolicy&) {}, [](domain::DefenderIncident&) {}, true},
      {"below min severity", [](LinkPolicy& p) { p.scope.min_severity = "high"; },
       [](domain::DefenderIncident&) {}, false},
      {"at min severity", [](LinkPolicy& p) { p.scope.min_severity = "medium"; },
       [](domain::DefenderIncident&) {}, true},
      {"unknown severity counts as medium", [](LinkPolicy& p) { p.scope.min_severity = "medium"; },
       [](domain::DefenderIncident& d) { d.severity = domain::ParseDSeverity("unknown"); }, true},
      {"created before cut", [&](LinkPolicy& p) { p.scope.created_after = cut + 1'000'000'000; },
       [](domain::DefenderIncident&) {}, false},
      {"created after cut", [&](LinkPolicy& p) { p.scope.created_after = cut; },
       [](domain::DefenderIncident&) {}, true},
      {"excluded tag", [](LinkPolicy& p) { p.scope.exclude_tags = {"noise"}; },
       [](domain::DefenderIncident& d) { d.custom_tags = {"noise"}; }, false},
      {"opt-out label", [](LinkPolicy&) {},
       [](domain::DefenderIncident& d) { d.custom_tags = {"xdrsync:ignore"}; }, false},
      {"service source matches", [](LinkPolicy& p) { p.scope.service_sources = {"microsoftDefenderForIdentity"}; },
       [](domain::DefenderIncident& d) {
         d.alerts->push_back({"a", d.id, "t", d.severity, "new", "MicrosoftDefenderForIdentity", d.created, ""});
       },
       true},
      {"service source differs", [](LinkPolicy& p) { p.scope.service_sources = {"microsoftDefenderForIdentity"}; },
       [](domain::DefenderIncident& d) {
         d.alerts->push_back({"a", d.id, "t", d.severity, "new", "microsoftDefenderForEndpoint", d.created, ""});
       },
       false},
      {"an xdrsync twin never gets a twin", [](LinkPolicy&) {},
       [](domain::DefenderIncident& d) { d.custom_tags = {"xdrsync:ac9a5780-98b5-5ec6-9873-32585d2eabab"}; },
       false},
      {"marker in the title", [](LinkPolicy&) {},
       [](domain::DefenderIncident& d) { d.display_name += " [xdrsync:ac9a5780-98b5-5ec6-9873-32585d2eabab]"; },
       false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    LinkPolicy p = LinkPolicy::Defaults(LinkMode::kMirror);
    c.policy(p);
    World w(p);
    c.incident(w.NewDefender("1"));
    w.Cycle();
    EXPECT_EQ(w.TwinOf("1") != nullptr, c.twin);
  }
}

TEST(ScopeTest, LeavingScopeKeepsThePair) {
  LinkPolicy p = LinkPolicy::Defaults(LinkMode::kMirror);
  p.scope.min_severity = "medium";
  World w(p);
  w.NewDefender("1");
  w.Cycle();
  w.defender["1"].severity = domain::ParseDSeverity("low");
  w.defender["1"].status = domain::ParseDStatus("inProgress");
  w.TouchDefender("1");
  w.Cycle();
  EXPECT_EQ(WireText(w.Twin("1").severity), "Low");
  EXPECT_EQ(WireText(w.Twin("1").status), "Active");
}

TEST(ScopeTest, IgnoreLabelOnTheTwinStopsSyncOfThePair) {
  World w(LinkPolicy::Defaults(LinkMode::kMirror));
  w.NewDefender("1");
  w.Cycle();
  w.Twin("1").labels.push_back({"xdrsync:ignore", "User"});
  w.TouchSentinel(w.Twin("1").name);
  w.Cycle();
  w.defender["1"].status = domain::ParseDStatus("resolved");
  w.TouchDefender("1");
  EXPECT_TRUE(w.Cycle().sentinel_writes.empty());
}

domain::SentinelIncident ConnectorIncident(World& w, const std::string& defender_id, const std::string& status) {
  domain::SentinelIncident s;
  s.name = "conn-" + defender_id;
  s.title = "Incident " + defender_id;
  s.status = domain::ParseSStatus(status);
  s.severity = domain::ParseSSeverity("Medium");
  s.provider_name = "Microsoft XDR";
  s.provider_incident_id = defender_id;
  s.last_modified = w.Tick();
  s.etag = "\"c1\"";
  return w.sentinel[s.name] = s;
}

TEST(LinkModeTest, PairsByProviderIdNeverCreatesAndOnlyAddsWhatTheConnectorLacks) {
  World w(LinkPolicy::Defaults(LinkMode::kLink));
  w.NewDefender("1");
  w.NewDefender("2");  // the connector has not created this one yet
  ConnectorIncident(w, "1", "New");
  Plan p = w.Cycle();
  EXPECT_TRUE(p.creations.empty());
  ASSERT_EQ(p.pairs.size(), 1u);
  EXPECT_EQ(p.pairs[0].state.sentinel_id, "conn-1");
  // Field directions default to none: the connector syncs them.
  w.defender["1"].status = domain::ParseDStatus("resolved");
  w.TouchDefender("1");
  EXPECT_TRUE(w.Cycle().sentinel_writes.empty());
  // New comments are the connector's job too; the overflow note past 150 alerts is ours.
  w.DefenderComment("1", "hello", "alice@contoso.com");
  for (size_t i = 0; i < 151; ++i) {
    w.defender["1"].alerts->push_back({"a" + std::to_string(i), "1", "t", w.defender["1"].severity, "new",
                                       "microsoftDefenderForEndpoint", w.now, ""});
  }
  w.TouchDefender("1");
  w.Cycle();
  const auto& s = w.sentinel["conn-1"];
  EXPECT_TRUE(domain::HasLabel(s, domain::kLabelOverflow));
  EXPECT_TRUE(std::any_of(s.comments.begin(), s.comments.end(),
                          [](const auto& c) { return c.message.find("151 alerts") != std::string::npos; }));
  EXPECT_TRUE(std::none_of(s.comments.begin(), s.comments.end(),
                          [](const auto& c) { return c.message.find("hello") != std::string::npos; }));
  w.Cycle();
  EXPECT_TRUE(w.Cycle().empty());
}

TEST(LinkModeTest, FirstPairingWithDisagreementIsJournaledNotOverwritten) {
  LinkPolicy p = LinkPolicy::Defaults(LinkMode::kLink);
  p.directions[static_cast<size_t>(domain::Field::kStatus)] = Direction::kBoth;  // connector_sync_disabled
  World w(p);
  w.NewDefender("1");
  ConnectorIncident(w, "1", "Active");
  Plan plan = w.Cycle();
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].kind, "no-base");
  EXPECT_TRUE(plan.sentinel_writes.empty());
  EXPECT_TRUE(plan.defender_writes.empty());
  // From then on changes flow.
  w.defender["1"].status = domain::ParseDStatus("resolved");
  w.TouchDefender("1");
  w.Cycle();
  EXPECT_EQ(WireText(w.sentinel["conn-1"].status), "Closed");
}

TEST(TombstoneTest, DeletedTwinBecomesATombstoneAndIsNotRecreated) {
  World w(LinkPolicy::Defaults(LinkMode::kMirror));
  w.NewDefender("1");
  w.Cycle();
  const std::string twin = w.pairs["1"].sentinel_id;
  w.sentinel.erase(twin);
  Input in;
  in.policy = &w.policy;
  in.now = w.now;
  in.pairs = w.pairs;
  in.observed.defender = w.defender;
  in.observed.sentinel_missing = {twin};
  Plan p = Reconcile(in);
  ASSERT_EQ(p.pairs.size(), 1u);
  EXPECT_EQ(p.pairs[0].state.kind, PairKind::kDeletedInSentinel);
  EXPECT_TRUE(p.creations.empty());
  EXPECT_FALSE(p.notices.empty());
  w.pairs["1"].kind = PairKind::kDeletedInSentinel;
  EXPECT_TRUE(w.Cycle().creations.empty());
}

TEST(TombstoneTest, DefenderIncidentGoneLabelsTheTwinAndLeavesItOpen) {
  World w(LinkPolicy::Defaults(LinkMode::kMirror));
  w.NewDefender("1");
  w.Cycle();
  Input in;
  in.policy = &w.policy;
  in.now = w.now;
  in.pairs = w.pairs;
  in.observed.sentinel = w.sentinel;
  in.observed.defender_gone = {"1"};
  Plan p = Reconcile(in);
  ASSERT_EQ(p.sentinel_writes.size(), 1u);
  EXPECT_TRUE(domain::HasLabel(p.sentinel_writes[0].incident, domain::kLabelSourceGone));
  EXPECT_EQ(WireText(p.sentinel_writes[0].incident.status), "New");
  ASSERT_EQ(p.pairs.size(), 1u);
  EXPECT_EQ(p.pairs[0].state.kind, PairKind::kSourceGone);
}

}  // namespace
}  // namespace xdrsync::reconcile::testing
