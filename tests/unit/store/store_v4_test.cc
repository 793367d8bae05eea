// Schema v4: a pair's bases packed in one row, creation snapshots kept only while pending, and the
// migration of a v3 database with nothing lost.
#include <gtest/gtest.h>

#include <string>

#include "store/migrations.h"
#include "store/packed_bases.h"
#include "store_test_util.h"
#include "xdrsync/domain/fields.h"

namespace xdrsync::store::testing {
namespace {

const std::string kLongText(1100, 'd');

// (Tags: a long value the store keeps as text; descriptions are kept as digests since v5.)
TEST(PackedBases, RoundTripsAndKeepsAValueHeldOnBothSidesOnce) {
  std::vector<NamedBase> bases = {
      {Side::kDefender, "tags", {kLongText, {T(10), ""}, false}},
      {Side::kDefender, "status", {"active", {T(10), ""}, false}},
      {Side::kSentinel, "tags", {kLongText, {T(11), "\"etag 1\""}, true}},
      {Side::kSentinel, "status", {"New", {T(11), "\"etag 1\""}, true}},
      {Side::kSentinel, "some_future_field", {"x:y 3:z", {T(12), "e:2"}, false}},
  };
  const std::string blob = EncodeBases(bases);
  EXPECT_LT(blob.size(), kLongText.size() + 200) << "the tags are stored once";
  auto back = DecodeBases(blob);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), bases.size());
  for (size_t i = 0; i < bases.size(); ++i) {
    SCOPED_TRACE(bases[i].field);
    EXPECT_EQ((*back)[i].side, bases[i].side);
    EXPECT_EQ((*back)[i].field, bases[i].field);
    EXPECT_EQ((*back)[i].base, bases[i].base);
  }
}

TEST(PackedBases, DamagedBlobsAreDataLoss) {
  for (const char* bad : {"d.status", "x.status 1 0: 0 0:", "d.status 1 0: 2 0:", "d.status 1 0: 0 9:abc",
                          "s.status 1 0: 0 =", "d.status = 0: 0 0:"}) {
    SCOPED_TRACE(bad);
    auto decoded = DecodeBases(bad);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), Code::kDataLoss);
  }
}

class V4Test : public StoreTest {};

TEST_F(V4Test, BasesMoveOneFieldAtATimeAndAnUnknownFieldSurvivesARewrite) {
  const PairKey key{"L", "1"};
  ASSERT_TRUE(store().RecordDecision({.pairs = {MakePair("L", "1", "s-1")},
                                      .bases = {{key, Side::kDefender, Field::kDescription, {kLongText, {T(5), ""}, false}},
                                                {key, Side::kSentinel, Field::kDescription, {kLongText, {T(6), "e"}, true}}}})
                  .ok());
  ASSERT_EQ(ExecSql(path(), "UPDATE pair_bases SET packed = packed || 'd.later_field 7 0: 0 2:ok'"), "");
  // The Defender side moves on; the Sentinel base keeps the old one (a digest since v5) although
  // it was stored as '='.
  ASSERT_TRUE(store().RecordDecision({.bases = {{key, Side::kDefender, Field::kDescription, {"new", {T(8), ""}, false}}}}).ok());
  auto bases = store().Bases(key).value();
  EXPECT_EQ(bases.Get(Side::kDefender, Field::kDescription)->value, "new");
  EXPECT_EQ(bases.Get(Side::kSentinel, Field::kDescription)->value,
            domain::BaseValue(Side::kSentinel, Field::kDescription, kLongText));
  EXPECT_EQ(bases.Get(Side::kSentinel, Field::kDescription)->stamp.etag, "e");
  EXPECT_FALSE(bases.Get(Side::kSentinel, Field::kStatus).has_value());
  // Rewritten in the short form: its etag is the one of the entry before it.
  EXPECT_EQ(QueryInt(path(), "SELECT instr(packed, 'd.later_field 7 = 0 2:ok') > 0 FROM pair_bases"), 1);
}

TEST_F(V4Test, ANewFileHasEightKilobytePagesAndGivesFreedPagesBackWhenReopened) {
  EXPECT_EQ(QueryInt(path(), "PRAGMA page_size"), 8192);
  EXPECT_EQ(QueryInt(path(), "PRAGMA auto_vacuum"), 2);  // incremental
  Decision d;
  for (int i = 0; i < 300; ++i) {
    Pair p = MakePair("L", std::to_string(i), "s-" + std::to_string(i));
    p.state = PairState::kCreatePending;
    domain::FieldValues values;
    values[Field::kDescription] = kLongText;
    d.observed.push_back({p.key, Side::kDefender, values, {T(1), ""}, T(2)});
    d.pairs.push_back(std::move(p));
  }
  ASSERT_TRUE(store().RecordDecision(d).ok());
  for (auto& p : d.pairs) p.state = PairState::kActive;
  ASSERT_TRUE(store().RecordDecision({.pairs = d.pairs}).ok());  // the snapshots go
  EXPECT_GT(QueryInt(path(), "PRAGMA freelist_count"), 10);
  Reopen();
  EXPECT_EQ(QueryInt(path(), "PRAGMA freelist_count"), 0);
  EXPECT_EQ(store().Pairs("L").value().size(), 300u);
}

TEST_F(V4Test, CreationSnapshotsGoWhenThePairIsNoLongerPending) {
  Pair pending = MakePair("L", "1", "s-1");
  pending.state = PairState::kCreatePending;
  domain::FieldValues values;
  values[Field::kTitle] = "t";
  ASSERT_TRUE(store().RecordDecision({.pairs = {pending}, .observed = {{pending.key, Side::kDefender, values, {T(1), ""}, T(2)}}}).ok());
  ASSERT_TRUE(store().Observed(pending.key, Side::kDefender).value().has_value());
  ASSERT_TRUE(store().RecordDecision({.pairs = {MakePair("L", "1", "s-1")}}).ok());
  EXPECT_FALSE(store().Observed(pending.key, Side::kDefender).value().has_value());
}

// A v3 database as xdrsync 3 wrote it (raw SQL: the v3 tables), opened by this build.
TEST(StoreMigration, AVersionThreeDatabaseMigratesWithNothingLost) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    auto v3 = SqliteStateStore::Open(path, {.schema_version = 3});
    ASSERT_TRUE(v3.ok()) << v3.status().ToString();
  }
  const std::string text = "line one\nline two: 'quoted' " + kLongText;
  const std::string sql_text = "line one\nline two: ''quoted'' " + kLongText;
  ASSERT_EQ(ExecSql(path,
                    "INSERT INTO pairs (link, defender_id, sentinel_id, state, way, marker, created, updated, "
                    "  digest_hash, seen_defender, seen_sentinel, seen_open) VALUES "
                    "('L', '1', 's-1', 'active', 'arm', 'm1', 10, 20, 'h1', 30, '\"e9\"', 3),"
                    "('L', '2', '', 'create-pending', 'arm', 'm2', 10, 20, '', 0, '', 0);"
                    "INSERT INTO bases VALUES "
                    "('L', '1', 'defender', 'description', '" + sql_text + "', 40, '', 0),"
                    "('L', '1', 'sentinel', 'description', '" + sql_text + "', 41, '\"e1\"', 1),"
                    "('L', '1', 'defender', 'status', 'active', 40, '', 0),"
                    "('L', '1', 'sentinel', 'status', 'New', 42, '\"e2\"', 1),"
                    "('L', '1', 'sentinel', 'retired_field', 'v', 43, '', 0);"
                    "INSERT INTO observed VALUES ('L', '1', 'defender', 'title 1:a', 1, '', 2),"
                    "  ('L', '2', 'defender', 'title 1:b', 3, '', 4), ('L', '2', 'sentinel', 'title 1:c', 5, 'e', 6);"
                    "INSERT INTO outbox (link, defender_id, target, kind, payload, created, next_attempt) "
                    "  VALUES ('L', '2', 'sentinel', 'create', '{}', 50, 50);"
                    "INSERT INTO audit (time, link, defender_id, sentinel_id, field, direction, old_value, "
                    "  new_value, cause) VALUES (60, 'L', '1', 's-1', 'status', 'defender-to-sentinel', "
                    "  'New', 'Active', 'c');"),
            "");
  auto store = OpenStateStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_TRUE((*store)->IntegrityCheck().ok());

  // Through v4 to v5: the long description is kept as its digest (store_v5_test.cc).
  const std::string kept = domain::BaseValue(Side::kDefender, Field::kDescription, text);
  auto bases = (*store)->Bases({"L", "1"}).value();
  EXPECT_EQ(bases.Get(Side::kDefender, Field::kDescription), (Base{kept, {Timestamp::FromTicks(40), ""}, false}));
  EXPECT_EQ(bases.Get(Side::kSentinel, Field::kDescription), (Base{kept, {Timestamp::FromTicks(41), "\"e1\""}, true}));
  EXPECT_EQ(bases.Get(Side::kDefender, Field::kStatus), (Base{"active", {Timestamp::FromTicks(40), ""}, false}));
  EXPECT_EQ(bases.Get(Side::kSentinel, Field::kStatus), (Base{"New", {Timestamp::FromTicks(42), "\"e2\""}, true}));
  EXPECT_EQ(QueryInt(path, "SELECT instr(packed, 's.retired_field 43 0: 0 1:v') > 0 FROM pair_bases"), 1);
  auto pair = (*store)->PairByDefenderId("L", "1").value();
  ASSERT_TRUE(pair.has_value());
  EXPECT_EQ(pair->seen_sentinel, "\"e9\"");
  EXPECT_EQ((*store)->Digest({"L", "1"}).value()->hash, "h1");
  // The pending creation keeps both snapshots; the active pair's is no longer needed.
  EXPECT_EQ((*store)->Observed({"L", "2"}, Side::kSentinel).value()->values[Field::kTitle], "c");
  EXPECT_TRUE((*store)->Observed({"L", "2"}, Side::kDefender).value().has_value());
  EXPECT_FALSE((*store)->Observed({"L", "1"}, Side::kDefender).value().has_value());
  EXPECT_EQ((*store)->LinkWrites("L", 10, {}).value().size(), 1u);
  EXPECT_EQ((*store)->AuditLog({}).value().size(), 1u);
  // Writing after the migration goes on from the migrated row.
  ASSERT_TRUE((*store)->RecordDecision({.bases = {{{"L", "1"}, Side::kDefender, Field::kStatus, {"resolved", {Timestamp::FromTicks(70), ""}, false}}}}).ok());
  bases = (*store)->Bases({"L", "1"}).value();
  EXPECT_EQ(bases.Get(Side::kDefender, Field::kStatus)->value, "resolved");
  EXPECT_EQ(bases.Get(Side::kSentinel, Field::kDescription)->value, kept);
}

}  // namespace
}  // namespace xdrsync::store::testing
