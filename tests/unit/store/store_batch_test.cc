// StateStore::Apply and StoreBatch: one transaction per batch, all of it or none of it.
#include <gtest/gtest.h>

#include "store_test_util.h"
#include "xdrsync/store/store_batch.h"

namespace xdrsync::store::testing {
namespace {

class BatchTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Decision d;
    d.pairs = {MakePair("L", "1", "s-1"), MakePair("L", "2", "s-2")};
    d.outbox = {MakeWrite(p1_, Side::kSentinel, "put", T(5)), MakeWrite(p2_, Side::kSentinel, "put", T(5)),
                MakeWrite(p2_, Side::kDefender, "patch", T(5))};
    ASSERT_TRUE(store().RecordDecision(d, &ids_).ok());
  }
  BaseMove Move(const PairKey& p, const std::string& value) {
    return {p, Side::kSentinel, Field::kStatus, {value, {T(6), "e-" + value}, true}};
  }
  int64_t Commits() { return QueryInt(path(), "SELECT count(*) FROM audit"); }

  const PairKey p1_{"L", "1"};
  const PairKey p2_{"L", "2"};
  std::vector<int64_t> ids_;
};

TEST_F(BatchTest, ApplyRunsEveryOpInOrderInOneTransaction) {
  WriteBatch b;
  b.ops.emplace_back(WriteBatch::Confirm{ids_[0], {Move(p1_, "Active")}, {MakeAudit("L", "1", "s-1", T(6))}, {}});
  b.ops.emplace_back(WriteBatch::Fail{ids_[1], "503", T(60)});
  b.ops.emplace_back(Decision{.link_meta = {{"L", "k", "v"}}});
  b.ops.emplace_back(WriteBatch::Confirm{ids_[2], {Move(p2_, "Closed")}, {}, {}});
  auto outcome = store().Apply(b);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->applied, 4);
  EXPECT_EQ(outcome->not_pending, 0);
  EXPECT_EQ(store().Bases(p1_).value().Get(Side::kSentinel, Field::kStatus)->value, "Active");
  EXPECT_EQ(store().Bases(p2_).value().Get(Side::kSentinel, Field::kStatus)->value, "Closed");
  auto left = store().LinkWrites("L", 10, {}).value();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, ids_[1]);
  EXPECT_EQ(left[0].attempts, 1);
  EXPECT_EQ(left[0].last_error, "503");
  EXPECT_EQ(store().LinkMeta("L", "k").value(), "v");
  EXPECT_EQ(Commits(), 1);
}

TEST_F(BatchTest, AFailureOfTheStoreRollsBackTheWholeBatch) {
  // Room for a few more pages only: the batch's large value cannot fit.
  const int64_t pages = QueryInt(path(), "PRAGMA page_count");
  Reopen({.max_page_count = pages + 2});
  WriteBatch b;
  b.ops.emplace_back(WriteBatch::Confirm{ids_[0], {Move(p1_, "Active")}, {MakeAudit("L", "1", "s-1", T(6))}, {}});
  b.ops.emplace_back(Decision{.link_meta = {{"L", "big", std::string(200'000, 'x')}}});
  auto outcome = store().Apply(b);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), Code::kResourceExhausted) << outcome.status().ToString();
  EXPECT_NE(outcome.status().message().find("Apply"), std::string::npos) << outcome.status().ToString();
  EXPECT_EQ(store().LinkWrites("L", 10, {}).value().size(), 3u);
  EXPECT_FALSE(store().Bases(p1_).value().Get(Side::kSentinel, Field::kStatus).has_value());
  EXPECT_EQ(Commits(), 0);
  EXPECT_TRUE(store().IntegrityCheck().ok());
}

TEST_F(BatchTest, AnOpRefusedOnItsOwnIsUndoneAloneAndSaidSo) {
  StoreBatch batch(store());
  ASSERT_TRUE(batch.Confirm(ids_[0], {Move(p1_, "Active")}, {MakeAudit("L", "1", "s-1", T(6))}, {}).ok());
  // A base of a pair that no longer exists (forgotten meanwhile): its foreign key refuses it.
  ASSERT_TRUE(batch.Record({.bases = {Move({"L", "missing"}, "x")}}).ok());
  ASSERT_TRUE(batch.Confirm(ids_[1], {Move(p2_, "Active")}, {}, {}).ok());
  Status s = batch.Commit();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("1 batched store op(s) refused"), std::string::npos) << s.ToString();
  EXPECT_EQ(store().LinkWrites("L", 10, {}).value().size(), 1u);
  EXPECT_EQ(store().Bases(p1_).value().Get(Side::kSentinel, Field::kStatus)->value, "Active");
  EXPECT_EQ(store().Bases(p2_).value().Get(Side::kSentinel, Field::kStatus)->value, "Active");
  EXPECT_EQ(Commits(), 1);
  EXPECT_TRUE(store().IntegrityCheck().ok());
}

TEST_F(BatchTest, ARowNoLongerPendingIsSkippedAloneAndDecisionsWithIntentsAreRefused) {
  ASSERT_TRUE(store().ConfirmWrite(ids_[0], {}, {}, {}).ok());
  WriteBatch b;
  // The second confirmation of the same write must not move bases a newer decision set.
  b.ops.emplace_back(WriteBatch::Confirm{ids_[0], {Move(p1_, "Stale")}, {MakeAudit("L", "1", "s-1", T(6))}, {}});
  b.ops.emplace_back(WriteBatch::Confirm{ids_[1], {Move(p2_, "Active")}, {}, {}});
  auto outcome = store().Apply(b);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->applied, 1);
  EXPECT_EQ(outcome->not_pending, 1);
  EXPECT_FALSE(store().Bases(p1_).value().Get(Side::kSentinel, Field::kStatus).has_value());
  EXPECT_EQ(Commits(), 0);
  EXPECT_EQ(store().Bases(p2_).value().Get(Side::kSentinel, Field::kStatus)->value, "Active");

  WriteBatch intent;
  intent.ops.emplace_back(WriteBatch::Confirm{ids_[2], {}, {}, {}});
  intent.ops.emplace_back(Decision{.outbox = {MakeWrite(p1_, Side::kSentinel, "put", T(9))}});
  auto refused = store().Apply(intent);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store().LinkWrites("L", 10, {}).value().size(), 1u) << "nothing of the refused batch applied";
}

TEST_F(BatchTest, StoreBatchCommitsAtItsLimitAtCommitAndWhenItGoesOutOfScope) {
  {
    StoreBatch batch(store(), {.max_ops = 2, .max_age = std::chrono::hours(1)});
    ASSERT_TRUE(batch.Confirm(ids_[0], {}, {MakeAudit("L", "1", "s-1", T(6))}, {}).ok());
    EXPECT_EQ(Commits(), 0) << "queued, not yet written";
    ASSERT_TRUE(batch.Fail(ids_[1], "503", T(60)).ok());
    EXPECT_EQ(batch.commits(), 1);
    EXPECT_EQ(Commits(), 1);
    ASSERT_TRUE(batch.Record({.link_meta = {{"L", "k", "v"}}}).ok());
    EXPECT_EQ(batch.queued(), 1u);
    EXPECT_FALSE(store().LinkMeta("L", "k").value().has_value());
    ASSERT_TRUE(batch.Commit().ok());
    EXPECT_EQ(store().LinkMeta("L", "k").value(), "v");
    EXPECT_EQ(batch.Record({.outbox = {MakeWrite(p1_, Side::kSentinel, "put", T(9))}}).code(), Code::kInvalidArgument);
    ASSERT_TRUE(batch.Confirm(ids_[2], {}, {}, {}).ok());
  }
  EXPECT_EQ(store().LinkWrites("L", 10, {}).value().size(), 1u) << "the last confirmation was committed on leaving scope";
}

}  // namespace
}  // namespace xdrsync::store::testing
