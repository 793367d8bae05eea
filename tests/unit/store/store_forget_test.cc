// Forget (spec §10): one pair or a whole link, with everything that hangs off them, in one
// transaction; the audit trail and the conflict journal stay.
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace xdrsync::store::testing {
namespace {

class ForgetTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Decision d;
    d.pairs = {MakePair("L", "1", "s-1"), MakePair("L", "2", "s-2"), MakePair("M", "1", "m-1")};
    d.bases = {{{"L", "1"}, Side::kDefender, Field::kStatus, {"active", {T(10), ""}, false}}};
    d.outbox = {MakeWrite({"L", "1"}, Side::kSentinel, "put", T(20)), MakeWrite({"M", "1"}, Side::kSentinel, "put", T(20))};
    Conflict c;
    c.time = T(30);
    c.pair = {"L", "1"};
    c.field = "owner";
    c.policy = "manual";
    c.decision = "manual";
    d.conflicts = {c};
    d.quarantine = {{{"L", Side::kSentinel, "s-1", "", "bad", 3, T(5), T(6)}, false},
                    {{"L", Side::kDefender, "2", "", "bad", 3, T(5), T(6)}, false}};
    d.link_meta = {{"L", "gone:1", "2026-01-01T00:00:00Z"}, {"L", "way", "arm"}};
    d.watermarks = {{"L", Side::kDefender, T(40)}, {"M", Side::kDefender, T(40)}};
    d.audit = {MakeAudit("L", "1", "s-1", T(35))};
    ASSERT_TRUE(store().RecordDecision(d).ok());
  }
  int64_t Count(const std::string& sql) { return QueryInt(path(), sql); }
};

TEST_F(ForgetTest, ADryRunCountsAndChangesNothing) {
  auto s = store().Forget({"L", std::nullopt}, true, T(100), "test");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->pairs.size(), 2u);
  EXPECT_EQ(s->outbox_rows, 1);
  EXPECT_EQ(s->quarantined, 2);
  EXPECT_EQ(s->open_conflicts, 1);
  EXPECT_EQ(s->link_rows, 3);  // one watermark, two metadata keys
  EXPECT_EQ(store().Pairs("L").value().size(), 2u);
  EXPECT_EQ(Count("SELECT count(*) FROM audit"), 1);
}

TEST_F(ForgetTest, OnePairTakesItsRowsAndLeavesTheRest) {
  auto s = store().Forget({"L", std::string("1")}, false, T(100), "operator: test");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->pairs.size(), 1u);
  EXPECT_EQ(s->quarantined, 1) << "its twin's entry, not pair 2's";
  EXPECT_FALSE(store().PairByDefenderId("L", "1").value().has_value());
  EXPECT_TRUE(store().PairByDefenderId("L", "2").value().has_value());
  EXPECT_TRUE(store().PairByDefenderId("M", "1").value().has_value()) << "another link's pair of the same id";
  EXPECT_EQ(Count("SELECT count(*) FROM pair_bases"), 0);
  EXPECT_EQ(store().OutboxDepth("L").value(), 0);
  EXPECT_EQ(store().OutboxDepth("M").value(), 1);
  EXPECT_EQ(store().Quarantined("L").value().size(), 1u);
  EXPECT_FALSE(store().LinkMeta("L", "gone:1").value().has_value());
  EXPECT_TRUE(store().LinkMeta("L", "way").value().has_value());
  EXPECT_TRUE(store().Watermark("L", Side::kDefender).value().has_value());
  EXPECT_TRUE(store().OpenConflicts("L").value().empty());
  EXPECT_EQ(Count("SELECT count(*) FROM conflicts WHERE resolution = 'forgotten'"), 1) << "journal kept";
  auto audit = store().AuditLog({.link = "L", .incident_id = "1"}).value();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].cause, "operator: test");
  EXPECT_EQ(audit[0].old_value, "active");
  EXPECT_EQ(audit[0].new_value, "forgotten");
}

TEST_F(ForgetTest, TheWholeLinkTakesItsWatermarksAndMetadata) {
  auto s = store().Forget({"L", std::nullopt}, false, T(100), "operator: test");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(store().Pairs("L").value().empty());
  EXPECT_FALSE(store().Watermark("L", Side::kDefender).value().has_value());
  EXPECT_FALSE(store().LinkMeta("L", "way").value().has_value());
  EXPECT_TRUE(store().Quarantined("L").value().empty());
  EXPECT_EQ(store().Pairs("M").value().size(), 1u);
  EXPECT_TRUE(store().Watermark("M", Side::kDefender).value().has_value());
  EXPECT_EQ(Count("SELECT count(*) FROM audit WHERE cause = 'operator: test'"), 2);
  EXPECT_TRUE(store().IntegrityCheck().ok());
}

TEST_F(ForgetTest, ADecisionForgetsBeforeItWrites) {
  Decision d;
  d.forget = {{"L", "1"}};
  d.forget_time = T(200);
  Pair again = MakePair("L", "1", "s-1b");
  d.pairs = {again};
  ASSERT_TRUE(store().RecordDecision(d).ok());
  auto p = store().PairByDefenderId("L", "1").value();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->sentinel_id, "s-1b");
  EXPECT_EQ(Count("SELECT count(*) FROM pair_bases"), 0) << "from scratch: no old base survives";
  EXPECT_TRUE(store().OpenConflicts("L").value().empty());
}

}  // namespace
}  // namespace xdrsync::store::testing
