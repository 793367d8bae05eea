#include <gtest/gtest.h>

#include "store/rows.h"
#include "store_test_util.h"

namespace xdrsync::store::testing {
namespace {

using domain::Field;
using domain::FieldValues;

class DecisionTest : public StoreTest {};

Decision FullDecision() {
  Decision d;
  Pair p = MakePair("L", "101", "s-101");
  d.pairs.push_back(p);
  d.bases.push_back({p.key, Side::kDefender, Field::kStatus, {"active", {T(50), ""}, false}});
  d.bases.push_back({p.key, Side::kSentinel, Field::kStatus, {"New", {T(60), "etag-1"}, true}});
  FieldValues values;
  values[Field::kStatus] = "New";
  values[Field::kTitle] = "title with spaces: and colons 12:34";
  values[Field::kTags] = "a\nb";
  d.observed.push_back({p.key, Side::kSentinel, values, {T(60), "etag-1"}, T(70)});
  d.outbox.push_back(MakeWrite(p.key, Side::kSentinel, "put", T(80)));
  d.audit.push_back(MakeAudit("L", "101", "s-101", T(90)));
  d.alerts.push_back(
      {"L", {"a1", "101", "Alert", "high", "new", "mde", T(10), "https://x/a1"}, false});
  d.comment_copies.push_back({p.key, Side::kSentinel, "c-src", "c-copy", T(95)});
  d.link_meta.push_back({"L", "tenant-refuses-inProgress", "true"});
  d.digests.push_back({p.key, "hash-1", T(96)});
  d.watermarks.push_back({"L", Side::kDefender, T(100)});
  return d;
}

TEST_F(DecisionTest, RecordsEveryPartOfADecision) {
  Decision d = FullDecision();
  ASSERT_TRUE(store().RecordDecision(d).ok());
  const PairKey key{"L", "101"};

  auto pair = store().PairByDefenderId("L", "101");
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(pair->has_value());
  EXPECT_EQ(**pair, d.pairs[0]);

  auto bases = store().Bases(key);
  ASSERT_TRUE(bases.ok());
  EXPECT_EQ(bases->Get(Side::kDefender, Field::kStatus), d.bases[0].base);
  EXPECT_EQ(bases->Get(Side::kSentinel, Field::kStatus), d.bases[1].base);
  EXPECT_FALSE(bases->Get(Side::kDefender, Field::kOwner).has_value());

  auto observed = store().Observed(key, Side::kSentinel);
  ASSERT_TRUE(observed.ok());
  ASSERT_TRUE(observed->has_value());
  EXPECT_EQ(**observed, d.observed[0]);
  auto none = store().Observed(key, Side::kDefender);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto due = store().DueWrites(T(80), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].kind, "put");
  EXPECT_EQ((*due)[0].payload, d.outbox[0].payload);
  EXPECT_EQ((*due)[0].attempts, 0);

  auto audit = store().AuditLog({});
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].cause, "defender changed status");

  auto alerts = store().Alerts("L", "101");
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0], d.alerts[0].alert);

  auto copied = store().CopiedComment(key, Side::kSentinel, "c-src");
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied->value_or(""), "c-copy");
  auto meta = store().LinkMeta("L", "tenant-refuses-inProgress");
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->value_or(""), "true");
  auto digest = store().Digest(key);
  ASSERT_TRUE(digest.ok());
  ASSERT_TRUE(digest->has_value());
  EXPECT_EQ(**digest, d.digests[0]);
  auto mark = store().Watermark("L", Side::kDefender);
  ASSERT_TRUE(mark.ok());
  EXPECT_EQ(*mark, T(100));
}

TEST_F(DecisionTest, SurvivesReopen) {
  ASSERT_TRUE(store().RecordDecision(FullDecision()).ok());
  Reopen();
  auto pairs = store().Pairs("L");
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(pairs->size(), 1u);
  EXPECT_EQ(store().OutboxDepth(std::nullopt).value(), 1);
  EXPECT_TRUE(store().IntegrityCheck().ok());
}

TEST_F(DecisionTest, AFailingRowLeavesNothingOfTheDecision) {
  Decision d = FullDecision();
  // A base of a pair that does not exist violates the foreign key, after every other row was
  // written.
  d.watermarks.clear();
  d.bases.push_back(
      {{"L", "no-such-pair"}, Side::kDefender, Field::kOwner, {"x", {T(1), ""}, false}});
  Status s = store().RecordDecision(d);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("state store " + path() + ": RecordDecision: "), std::string::npos)
      << s.message();

  EXPECT_TRUE(store().Pairs("L").value().empty());
  EXPECT_EQ(store().OutboxDepth(std::nullopt).value(), 0);
  EXPECT_TRUE(store().AuditLog({}).value().empty());
  EXPECT_FALSE(store().IncidentOfAlert("L", "a1").value().has_value());
  EXPECT_FALSE(store().LinkMeta("L", "tenant-refuses-inProgress").value().has_value());
  for (const char* table : {"pairs", "pair_bases", "observed", "outbox", "audit", "alerts",
                            "comment_copies", "link_meta", "watermarks"}) {
    EXPECT_EQ(QueryInt(path(), std::string("SELECT count(*) FROM ") + table), 0) << table;
  }
}

TEST_F(DecisionTest, AFailedDecisionKeepsThePreviousState) {
  ASSERT_TRUE(store().RecordDecision(FullDecision()).ok());
  // A second pair claiming the same twin would make writes ping-pong: refused, and nothing of the
  // decision (its watermark advance included) lands.
  Decision bad;
  bad.pairs.push_back(MakePair("L", "202", "s-101"));
  bad.watermarks.push_back({"L", Side::kDefender, T(500)});
  Status s = store().RecordDecision(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("sentinel_id"), std::string::npos) << s.message();
  EXPECT_EQ(store().Pairs("L").value().size(), 1u);
  EXPECT_EQ(store().Watermark("L", Side::kDefender).value(), T(100));
}

TEST_F(DecisionTest, MergedPairNeedsARedirectTarget) {
  Pair p = MakePair("L", "1", "s-1");
  p.state = PairState::kMerged;
  Decision d;
  d.pairs.push_back(p);
  EXPECT_FALSE(store().RecordDecision(d).ok());
  d.pairs[0].redirect_target = "2";
  EXPECT_TRUE(store().RecordDecision(d).ok());
}

TEST_F(DecisionTest, PairUpsertReplacesStateButKeepsCreationTime) {
  Decision d;
  d.pairs.push_back(MakePair("L", "1", "s-1"));
  ASSERT_TRUE(store().RecordDecision(d).ok());
  Pair moved = MakePair("L", "1", "s-1");
  moved.state = PairState::kMerged;
  moved.redirect_target = "7";
  moved.created = T(5000);
  moved.updated = T(5000);
  ASSERT_TRUE(store().RecordDecision({.pairs = {moved}}).ok());
  auto got = store().PairBySentinelId("L", "s-1");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->state, PairState::kMerged);
  EXPECT_EQ((*got)->redirect_target, "7");
  EXPECT_EQ((*got)->created, T(1000));
  EXPECT_EQ((*got)->updated, T(5000));
}

TEST_F(DecisionTest, CreatePendingPairsHaveNoSentinelIdYet) {
  Decision d;
  for (const char* id : {"1", "2"}) {
    Pair p = MakePair("L", id, "");
    p.state = PairState::kCreatePending;
    p.way = CreationWay::kDefenderAlert;
    d.pairs.push_back(p);
  }
  ASSERT_TRUE(store().RecordDecision(d).ok());
  EXPECT_FALSE(store().PairBySentinelId("L", "").value().has_value());
  auto pairs = store().Pairs("L").value();
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].state, PairState::kCreatePending);
  EXPECT_EQ(pairs[1].way, CreationWay::kDefenderAlert);
  EXPECT_EQ(pairs[1].marker, "marker-2");

  Pair created = pairs[0];
  created.state = PairState::kActive;
  created.sentinel_id = "s-new";
  ASSERT_TRUE(store().RecordDecision({.pairs = {created}}).ok());
  EXPECT_EQ(store().PairBySentinelId("L", "s-new").value()->key.defender_id, "1");
}

TEST_F(DecisionTest, PairsAreSeparatedByLink) {
  Decision d;
  d.pairs = {MakePair("A", "1", "s-1"), MakePair("B", "1", "s-1")};
  ASSERT_TRUE(store().RecordDecision(d).ok());
  EXPECT_EQ(store().Pairs("A").value().size(), 1u);
  EXPECT_EQ(store().Pairs("B").value().size(), 1u);
  EXPECT_TRUE(store().Pairs("C").value().empty());
  EXPECT_FALSE(store().PairByDefenderId("C", "1").value().has_value());
}

TEST(ValuesCodec, RoundTripsAnyText) {
  FieldValues v;
  v[Field::kDescription] = std::string("line 1\nline 2 with 3:4 and \0 nul", 32);
  v[Field::kOwner] = "upn:a@b.c|oid:1";
  v[Field::kTags] = "";
  auto back = DecodeValues(EncodeValues(v));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, v);
}

TEST(ValuesCodec, RejectsDamagedBlobsAndSkipsUnknownFields) {
  EXPECT_EQ(DecodeValues("status 99:New").status().code(), Code::kDataLoss);
  EXPECT_EQ(DecodeValues("status x:New").status().code(), Code::kDataLoss);
  EXPECT_EQ(DecodeValues("garbage").status().code(), Code::kDataLoss);
  auto v = DecodeValues("future_field 3:abcstatus 3:New");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)[Field::kStatus], "New");
}

}  // namespace
}  // namespace xdrsync::store::testing
