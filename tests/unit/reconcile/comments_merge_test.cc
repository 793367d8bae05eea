// Comments (spec §4), merges (spec §6), alert overflow and digest (spec §7).
#include <gtest/gtest.h>

#include <map>

#include "world.h"
#include "xdrsync/domain/comments.h"

namespace xdrsync::reconcile::testing {
namespace {

using domain::Field;

LinkPolicy Mirror() {
  LinkPolicy p = LinkPolicy::Defaults(LinkMode::kMirror);
  p.digest_min_interval_seconds = 0;
  return p;
}

// Every marker appears at most once per incident.
void ExpectNoDuplicateCopies(const World& w) {
  for (const auto& [id, d] : w.defender) {
    std::map<std::string, int> seen;
    for (const auto& c : d.comments) {
      if (auto m = domain::FindMarker(c.text)) {
        EXPECT_EQ(++seen[*m], 1) << "duplicate in Defender " << id;
      }
    }
  }
  for (const auto& [name, s] : w.sentinel) {
    std::map<std::string, int> seen;
    for (const auto& c : s.comments) {
      if (auto m = domain::FindMarker(c.message)) {
        EXPECT_EQ(++seen[*m], 1) << "duplicate in Sentinel " << name;
      }
    }
  }
}

size_t CountContaining(const std::vector<domain::SentinelComment>& cs, const std::string& text) {
  return static_cast<size_t>(std::count_if(cs.begin(), cs.end(), [&](const auto& c) {
    return c.message.find(text) != std::string::npos;
  }));
}

size_t CountContaining(const std::vector<domain::DefenderComment>& cs, const std::string& text) {
  return static_cast<size_t>(std::count_if(cs.begin(), cs.end(), [&](const auto& c) {
    return c.text.find(text) != std::string::npos;
  }));
}

TEST(CommentsTest, CopiedBothWaysOnceWithOriginHeadersAndNeverBack) {
  World w(Mirror());
  w.NewDefender("1");
  w.DefenderComment("1", "seen on host A", "alice@contoso.com");
  w.Cycle();
  w.Cycle();
  const std::string twin = w.pairs["1"].sentinel_id;
  EXPECT_EQ(CountContaining(w.sentinel[twin].comments, "seen on host A"), 1u);
  EXPECT_EQ(CountContaining(w.sentinel[twin].comments, "From Defender — alice@contoso.com"), 1u);
  w.SentinelComment(twin, "isolated the host", "sam@fabrikam.com");
  w.Cycle();
  EXPECT_EQ(CountContaining(w.defender["1"].comments, "isolated the host"), 1u);
  EXPECT_EQ(CountContaining(w.defender["1"].comments, "From Sentinel — sam@fabrikam.com"), 1u);
  EXPECT_EQ(CountContaining(w.defender["1"].comments, "Sentinel twin: incident 1"), 1u);  // deep link
  for (int i = 0; i < 3; ++i) w.Cycle();
  EXPECT_EQ(CountContaining(w.sentinel[twin].comments, "seen on host A"), 1u);
  EXPECT_EQ(CountContaining(w.sentinel[twin].comments, "isolated the host"), 1u);
  ExpectNoDuplicateCopies(w);
  // With the provenance lost, the markers alone still prevent duplicates.
  w.pairs["1"].copied.clear();
  EXPECT_TRUE(w.Cycle().comments.empty());
}

TEST(CommentsTest, SentinelCommentCapLeavesOneNoticeAndALabel) {
  World w(Mirror());
  w.NewDefender("1");
  for (int i = 0; i < 120; ++i) w.DefenderComment("1", "note " + std::to_string(i), "alice@contoso.com");
  w.Cycle();
  w.Cycle();
  const auto& s = w.Twin("1");
  EXPECT_EQ(s.comments.size(), domain::kSentinelMaxComments);
  EXPECT_EQ(CountContaining(s.comments, "limit of 100 comments"), 1u);
  EXPECT_TRUE(domain::HasLabel(s, domain::kLabelCommentsCapped));
  w.DefenderComment("1", "one more", "alice@contoso.com");
  w.Cycle();
  EXPECT_EQ(w.Twin("1").comments.size(), domain::kSentinelMaxComments);
  EXPECT_TRUE(w.Cycle().empty());
}

TEST(MergeTest, RedirectClosesLabelsPointsAndCarriesComments) {
  World w(Mirror());
  w.NewDefender("A").alerts->push_back({"a1", "A", "alert one", domain::ParseDSeverity("low"), "new",
                                         "microsoftDefenderForEndpoint", w.now, ""});
  w.NewDefender("B");
  w.DefenderComment("A", "triage notes on A", "alice@contoso.com");
  w.Cycle();
  w.Cycle();
  const std::string a_twin = w.pairs["A"].sentinel_id, b_twin = w.pairs["B"].sentinel_id;
  w.SentinelComment(a_twin, "sentinel-side finding on A", "sam@fabrikam.com");
  w.Merge("A", "B");
  Plan p = w.Cycle();
  const auto& at = w.sentinel[a_twin];
  EXPECT_EQ(WireText(at.status), "Closed");
  EXPECT_EQ(WireText(*at.classification), "Undetermined");
  EXPECT_TRUE(domain::HasLabel(at, domain::kLabelRedirected));
  EXPECT_EQ(CountContaining(at.comments, "merged this incident into incident B"), 1u);
  EXPECT_EQ(w.pairs["A"].kind, PairKind::kMerged);
  EXPECT_EQ(w.pairs["A"].merged_into, "B");
  // Both human comments reach B and B's twin, once each.
  for (const std::string text : {"triage notes on A", "sentinel-side finding on A"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(CountContaining(w.defender["B"].comments, text), 1u);
    EXPECT_EQ(CountContaining(w.sentinel[b_twin].comments, text), 1u);
  }
  for (int i = 0; i < 3; ++i) w.Cycle();
  ExpectNoDuplicateCopies(w);
  // Alert membership followed the alerts: B's twin's description now counts it.
  EXPECT_NE(w.sentinel[b_twin].description.find("Alerts: 1"), std::string::npos);
  // Later edits of A's twin: comments go to the survivor, field edits are journaled.
  w.SentinelComment(a_twin, "late note on A", "sam@fabrikam.com");
  w.sentinel[a_twin].owner = domain::SentinelOwner{"", "", "", "late@fabrikam.com", domain::ParseSOwnerType("User")};
  w.TouchSentinel(a_twin);
  Plan later = w.Cycle();
  EXPECT_EQ(CountContaining(w.defender["B"].comments, "late note on A"), 1u);
  ASSERT_FALSE(later.conflicts.empty());
  EXPECT_EQ(later.conflicts[0].kind, "merged-source");
  EXPECT_TRUE(w.Cycle().empty());
}

TEST(MergeTest, ATwinNoPairKnowsOfAnIncidentMergedAwayIsClosed) {
  // Found by a chaos seed: a twin made just before its incident was merged away, whose record was
  // lost with the state, stayed open: an incident first seen redirected was taken for one that
  // never had a twin.
  World w(Mirror());
  w.NewDefender("A");
  w.NewDefender("B");
  w.Cycle();
  w.Cycle();
  const std::string a_twin = w.pairs["A"].sentinel_id;
  w.pairs.erase("A");  // the state that knew it is lost
  w.Merge("A", "B");
  w.Cycle();
  EXPECT_EQ(WireText(w.sentinel[a_twin].status), "Closed");
  EXPECT_TRUE(domain::HasLabel(w.sentinel[a_twin], domain::kLabelRedirected));
  EXPECT_EQ(CountContaining(w.sentinel[a_twin].comments, "merged this incident into incident B"), 1u);
  ASSERT_TRUE(w.pairs.count("A"));
  EXPECT_EQ(w.pairs["A"].kind, PairKind::kMerged);
  EXPECT_EQ(w.pairs["A"].merged_into, "B");
  for (int i = 0; i < 3; ++i) w.Cycle();
  ExpectNoDuplicateCopies(w);
  EXPECT_TRUE(w.Cycle().empty());
}

TEST(MergeTest, ACloseRefusedInTheMergeCycleIsFinishedByTheTombstonesVisit) {
  World w(Mirror());
  w.NewDefender("A");
  w.NewDefender("B");
  w.Cycle();
  w.Cycle();
  const std::string a_twin = w.pairs["A"].sentinel_id;
  w.Merge("A", "B");
  // An analyst touches A's twin between our read and our PUT: the close is refused (409), while the
  // pair already became a tombstone in the same decision.
  w.Cycle([&] { w.TouchSentinel(a_twin, "sam@fabrikam.com"); });
  ASSERT_EQ(w.sentinel_conflicts, 1);
  ASSERT_EQ(w.pairs["A"].kind, PairKind::kMerged);
  ASSERT_NE(WireText(w.sentinel[a_twin].status), "Closed");
  w.TouchSentinel(a_twin, "sam@fabrikam.com");  // the sweep reads the tombstone's twin again
  w.Cycle();
  EXPECT_EQ(WireText(w.sentinel[a_twin].status), "Closed");
  EXPECT_TRUE(domain::HasLabel(w.sentinel[a_twin], domain::kLabelRedirected));
  EXPECT_EQ(CountContaining(w.sentinel[a_twin].comments, "merged this incident into incident B"), 1u);
  EXPECT_TRUE(w.Cycle().empty());
  // Once our close is confirmed, an analyst's reopening is theirs: journaled, not closed again.
  w.sentinel[a_twin].status = domain::ParseSStatus("Active");
  w.TouchSentinel(a_twin, "sam@fabrikam.com");
  Plan reopened = w.Cycle();
  EXPECT_TRUE(reopened.sentinel_writes.empty());
  ASSERT_EQ(reopened.conflicts.size(), 1u);
  EXPECT_EQ(reopened.conflicts[0].kind, "merged-source");
  EXPECT_EQ(WireText(w.sentinel[a_twin].status), "Active");
  ExpectNoDuplicateCopies(w);
}

// Comments planned for an incident (Defender id or twin name) in a plan.
size_t CommentsFor(const Plan& p, const std::string& incident) {
  return static_cast<size_t>(std::count_if(p.comments.begin(), p.comments.end(),
                                           [&](const CommentWrite& c) { return c.target_incident == incident; }));
}

// Run A merged into B with A's comments carried, then lose what the state recorded of those writes.
World CarriedThenRecordLost(std::string* a_twin, std::string* b_twin) {
  World w(Mirror());
  w.NewDefender("A");
  w.NewDefender("B");
  w.DefenderComment("A", "triage notes on A", "alice@contoso.com");
  w.Cycle();
  w.Cycle();
  *a_twin = w.pairs["A"].sentinel_id;
  *b_twin = w.pairs["B"].sentinel_id;
  w.SentinelComment(*a_twin, "sentinel-side finding on A", "sam@fabrikam.com");
  w.Merge("A", "B");
  w.Cycle();
  w.Cycle();
  EXPECT_EQ(w.pairs["A"].kind, PairKind::kMerged);
  EXPECT_EQ(CountContaining(w.sentinel[*b_twin].comments, "triage notes on A"), 1u);
  for (auto& [id, pair] : w.pairs) pair.copied.clear();
  return w;
}

TEST(MergeTest, ATombstonesVisitCarriesNothingWhileTheSurvivorsTwinIsUnread) {
  // Found by the long chaos run: after a lost state (which takes the record of carried comments),
  // the merged-away twin was visited again in a cycle whose read of the survivor's twin failed,
  // and every comment carried before was written to it again.
  std::string a_twin, b_twin;
  World w = CarriedThenRecordLost(&a_twin, &b_twin);
  w.TouchSentinel(a_twin, "sam@fabrikam.com");
  w.unread_sentinel.insert(b_twin);
  Plan p = w.Cycle();
  EXPECT_EQ(CommentsFor(p, b_twin), 0u) << "carried comments planned against an unread twin";
  EXPECT_EQ(CommentsFor(p, "B"), 0u);
  EXPECT_TRUE(p.revisit.count("A")) << "the tombstone must be read again";
  // Read again: its comments are already there, nothing is written.
  w.TouchSentinel(a_twin, "sam@fabrikam.com");
  Plan next = w.Cycle();
  EXPECT_EQ(CommentsFor(next, b_twin), 0u);
  EXPECT_EQ(CommentsFor(next, "B"), 0u);
  ExpectNoDuplicateCopies(w);
}

TEST(MergeTest, AMergeWaitsForACycleThatReadsTheSurvivorsTwin) {
  // A redirect seen again after the state that recorded its tombstone was lost: the merge is
  // handled again, and its carry must look at what the survivor's twin holds.
  std::string a_twin, b_twin;
  World w = CarriedThenRecordLost(&a_twin, &b_twin);
  w.pairs["A"].kind = PairKind::kActive;
  w.pairs["A"].merged_into.clear();
  w.unread_sentinel.insert(b_twin);
  Plan p = w.Cycle();
  EXPECT_EQ(CommentsFor(p, b_twin), 0u) << "carried comments planned against an unread twin";
  EXPECT_TRUE(p.pairs.empty()) << "the merge is handled whole or not at all";
  EXPECT_EQ(w.pairs["A"].kind, PairKind::kActive);
  EXPECT_TRUE(p.revisit.count("A"));
  ASSERT_FALSE(p.notices.empty());
  EXPECT_NE(p.notices.back().message.find("waits"), std::string::npos);
  Plan next = w.Cycle();
  EXPECT_EQ(w.pairs["A"].kind, PairKind::kMerged);
  EXPECT_EQ(CommentsFor(next, b_twin), 0u) << "comments the twin already holds were written again";
  EXPECT_EQ(CountContaining(w.sentinel[b_twin].comments, "sentinel-side finding on A"), 1u);
  ExpectNoDuplicateCopies(w);
  EXPECT_TRUE(w.Cycle().empty());
}

TEST(MergeTest, SecondMergeCarriesCommentsOnWithoutDuplicates) {
  World w(Mirror());
  for (const char* id : {"A", "B", "C"}) w.NewDefender(id);
  w.DefenderComment("A", "from A", "alice@contoso.com");
  w.DefenderComment("B", "from B", "bob@contoso.com");
  w.Cycle();
  w.Cycle();
  w.Merge("A", "B");
  w.Cycle();
  w.Cycle();
  w.Merge("B", "C");
  w.Cycle();
  w.Cycle();
  const auto& c_twin = w.Twin("C");
  EXPECT_EQ(CountContaining(w.defender["C"].comments, "from A"), 1u);
  EXPECT_EQ(CountContaining(w.defender["C"].comments, "from B"), 1u);
  EXPECT_EQ(CountContaining(c_twin.comments, "from A"), 1u);
  EXPECT_EQ(CountContaining(c_twin.comments, "from B"), 1u);
  ExpectNoDuplicateCopies(w);
  EXPECT_TRUE(w.Cycle().empty());
}

TEST(MergeTest, SurvivorWithoutTwinGetsOneEvenOutOfScope) {
  LinkPolicy p = Mirror();
  p.scope.min_severity = "high";
  World w(p);
  w.NewDefender("A").severity = domain::ParseDSeverity("high");
  w.NewDefender("B").severity = domain::ParseDSeverity("low");
  w.Cycle();
  EXPECT_EQ(w.sentinel.size(), 1u);  // B is out of scope
  w.DefenderComment("A", "keep me", "alice@contoso.com");
  w.Merge("A", "B");
  w.Cycle();
  ASSERT_NE(w.TwinOf("B"), nullptr);
  EXPECT_EQ(CountContaining(w.Twin("B").comments, "keep me"), 1u);
  w.Cycle();
  EXPECT_TRUE(w.Cycle().empty());
}

TEST(MergeTest, ChainsAreFollowedAndLoopsGuarded) {
  World w(Mirror());
  for (const char* id : {"A", "B", "C"}) w.NewDefender(id);
  w.Cycle();
  // A -> B -> C seen in one cycle: A's twin points at C.
  w.Merge("B", "C");
  w.Merge("A", "B");
  w.Cycle();
  EXPECT_EQ(w.pairs["A"].merged_into, "C");
  // A loop never resolves: a notice, no writes for it.
  World loop(Mirror());
  loop.NewDefender("X");
  loop.NewDefender("Y");
  loop.Cycle();
  loop.defender["X"].status = domain::ParseDStatus("redirected");
  loop.defender["X"].redirect_incident_id = "Y";
  loop.defender["Y"].status = domain::ParseDStatus("redirected");
  loop.defender["Y"].redirect_incident_id = "X";
  loop.TouchDefender("X");
  loop.TouchDefender("Y");
  Plan p = loop.Cycle();
  EXPECT_TRUE(p.sentinel_writes.empty());
  EXPECT_FALSE(p.notices.empty());
  EXPECT_EQ(loop.pairs["X"].kind, PairKind::kActive);
}

TEST(MergeTest, IncidentFirstSeenRedirectedGetsNoTwin) {
  World w(Mirror());
  w.NewDefender("B");
  w.NewDefender("A");
  w.Merge("A", "B");
  w.Cycle();
  EXPECT_EQ(w.TwinOf("A"), nullptr);
  EXPECT_NE(w.TwinOf("B"), nullptr);
}

std::vector<domain::DefenderAlert> Alerts(size_t n, Timestamp t) {
  std::vector<domain::DefenderAlert> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back({"da" + std::to_string(i), "1", "alert " + std::to_string(i), domain::ParseDSeverity("medium"),
                   "new", "microsoftDefenderForEndpoint", t + static_cast<int64_t>(i), ""});
  }
  return out;
}

TEST(OverflowTest, LabelWithHysteresisAndOneAlertTableEditedInPlace) {
  World w(Mirror());
  w.NewDefender("1").alerts = Alerts(200, w.now);
  w.Cycle();
  const std::string twin = w.pairs["1"].sentinel_id;
  EXPECT_TRUE(domain::HasLabel(w.sentinel[twin], domain::kLabelOverflow));
  EXPECT_EQ(CountContaining(w.sentinel[twin].comments, "showing 150 of 200"), 1u);
  w.defender["1"].alerts = Alerts(145, w.now);
  w.TouchDefender("1");
  w.Cycle();
  EXPECT_TRUE(domain::HasLabel(w.sentinel[twin], domain::kLabelOverflow));  // 145: keep
  w.defender["1"].alerts = Alerts(140, w.now);
  w.TouchDefender("1");
  w.Cycle();
  EXPECT_FALSE(domain::HasLabel(w.sentinel[twin], domain::kLabelOverflow));
  EXPECT_EQ(CountContaining(w.sentinel[twin].comments, "Alerts of Defender incident 1"), 1u);
  EXPECT_EQ(CountContaining(w.sentinel[twin].comments, "showing 150"), 0u);
  w.Cycle();
  EXPECT_TRUE(w.Cycle().empty());
}

TEST(OverflowTest, ATwinNamedByTheServiceKeepsTheAlertTablePlannedWithItsCreation) {
  // Found by the chaos harness: a defender-alert twin gets its name from the service, and the
  // alert table planned with its creation (under the twin id) was written again under the new
  // name when a later cycle rewrote it: two tables.
  World w(Mirror());
  w.NewDefender("1").alerts = Alerts(3, w.now);
  w.Cycle();
  const std::string twin_id = w.pairs["1"].sentinel_id;
  domain::SentinelIncident renamed = w.sentinel[twin_id];
  renamed.name = "named-by-the-service";
  w.sentinel.erase(twin_id);
  w.sentinel[renamed.name] = renamed;
  w.pairs["1"].sentinel_id = renamed.name;
  w.defender["1"].alerts = Alerts(4, w.now);
  w.TouchDefender("1");
  w.Cycle();
  EXPECT_EQ(CountContaining(w.sentinel[renamed.name].comments, "Alerts of Defender incident 1"), 1u);
  EXPECT_EQ(CountContaining(w.sentinel[renamed.name].comments, "alert 3"), 1u) << "the table was not rewritten";
}

TEST(OverflowTest, AlertTableIsRateLimited) {
  LinkPolicy p = Mirror();
  p.digest_min_interval_seconds = 300;
  World w(p);
  w.NewDefender("1").alerts = Alerts(3, w.now);
  w.Cycle();
  w.Cycle();
  w.defender["1"].alerts = Alerts(4, w.now);
  w.TouchDefender("1");
  Plan storm = w.Cycle();
  EXPECT_TRUE(std::none_of(storm.comments.begin(), storm.comments.end(),
                           [](const CommentWrite& c) { return c.purpose == "alerts"; }));
  w.Tick(301);
  Plan later = w.Cycle();
  EXPECT_TRUE(std::any_of(later.comments.begin(), later.comments.end(),
                          [](const CommentWrite& c) { return c.purpose == "alerts" && c.edit_in_place; }));
}

}  // namespace
}  // namespace xdrsync::reconcile::testing
