#include <gtest/gtest.h>

#include <map>
#include <set>

#include "store_test_util.h"

namespace xdrsync::store::testing {
namespace {

using domain::Field;

class OutboxTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Decision d;
    d.pairs = {MakePair("L", "1", "s-1"), MakePair("L", "2", "s-2"), MakePair("M", "9", "s-9")};
    Pair pending = MakePair("L", "3", "");
    pending.state = PairState::kCreatePending;
    d.pairs.push_back(pending);
    ASSERT_TRUE(store().RecordDecision(d).ok());
  }

  std::vector<OutboxEntry> Due(Timestamp now) {
    auto due = store().DueWrites(now, 100);
    EXPECT_TRUE(due.ok()) << due.status().ToString();
    return due.ok() ? *due : std::vector<OutboxEntry>{};
  }

  const PairKey p1_{"L", "1"};
  const PairKey p2_{"L", "2"};
};

TEST_F(OutboxTest, DueWritesComeByNextAttemptThenDecisionOrder) {
  Decision d;
  d.outbox = {MakeWrite(p1_, Side::kSentinel, "put", T(20)),
              MakeWrite(p2_, Side::kDefender, "patch", T(10)),
              MakeWrite(p1_, Side::kDefender, "comment", T(20)),
              MakeWrite(p2_, Side::kSentinel, "put", T(30))};
  ASSERT_TRUE(store().RecordDecision(d).ok());

  auto due = Due(T(20));
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].kind, "patch");
  EXPECT_EQ(due[1].kind, "put");
  EXPECT_EQ(due[2].kind, "comment");
  EXPECT_LT(due[1].id, due[2].id);
  EXPECT_EQ(Due(T(9)).size(), 0u);
  EXPECT_EQ(store().DueWrites(T(100), 2).value().size(), 2u);
  EXPECT_EQ(store().OutboxDepth(std::nullopt).value(), 4);
  EXPECT_EQ(store().OutboxDepth("L").value(), 4);
  EXPECT_EQ(store().OutboxDepth("M").value(), 0);
}

TEST_F(OutboxTest, RecordDecisionGivesBackTheIdsOfItsRowsAndLinkWritesReadsOneLink) {
  const PairKey p9{"M", "9"};
  Decision d;
  d.outbox = {MakeWrite(p1_, Side::kSentinel, "put", T(50)), MakeWrite(p9, Side::kSentinel, "put", T(10)),
              MakeWrite(p2_, Side::kDefender, "patch", T(10))};
  std::vector<int64_t> ids{42};
  ASSERT_TRUE(store().RecordDecision(d, &ids).ok());
  ASSERT_EQ(ids.size(), 3u);
  std::map<int64_t, std::string> by_id;
  for (const auto& row : Due(T(100))) by_id[row.id] = row.pair.link + "/" + row.pair.defender_id;
  EXPECT_EQ(by_id.at(ids[0]), "L/1");
  EXPECT_EQ(by_id.at(ids[1]), "M/9");
  EXPECT_EQ(by_id.at(ids[2]), "L/2");
  // Due or not, one link's rows in decision order.
  auto link_rows = store().LinkWrites("L", 100, {}).value();
  ASSERT_EQ(link_rows.size(), 2u);
  EXPECT_EQ(link_rows[0].id, ids[0]);
  EXPECT_EQ(link_rows[1].id, ids[2]);
  EXPECT_EQ(store().LinkWrites("L", 1, {}).value().size(), 1u);
}

TEST_F(OutboxTest, LinkWritesLeavesOutTheRowsItIsToldToSkipAndReadsTheRestInOrder) {
  // 250 rows (more than one IN list of the store), every third carried by a running engine.
  Decision d;
  for (int i = 0; i < 250; ++i) {
    const std::string id = "x" + std::to_string(i);
    d.pairs.push_back(MakePair("L", id, "s-" + id));
    d.outbox.push_back(MakeWrite({"L", id}, Side::kSentinel, "put", T(i)));
  }
  std::vector<int64_t> ids;
  ASSERT_TRUE(store().RecordDecision(d, &ids).ok());
  std::set<int64_t> skip;
  std::vector<int64_t> rest;
  for (size_t i = 0; i < ids.size(); ++i) (i % 3 == 0 ? skip.insert(ids[i]), void() : rest.push_back(ids[i]));
  auto rows = store().LinkWrites("L", 1000, skip);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<int64_t> got;
  for (const auto& r : *rows) got.push_back(r.id);
  EXPECT_EQ(got, rest);
  EXPECT_EQ(rows->back().pair.defender_id, "x248");
  // The limit counts the rows looked at, skipped ones included.
  EXPECT_EQ(store().LinkWrites("L", 3, skip).value().size(), 2u);
}

TEST_F(OutboxTest, ConfirmDeletesTheRowAndMovesBasesInOneStep) {
  ASSERT_TRUE(
      store().RecordDecision({.outbox = {MakeWrite(p1_, Side::kSentinel, "put", T(5))}}).ok());
  int64_t id = Due(T(5)).at(0).id;
  BaseMove move{p1_, Side::kSentinel, Field::kStatus, {"Active", {T(6), "etag-2"}, true}};
  CommentCopy copy{p1_, Side::kSentinel, "src-1", "copy-1", T(6)};
  ASSERT_TRUE(store().ConfirmWrite(id, {move}, {MakeAudit("L", "1", "s-1", T(6))}, {copy}).ok());

  EXPECT_EQ(store().OutboxDepth(std::nullopt).value(), 0);
  EXPECT_EQ(store().Bases(p1_).value().Get(Side::kSentinel, Field::kStatus), move.base);
  EXPECT_EQ(store().AuditLog({}).value().size(), 1u);
  EXPECT_EQ(store().CopiedComment(p1_, Side::kSentinel, "src-1").value(), "copy-1");
  EXPECT_FALSE(store().CopiedComment(p1_, Side::kDefender, "src-1").value().has_value());

  // A replayed confirmation must not move a base that a later decision has set.
  BaseMove stale{p1_, Side::kSentinel, Field::kStatus, {"New", {T(1), "old"}, false}};
  Status again = store().ConfirmWrite(id, {stale}, {}, {});
  EXPECT_EQ(again.code(), Code::kNotFound);
  EXPECT_EQ(store().Bases(p1_).value().Get(Side::kSentinel, Field::kStatus), move.base);
}

TEST_F(OutboxTest, AFailedConfirmationKeepsTheRowPending) {
  ASSERT_TRUE(
      store().RecordDecision({.outbox = {MakeWrite(p1_, Side::kSentinel, "put", T(5))}}).ok());
  int64_t id = Due(T(5)).at(0).id;
  BaseMove orphan{{"L", "missing"}, Side::kSentinel, Field::kStatus, {"Active", {T(6), "e"}, true}};
  Status s = store().ConfirmWrite(id, {orphan}, {}, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ConfirmWrite"), std::string::npos);
  EXPECT_EQ(store().OutboxDepth(std::nullopt).value(), 1);
}

TEST_F(OutboxTest, FailWriteCountsAttemptsAndPostponesTheRow) {
  ASSERT_TRUE(
      store().RecordDecision({.outbox = {MakeWrite(p1_, Side::kDefender, "patch", T(5))}}).ok());
  int64_t id = Due(T(5)).at(0).id;
  ASSERT_TRUE(store().FailWrite(id, "503 from Graph", T(65)).ok());
  ASSERT_TRUE(store().FailWrite(id, "429 Retry-After 30", T(95)).ok());
  EXPECT_TRUE(Due(T(94)).empty());
  auto due = Due(T(95));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].attempts, 2);
  EXPECT_EQ(due[0].last_error, "429 Retry-After 30");
  EXPECT_EQ(due[0].next_attempt, T(95));
  EXPECT_EQ(store().FailWrite(id + 100, "x", T(1)).code(), Code::kNotFound);
}

TEST_F(OutboxTest, DeadLetterQuarantinesTheTargetIncident) {
  Decision d;
  d.outbox = {MakeWrite(p1_, Side::kSentinel, "put", T(5)),
              MakeWrite(p2_, Side::kDefender, "patch", T(5)),
              MakeWrite({"L", "3"}, Side::kSentinel, "create", T(5))};
  ASSERT_TRUE(store().RecordDecision(d).ok());
  auto due = Due(T(5));
  ASSERT_EQ(due.size(), 3u);
  ASSERT_TRUE(store().FailWrite(due[0].id, "400", T(6)).ok());
  for (const OutboxEntry& e : due)
    ASSERT_TRUE(store().DeadLetter(e.id, "400 bad request", T(7)).ok());
  EXPECT_EQ(store().OutboxDepth(std::nullopt).value(), 0);
  EXPECT_EQ(store().DeadLetter(due[0].id, "again", T(8)).code(), Code::kNotFound);

  auto q = store().Quarantined("L").value();
  ASSERT_EQ(q.size(), 3u);
  std::map<std::string, QuarantineEntry> by_id;
  for (const auto& e : q) by_id[e.incident_id] = e;
  EXPECT_EQ(by_id["s-1"].side, Side::kSentinel);
  EXPECT_EQ(by_id["s-1"].attempts, 2);
  EXPECT_EQ(by_id["s-1"].error, "400 bad request");
  EXPECT_EQ(by_id["2"].side, Side::kDefender);
  // The pending twin has no Sentinel id: its Defender source is what gets quarantined.
  EXPECT_EQ(by_id["3"].side, Side::kDefender);
  EXPECT_EQ(by_id["3"].attempts, 1);
}

TEST_F(OutboxTest, OutboxIdsAreNeverReused) {
  ASSERT_TRUE(
      store().RecordDecision({.outbox = {MakeWrite(p1_, Side::kSentinel, "put", T(5))}}).ok());
  int64_t first = Due(T(5)).at(0).id;
  ASSERT_TRUE(store().ConfirmWrite(first, {}, {}, {}).ok());
  Reopen();
  ASSERT_TRUE(
      store().RecordDecision({.outbox = {MakeWrite(p1_, Side::kSentinel, "put", T(5))}}).ok());
  EXPECT_GT(Due(T(5)).at(0).id, first);
}

TEST_F(OutboxTest, AnOutboxRowNeedsItsPairAndAKind) {
  EXPECT_FALSE(
      store()
          .RecordDecision({.outbox = {MakeWrite({"L", "404"}, Side::kSentinel, "put", T(5))}})
          .ok());
  EXPECT_FALSE(
      store().RecordDecision({.outbox = {MakeWrite(p1_, Side::kSentinel, "", T(5))}}).ok());
  EXPECT_EQ(store().OutboxDepth(std::nullopt).value(), 0);
}

TEST_F(OutboxTest, WatermarksNeverMoveBackwards) {
  EXPECT_FALSE(store().Watermark("L", Side::kDefender).value().has_value());
  ASSERT_TRUE(store().AdvanceWatermark("L", Side::kDefender, T(100)).ok());
  ASSERT_TRUE(store().AdvanceWatermark("L", Side::kDefender, T(50)).ok());
  EXPECT_EQ(store().Watermark("L", Side::kDefender).value(), T(100));
  ASSERT_TRUE(store().RecordDecision({.watermarks = {{"L", Side::kDefender, T(99)}}}).ok());
  EXPECT_EQ(store().Watermark("L", Side::kDefender).value(), T(100));
  ASSERT_TRUE(store().AdvanceWatermark("L", Side::kDefender, T(100).PlusTicks(1)).ok());
  EXPECT_EQ(store().Watermark("L", Side::kDefender).value(), T(100).PlusTicks(1));
  // Sides and links are independent.
  EXPECT_FALSE(store().Watermark("L", Side::kSentinel).value().has_value());
  ASSERT_TRUE(store().AdvanceWatermark("M", Side::kDefender, T(7)).ok());
  EXPECT_EQ(store().Watermark("M", Side::kDefender).value(), T(7));
  EXPECT_EQ(store().Watermark("L", Side::kDefender).value(), T(100).PlusTicks(1));
}

}  // namespace
}  // namespace xdrsync::store::testing
