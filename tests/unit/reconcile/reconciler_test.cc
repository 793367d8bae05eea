// Rules 1-3 and 5 of spec §5, twin creation (§3), mapping on propagation (§4), echo suppression.
#include <gtest/gtest.h>

#include "world.h"
#include "xdrsync/core/uuid.h"

namespace xdrsync::reconcile::testing {
namespace {

using domain::Field;

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest() : w(Defaults()) {}
  static LinkPolicy Defaults() {
    LinkPolicy p = LinkPolicy::Defaults(LinkMode::kMirror);
    p.mapping.title_prefix = "[contoso] ";
    p.digest_min_interval_seconds = 0;
    return p;
  }
  // Runs cycles until one plans nothing; fails if that takes more than `max`.
  void Settle(int max = 3) {
    for (int i = 0; i < max; ++i) {
      if (w.Cycle().empty()) return;
    }
    ADD_FAILURE() << "not settled after " << max << " cycles";
  }
  World w;
};

TEST_F(ReconcilerTest, NewIncidentGetsOneDeterministicTwin) {
  auto& d = w.NewDefender("2972395");
  d.assigned_to = "alice@contoso.com";
  d.severity = domain::ParseDSeverity("high");
  Plan p = w.Cycle();
  ASSERT_EQ(p.creations.size(), 1u);
  EXPECT_EQ(p.creations[0].twin_id, "ac9a5780-98b5-5ec6-9873-32585d2eabab");
  const auto& twin = w.Twin("2972395");
  EXPECT_EQ(twin.title, "[contoso] Incident 2972395");
  EXPECT_EQ(WireText(twin.status), "New");
  EXPECT_EQ(WireText(twin.severity), "High");
  EXPECT_FALSE(twin.classification);  // an open twin carries no classification
  EXPECT_EQ(twin.owner->user_principal_name, "alice@contoso.com");
  EXPECT_EQ(twin.first_activity, d.created);
  EXPECT_EQ(twin.description.rfind("Defender incident 2972395", 0), 0u);
  Settle();
  EXPECT_EQ(w.sentinel.size(), 1u);
  EXPECT_TRUE(w.Cycle().empty());
}

TEST_F(ReconcilerTest, ChangeOnOneSidePropagatesThroughTheMappingAndEchoesNothing) {
  w.NewDefender("1");
  Settle();
  w.defender["1"].status = domain::ParseDStatus("inProgress");
  w.TouchDefender("1");
  Plan p = w.Cycle();
  ASSERT_EQ(p.sentinel_writes.size(), 1u);
  EXPECT_EQ(p.sentinel_writes[0].changes[0].to, "Active");
  EXPECT_EQ(WireText(w.Twin("1").status), "Active");
  EXPECT_TRUE(w.Cycle().empty()) << "our own write came back as a change";

  auto& s = w.Twin("1");
  s.status = domain::ParseSStatus("Closed");
  s.classification = domain::ParseSClassification("FalsePositive");
  s.classification_reason = domain::ParseSReason("IncorrectAlertLogic");
  s.classification_comment = "noise";
  w.TouchSentinel(s.name);
  p = w.Cycle();
  ASSERT_EQ(p.defender_writes.size(), 1u);
  const auto& d = w.defender["1"];
  EXPECT_EQ(WireText(d.status), "resolved");
  EXPECT_EQ(WireText(*d.classification), "falsePositive");
  EXPECT_EQ(WireText(*d.determination), "unknown");  // an unset determination stays unset
  EXPECT_EQ(*d.resolving_comment, "noise");
  EXPECT_TRUE(w.Cycle().empty());
}

TEST_F(ReconcilerTest, ABaseStampedInTheFutureDoesNotHideLaterRealChanges) {
  // One listing stamped the incident 2099 (a bad page, a service clock gone wrong) and that became
  // its base: the real changes after it, stamped now, used to be taken for stale reads for good.
  w.NewDefender("1");
  Settle();
  const Timestamp y2099 = *Timestamp::Parse("2099-01-01T00:00:00Z");
  for (Field f : domain::kAllFields) {
    if (auto& b = w.pairs["1"].defender[f]) b->stamp = {y2099, ""};
  }
  w.defender["1"].status = domain::ParseDStatus("inProgress");
  w.TouchDefender("1");
  w.Cycle();
  EXPECT_EQ(WireText(w.Twin("1").status), "Active");
  Settle();
}

TEST_F(ReconcilerTest, ReopenIsANormalChange) {
  w.NewDefender("1");
  Settle();
  auto& s = w.Twin("1");
  s.status = domain::ParseSStatus("Closed");
  s.classification = domain::ParseSClassification("TruePositive");
  s.classification_reason = domain::ParseSReason("SuspiciousActivity");
  w.TouchSentinel(s.name);
  Settle();
  EXPECT_EQ(WireText(w.defender["1"].status), "resolved");
  w.defender["1"].status = domain::ParseDStatus("active");
  w.TouchDefender("1");
  w.Cycle();
  EXPECT_EQ(WireText(w.Twin("1").status), "New");
  w.Twin("1").status = domain::ParseSStatus("Closed");
  w.TouchSentinel(w.Twin("1").name);
  w.Cycle();
  EXPECT_EQ(WireText(w.defender["1"].status), "resolved");
}

TEST_F(ReconcilerTest, ResolvedWithoutClassificationClosesAsUndetermined) {
  w.NewDefender("1");
  Settle();
  w.defender["1"].status = domain::ParseDStatus("resolved");
  w.TouchDefender("1");
  w.Cycle();
  const auto& s = w.Twin("1");
  EXPECT_EQ(WireText(s.status), "Closed");
  ASSERT_TRUE(s.classification);
  EXPECT_EQ(WireText(*s.classification), "Undetermined");
  EXPECT_FALSE(s.classification_reason);
  EXPECT_TRUE(w.Cycle().empty());
}

TEST_F(ReconcilerTest, LossyChangeThatMapsToWhatTheOtherSideHoldsWritesNothing) {
  auto& d = w.NewDefender("1");
  d.classification = domain::ParseDClassification("truePositive");
  d.determination = domain::ParseDDetermination("malware");
  Settle();
  w.defender["1"].determination = domain::ParseDDetermination("phishing");
  w.TouchDefender("1");
  Plan p = w.Cycle();
  EXPECT_TRUE(p.sentinel_writes.empty());
  EXPECT_TRUE(p.defender_writes.empty());
  EXPECT_EQ(p.base_updates.size(), 2u);  // both bases move: the sides agree
  EXPECT_TRUE(w.Cycle().empty());
  EXPECT_EQ(WireText(*w.defender["1"].determination), "phishing");
}

TEST_F(ReconcilerTest, StaleObservationIsIgnored) {
  w.NewDefender("1");
  Settle();
  w.defender["1"].severity = domain::ParseDSeverity("high");
  w.TouchDefender("1");
  w.Cycle();
  // A list page lagging behind our own write shows the old value with an older stamp.
  Input in;
  in.policy = &w.policy;
  in.now = w.now;
  in.pairs = w.pairs;
  in.observed.defender = w.defender;
  in.observed.sentinel = w.sentinel;
  auto& lagging = in.observed.sentinel.at(w.pairs["1"].sentinel_id);
  lagging.severity = domain::ParseSSeverity("Medium");
  lagging.owner = domain::SentinelOwner{"", "", "", "mallory@fabrikam.com", domain::ParseSOwnerType("User")};
  lagging.last_modified = lagging.last_modified - 30;
  lagging.etag = "\"old\"";
  EXPECT_TRUE(Reconcile(in).empty());
}

TEST_F(ReconcilerTest, BothChangedToTheSameThingIsAFalseConflict) {
  w.NewDefender("1");
  Settle();
  w.defender["1"].assigned_to = "bob@contoso.com";
  w.TouchDefender("1");
  w.Twin("1").owner = domain::SentinelOwner{"", "", "", "bob@contoso.com", domain::ParseSOwnerType("User")};
  w.TouchSentinel(w.Twin("1").name);
  Plan p = w.Cycle();
  EXPECT_TRUE(p.sentinel_writes.empty());
  EXPECT_TRUE(p.defender_writes.empty());
  EXPECT_TRUE(p.conflicts.empty());
  EXPECT_TRUE(w.Cycle().empty());
}

TEST_F(ReconcilerTest, BaseMovesOnlyAfterTheWriteIsConfirmed) {
  w.NewDefender("1");
  Settle();
  w.defender["1"].status = domain::ParseDStatus("inProgress");
  w.TouchDefender("1");
  // An analyst saves the twin between our read and our PUT: 409, nothing moves.
  const std::string name = w.pairs["1"].sentinel_id;
  w.Cycle([&] { w.TouchSentinel(name); });
  EXPECT_EQ(w.sentinel_conflicts, 1);
  EXPECT_EQ(WireText(w.Twin("1").status), "New");
  EXPECT_EQ(w.pairs["1"].defender[Field::kStatus]->value, "active");
  w.Cycle();
  EXPECT_EQ(WireText(w.Twin("1").status), "Active");
  EXPECT_TRUE(w.Cycle().empty());
}

TEST_F(ReconcilerTest, DefenderWriteIsReplannedWhenDefenderMovedSinceTheRead) {
  w.NewDefender("1");
  Settle();
  w.Twin("1").status = domain::ParseSStatus("Active");
  w.TouchSentinel(w.Twin("1").name);
  w.Cycle([&] {
    w.defender["1"].status = domain::ParseDStatus("resolved");
    w.TouchDefender("1");
  });
  EXPECT_EQ(w.defender_replans, 1);
  EXPECT_EQ(WireText(w.defender["1"].status), "resolved");  // the analyst's value survived
  w.Cycle();
  w.Cycle();
  EXPECT_TRUE(domain::Agree(Field::kStatus, "resolved", WireText(w.Twin("1").status), w.policy.mapping) ||
              !w.journal.empty());
}

TEST_F(ReconcilerTest, OneWayFieldsIgnoreTheOtherSide) {
  w.NewDefender("1");
  Settle();
  w.Twin("1").severity = domain::ParseSSeverity("Low");
  w.Twin("1").title = "renamed in Sentinel";
  w.TouchSentinel(w.Twin("1").name);
  Plan p = w.Cycle();
  EXPECT_TRUE(p.defender_writes.empty());
  EXPECT_EQ(WireText(w.defender["1"].severity), "medium");
  w.defender["1"].display_name = "renamed in Defender";
  w.TouchDefender("1");
  w.Cycle();
  EXPECT_EQ(w.Twin("1").title, "[contoso] renamed in Defender");
}

TEST_F(ReconcilerTest, OwnerMapAppliesBothWaysAndClearingClears) {
  w.policy.mapping.owners.domains = {{"contoso.com", "fabrikam.com"}};
  w.NewDefender("1").assigned_to = "bob@contoso.com";
  Settle();
  EXPECT_EQ(w.Twin("1").owner->user_principal_name, "bob@fabrikam.com");
  w.Twin("1").owner = domain::SentinelOwner{"", "", "", "carol@fabrikam.com", domain::ParseSOwnerType("User")};
  w.TouchSentinel(w.Twin("1").name);
  w.Cycle();
  EXPECT_EQ(*w.defender["1"].assigned_to, "carol@contoso.com");
  w.defender["1"].assigned_to.reset();
  w.TouchDefender("1");
  w.Cycle();
  EXPECT_FALSE(w.Twin("1").owner);
  EXPECT_TRUE(w.Cycle().empty());
}

TEST_F(ReconcilerTest, UnmappedOwnerUnderKeepUnassignedLeavesOneCommentSayingWho) {
  w.policy.mapping.owners.unmapped = domain::OwnerMap::Unmapped::kKeepUnassigned;
  w.NewDefender("1").assigned_to = "eve@partner.org";
  Settle();
  EXPECT_FALSE(w.Twin("1").owner);
  auto says_eve = [&] {
    const auto& cs = w.Twin("1").comments;
    return std::count_if(cs.begin(), cs.end(),
                         [](const auto& c) { return c.message.find("eve@partner.org") != std::string::npos; });
  };
  EXPECT_EQ(says_eve(), 1);
  w.defender["1"].assigned_to = "mallory@partner.org";
  w.TouchDefender("1");
  Settle();
  EXPECT_EQ(says_eve(), 1);
  const auto& cs = w.Twin("1").comments;
  EXPECT_EQ(std::count_if(cs.begin(), cs.end(),
                          [](const auto& c) { return c.message.find("mallory@partner.org") != std::string::npos; }),
            1);
}

TEST_F(ReconcilerTest, TagsMergeAsSetsAndOwnedLabelsNeverReachDefender) {
  w.NewDefender("1").custom_tags = {"base"};
  Settle();
  w.defender["1"].custom_tags = {"base", "from-d"};
  w.TouchDefender("1");
  w.Twin("1").labels.push_back({"from-s", "User"});
  w.Twin("1").labels.push_back({"Redirected", "User"});
  w.Twin("1").labels.push_back({"auto", "AutoAssigned"});
  w.TouchSentinel(w.Twin("1").name);
  Settle();
  auto tags = w.defender["1"].custom_tags;
  std::sort(tags.begin(), tags.end());
  EXPECT_EQ(tags, (std::vector<std::string>{"base", "from-d", "from-s"}));
  EXPECT_TRUE(domain::HasLabel(w.Twin("1"), "from-d"));
  EXPECT_TRUE(domain::HasLabel(w.Twin("1"), "auto"));
  // A removal on one side removes on both.
  std::erase(w.defender["1"].custom_tags, "base");
  w.TouchDefender("1");
  Settle();
  EXPECT_FALSE(domain::HasLabel(w.Twin("1"), "base"));
  EXPECT_TRUE(domain::HasLabel(w.Twin("1"), "Redirected"));
}

TEST_F(ReconcilerTest, ATagRemovedBetweenTheTwoHalvesOfATwoSidedTagWriteStaysRemoved) {
  // Found by the chaos harness: tags merged onto both sides keep their common base until both
  // writes are confirmed; if it never moved, a tag the analyst removed on Sentinel after our PUT
  // (and before our PATCH) looked like a Defender addition and came back.
  w.NewDefender("1");
  Settle();
  w.defender["1"].custom_tags = {"t-green"};
  w.TouchDefender("1");
  w.Twin("1").labels.push_back({"t-ops", "User"});
  w.TouchSentinel(w.Twin("1").name);
  w.between_sides = [&] {
    std::erase_if(w.Twin("1").labels, [](const auto& l) { return l.name == "t-ops"; });
    w.TouchSentinel(w.Twin("1").name);
  };
  Plan both = w.Cycle();
  ASSERT_EQ(both.sentinel_writes.size(), 1u);
  ASSERT_EQ(both.defender_writes.size(), 1u);
  Settle();
  EXPECT_FALSE(domain::HasLabel(w.Twin("1"), "t-ops"));
  EXPECT_EQ(w.defender["1"].custom_tags, (std::vector<std::string>{"t-green"}));
  EXPECT_TRUE(domain::HasLabel(w.Twin("1"), "t-green"));
}

TEST_F(ReconcilerTest, RefusedInProgressAndResolvingCommentFallBack) {
  w.policy.defender_refuses_in_progress = true;
  w.policy.defender_refuses_resolving_comment = true;
  w.NewDefender("1");
  Settle();
  auto& s = w.Twin("1");
  s.status = domain::ParseSStatus("Active");
  s.classification_comment = "handled by tier 2";
  w.TouchSentinel(s.name);
  Plan p = w.Cycle();
  EXPECT_EQ(WireText(w.defender["1"].status), "active");
  ASSERT_EQ(p.comments.size(), 1u);
  EXPECT_EQ(p.comments[0].purpose, "closing-comment");
  EXPECT_NE(w.defender["1"].comments.back().text.find("handled by tier 2"), std::string::npos);
  Settle();
}

TEST_F(ReconcilerTest, PlansAreDeterministic) {
  for (int i = 0; i < 5; ++i) w.NewDefender(std::to_string(100 + i)).custom_tags = {"t" + std::to_string(i)};
  Input in;
  in.policy = &w.policy;
  in.now = w.now;
  in.observed.defender = w.defender;
  Plan a = Reconcile(in), b = Reconcile(in);
  ASSERT_EQ(a.creations.size(), b.creations.size());
  for (size_t i = 0; i < a.creations.size(); ++i) {
    EXPECT_EQ(a.creations[i].twin_id, b.creations[i].twin_id);
    EXPECT_EQ(a.creations[i].incident.description, b.creations[i].incident.description);
  }
  EXPECT_EQ(a.comments.size(), b.comments.size());
}

TEST_F(ReconcilerTest, LostStateAdoptsExistingTwinsInsteadOfCreating) {
  w.NewDefender("1").assigned_to = "alice@contoso.com";
  Settle();
  w.pairs.clear();  // the state database is gone
  Plan p = w.Cycle();
  EXPECT_TRUE(p.creations.empty());
  ASSERT_EQ(p.pairs.size(), 1u);
  EXPECT_TRUE(p.conflicts.empty());  // the sides agree: current values become the base
  Settle();
  EXPECT_EQ(w.sentinel.size(), 1u);
}

TEST_F(ReconcilerTest, LostStateWithDisagreementJournalsInsteadOfOverwriting) {
  w.NewDefender("1");
  Settle();
  const std::string twin = w.pairs["1"].sentinel_id;
  w.pairs.clear();
  w.sentinel[twin].status = domain::ParseSStatus("Active");
  w.TouchSentinel(twin);
  Plan p = w.Cycle();
  EXPECT_TRUE(p.sentinel_writes.empty());
  EXPECT_TRUE(p.defender_writes.empty());
  ASSERT_FALSE(p.conflicts.empty());
  EXPECT_EQ(p.conflicts[0].kind, "no-base");
}

}  // namespace
}  // namespace xdrsync::reconcile::testing
