#include <gtest/gtest.h>

#include <set>

#include "store_test_util.h"

namespace xdrsync::store::testing {
namespace {

class JournalTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ASSERT_TRUE(store()
                    .RecordDecision({.pairs = {MakePair("L", "1", "s-1"), MakePair("L", "2", "s-2"),
                                               MakePair("M", "1", "m-1")}})
                    .ok());
  }
};

Conflict MakeConflict(const std::string& link, const std::string& id, const std::string& d_value,
                      Timestamp time) {
  Conflict c;
  c.time = time;
  c.pair = {link, id};
  c.field = "owner";
  c.defender_value = d_value;
  c.sentinel_value = "upn:bob@fabrikam.com";
  c.defender_time = time - 10;
  c.sentinel_time = time - 5;
  c.defender_modified_by = "alice@contoso.com";
  c.sentinel_modified_by = "bob@fabrikam.com";
  c.policy = "manual";
  c.decision = "waiting-for-operator";
  return c;
}

TEST_F(JournalTest, TheSameOpenConflictIsJournaledOnce) {
  for (int cycle = 0; cycle < 3; ++cycle) {
    ASSERT_TRUE(
        store()
            .RecordDecision({.conflicts = {MakeConflict("L", "1", "alice", T(100 + cycle))}})
            .ok());
  }
  auto open = store().OpenConflicts(std::nullopt).value();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].time, T(100));
  EXPECT_EQ(open[0].defender_modified_by, "alice@contoso.com");
  EXPECT_EQ(open[0].decision, "waiting-for-operator");
  EXPECT_FALSE(open[0].resolved_at.has_value());

  // A new value on one side is a new conflict.
  ASSERT_TRUE(
      store().RecordDecision({.conflicts = {MakeConflict("L", "1", "carol", T(200))}}).ok());
  open = store().OpenConflicts("L").value();
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].defender_value, "carol");  // newest first

  // Once resolved, the same disagreement coming back is journaled again.
  ASSERT_TRUE(store().ResolveConflict(open[1].id, T(300), "operator chose defender").ok());
  EXPECT_EQ(store().ResolveConflict(open[1].id, T(301), "twice").code(), Code::kNotFound);
  EXPECT_EQ(store().OpenConflicts("L").value().size(), 1u);
  ASSERT_TRUE(
      store().RecordDecision({.conflicts = {MakeConflict("L", "1", "alice", T(400))}}).ok());
  EXPECT_EQ(store().OpenConflicts("L").value().size(), 2u);
  EXPECT_EQ(QueryInt(path(),
                     "SELECT count(*) FROM conflicts WHERE resolution = 'operator chose defender'"),
            1);
  EXPECT_TRUE(store().OpenConflicts("M").value().empty());
}

TEST_F(JournalTest, AuditLogByIncidentNewestFirst) {
  std::vector<AuditEntry> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(MakeAudit("L", "1", "s-1", T(10 + i)));
  entries.push_back(MakeAudit("L", "2", "s-2", T(100)));
  entries.push_back(MakeAudit("M", "1", "m-1", T(200)));
  entries[2].direction = Direction::kSentinelToDefender;
  entries[2].old_value = "Active";
  entries[2].new_value = "Closed";
  ASSERT_TRUE(store().RecordDecision({.audit = entries}).ok());

  auto by_defender = store().AuditLog({.link = "L", .incident_id = "1", .limit = 10}).value();
  ASSERT_EQ(by_defender.size(), 5u);
  EXPECT_EQ(by_defender[0].time, T(14));
  EXPECT_EQ(by_defender[4].time, T(10));
  EXPECT_EQ(by_defender[2].direction, Direction::kSentinelToDefender);
  EXPECT_EQ(by_defender[2].new_value, "Closed");

  // The Sentinel id finds the same history.
  EXPECT_EQ(store().AuditLog({.incident_id = "s-1"}).value().size(), 5u);
  // Without a link, incident "1" of both links.
  EXPECT_EQ(store().AuditLog({.incident_id = "1"}).value().size(), 6u);
  auto limited = store().AuditLog({.limit = 2}).value();
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_EQ(limited[0].link, "M");
  EXPECT_EQ(store().AuditLog({}).value().size(), 7u);
}

TEST_F(JournalTest, QuarantineAddUpdateListClear) {
  QuarantineEntry e{"L", Side::kDefender, "1", "", "malformed JSON", 3, T(10), T(10)};
  ASSERT_TRUE(store().Quarantine(e).ok());
  QuarantineEntry again = e;
  again.error = "still malformed";
  again.attempts = 4;
  again.since = T(20);
  again.updated = T(20);
  ASSERT_TRUE(store().Quarantine(again).ok());
  QuarantineEntry field{"L", Side::kSentinel, "s-2", "tags", "400 label too long", 1, T(30), T(30)};
  ASSERT_TRUE(store().RecordDecision({.quarantine = {{field, false}}}).ok());
  ASSERT_TRUE(store().Quarantine({"M", Side::kDefender, "1", "", "x", 1, T(5), T(5)}).ok());

  auto list = store().Quarantined("L").value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], field);
  EXPECT_EQ(list[1].error, "still malformed");
  EXPECT_EQ(list[1].attempts, 4);
  EXPECT_EQ(list[1].since, T(10));  // first quarantined at 10
  EXPECT_EQ(list[1].updated, T(20));
  EXPECT_EQ(store().Quarantined(std::nullopt).value().size(), 3u);

  ASSERT_TRUE(store().ClearQuarantine("L", Side::kDefender, "1", "").ok());
  ASSERT_TRUE(store().RecordDecision({.quarantine = {{field, true}}}).ok());
  EXPECT_TRUE(store().Quarantined("L").value().empty());
}

TEST_F(JournalTest, AlertMembershipFollowsMovesAndRemovals) {
  AlertRecord a1{"a1", "1", "Suspicious logon", "high", "new", "mdi", T(20), "https://a1"};
  AlertRecord a2{"a2", "1", "Malware", "medium", "new", "mde", T(10), "https://a2"};
  ASSERT_TRUE(store().RecordDecision({.alerts = {{"L", a1, false}, {"L", a2, false}}}).ok());
  auto alerts = store().Alerts("L", "1").value();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0], a2);  // by creation time
  EXPECT_EQ(store().IncidentOfAlert("L", "a1").value(), "1");

  // A merge moves a1 to incident 2.
  a1.incident_id = "2";
  ASSERT_TRUE(store().RecordDecision({.alerts = {{"L", a1, false}}}).ok());
  EXPECT_EQ(store().IncidentOfAlert("L", "a1").value(), "2");
  EXPECT_EQ(store().Alerts("L", "1").value().size(), 1u);
  EXPECT_EQ(store().Alerts("L", "2").value().at(0), a1);
  EXPECT_FALSE(store().IncidentOfAlert("M", "a1").value().has_value());

  ASSERT_TRUE(
      store().RecordDecision({.alerts = {{"L", {"a2", "", "", "", "", "", {}, ""}, true}}}).ok());
  EXPECT_TRUE(store().Alerts("L", "1").value().empty());
}

TEST_F(JournalTest, CommentProvenanceKeepsTheFirstCopy) {
  const PairKey key{"L", "1"};
  ASSERT_TRUE(
      store()
          .RecordDecision({.comment_copies = {{key, Side::kDefender, "c1", "d-copy", T(1)}}})
          .ok());
  ASSERT_TRUE(store()
                  .RecordDecision({.comment_copies = {{key, Side::kDefender, "c1", "other", T(2)}}})
                  .ok());
  EXPECT_EQ(store().CopiedComment(key, Side::kDefender, "c1").value(), "d-copy");
  EXPECT_FALSE(store().CopiedComment({"L", "2"}, Side::kDefender, "c1").value().has_value());
  EXPECT_FALSE(store().CopiedComment(key, Side::kDefender, "c2").value().has_value());
}

TEST_F(JournalTest, APairsCommentCopiesAreListedWithTheirSides) {
  const PairKey key{"L", "1"};
  ASSERT_TRUE(store()
                  .RecordDecision({.comment_copies = {{key, Side::kDefender, "c1", "d-copy", T(1)},
                                                      {key, Side::kSentinel, "u2", "u2", T(2)},
                                                      {{"L", "2"}, Side::kSentinel, "u3", "u3", T(3)},
                                                      {{"M", "1"}, Side::kSentinel, "u4", "u4", T(4)}}})
                  .ok());
  auto copies = store().CommentCopies(key);
  ASSERT_TRUE(copies.ok()) << copies.status().ToString();
  std::set<std::pair<Side, std::string>> got;
  for (const auto& c : *copies) got.insert({c.target, c.target_comment_id});
  EXPECT_EQ(got, (std::set<std::pair<Side, std::string>>{{Side::kDefender, "d-copy"}, {Side::kSentinel, "u2"}}));
  EXPECT_TRUE(store().CommentCopies({"L", "9"}).value().empty());
}

TEST_F(JournalTest, LinkMetaSetReplaceDelete) {
  EXPECT_FALSE(store().LinkMeta("L", "last-full-sweep").value().has_value());
  ASSERT_TRUE(store().SetLinkMeta("L", "last-full-sweep", "2025-06-01T00:00:00Z").ok());
  ASSERT_TRUE(store().SetLinkMeta("L", "last-full-sweep", "2025-06-01T06:00:00Z").ok());
  EXPECT_EQ(store().LinkMeta("L", "last-full-sweep").value(), "2025-06-01T06:00:00Z");
  EXPECT_FALSE(store().LinkMeta("M", "last-full-sweep").value().has_value());
  ASSERT_TRUE(store().RecordDecision({.link_meta = {{"L", "last-full-sweep", std::nullopt}}}).ok());
  EXPECT_FALSE(store().LinkMeta("L", "last-full-sweep").value().has_value());
}

TEST_F(JournalTest, DigestMarksBelongToAPair) {
  const PairKey key{"L", "2"};
  EXPECT_FALSE(store().Digest(key).value().has_value());
  ASSERT_TRUE(store().RecordDecision({.digests = {{key, "h1", T(10)}}}).ok());
  ASSERT_TRUE(store().RecordDecision({.digests = {{key, "h2", T(20)}}}).ok());
  EXPECT_EQ(store().Digest(key).value(), (DigestMark{key, "h2", T(20)}));
  Status s = store().RecordDecision({.digests = {{{"L", "404"}, "h", T(1)}}});
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace xdrsync::store::testing
