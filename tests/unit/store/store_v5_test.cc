// Schema v5: long free-text bases (title, description, closing comment) kept as digests, and the
// migration of a v4 database with nothing the merge needs lost.
#include <gtest/gtest.h>

#include <string>

#include "store/migrations.h"
#include "store/packed_bases.h"
#include "store_test_util.h"
#include "xdrsync/domain/fields.h"

namespace xdrsync::store::testing {
namespace {

const std::string kDescription = "Deep link, 5 alerts and the analyst's text. " + std::string(1100, 'd');
const std::string kTitle = "Multi-stage incident involving Initial access & Persistence on one endpoint";
const std::string kClosing = "Closed after the mailbox rule was removed and the user's password reset. " + std::string(40, 'c');

std::string Kept(Side side, Field f, const std::string& text) { return domain::BaseValue(side, f, text); }

// "<len>:<bytes>", as a v4 blob holds a value.
std::string Bytes(const std::string& s) { return std::to_string(s.size()) + ":" + s; }

// A text as an SQL literal.
std::string Sql(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

TEST(PackedBasesV5, LongFreeTextIsKeptAsADigestAndStoredOnceForBothSides) {
  const std::vector<NamedBase> bases = {
      {Side::kDefender, "description", {kDescription, {T(10), ""}, false}},
      {Side::kDefender, "title", {kTitle, {T(10), ""}, false}},
      {Side::kDefender, "severity", {"medium", {T(10), ""}, false}},
      {Side::kSentinel, "description", {kDescription, {T(11), "\"e\""}, true}},
      {Side::kSentinel, "title", {"Short title", {T(11), "\"e\""}, true}},
      {Side::kSentinel, "closing_comment", {kClosing, {T(11), "\"e\""}, true}},
      {Side::kSentinel, "tags", {std::string(100, 't'), {T(11), "\"e\""}, true}},
      {Side::kSentinel, "some_future_field", {std::string(100, 'f'), {T(12), "e:2"}, false}},
  };
  const std::string blob = EncodeBases(bases);
  // The two texts of 100 bytes (tags, an unknown field) and seven entries' keys and stamps: about
  // 500 bytes, with 1.1 KB descriptions on both sides kept as one digest.
  EXPECT_LT(blob.size(), 600u);
  EXPECT_EQ(blob.find(std::string(50, 'd')), std::string::npos);
  auto back = DecodeBases(blob);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), bases.size());
  for (size_t i = 0; i < bases.size(); ++i) {
    const NamedBase& in = bases[i];
    const NamedBase& out = (*back)[i];
    SCOPED_TRACE(in.field);
    const auto field = domain::ParseField(in.field);
    const std::string want = field ? Kept(in.side, *field, in.base.value) : in.base.value;
    EXPECT_EQ(out.base, (Base{want, in.base.stamp, in.base.own_write}));
    if (field) {
      EXPECT_TRUE(domain::SameValue(in.side, *field, in.base.value, out.base.value));
    }
  }
  EXPECT_TRUE(domain::IsBaseDigest((*back)[0].base.value));
  EXPECT_EQ((*back)[4].base.value, "Short title");
  EXPECT_EQ((*back)[6].base.value, std::string(100, 't')) << "tags merge as sets: their text stays";
  EXPECT_EQ(EncodeBases(*back), blob) << "re-encoding what was decoded changes nothing";
}

class V5Test : public StoreTest {};

TEST_F(V5Test, ABaseMoveKeepsTheDigestAndAChangeStillShows) {
  const PairKey key{"L", "1"};
  ASSERT_TRUE(store().RecordDecision({.pairs = {MakePair("L", "1", "s-1")},
                                      .bases = {{key, Side::kDefender, Field::kDescription, {kDescription, {T(5), ""}, false}},
                                                {key, Side::kSentinel, Field::kDescription, {kDescription, {T(6), "e"}, true}}}})
                  .ok());
  EXPECT_LT(QueryInt(path(), "SELECT length(packed) FROM pair_bases"), 200);
  ASSERT_TRUE(store().RecordDecision({.bases = {{key, Side::kDefender, Field::kStatus, {"active", {T(8), ""}, false}}}}).ok());
  auto bases = store().Bases(key).value();
  const std::string& kept = bases.Get(Side::kSentinel, Field::kDescription)->value;
  EXPECT_TRUE(domain::SameValue(Side::kSentinel, Field::kDescription, kDescription, kept));
  EXPECT_FALSE(domain::SameValue(Side::kSentinel, Field::kDescription, kDescription + " edited", kept));
  EXPECT_EQ(bases.Get(Side::kDefender, Field::kStatus)->value, "active");
}

// A v4 database as xdrsync wrote it before digests (raw packed rows in the v4 form), opened by
// this build.
TEST(StoreMigration, AVersionFourDatabaseMigratesToDigestsWithNothingElseLost) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    auto v4 = SqliteStateStore::Open(path, {.schema_version = 4});
    ASSERT_TRUE(v4.ok()) << v4.status().ToString();
    ASSERT_TRUE((*v4)->RecordDecision({.pairs = {MakePair("L", "1", "s-1"), MakePair("L", "2", "s-2"),
                                                 MakePair("L", "3", "s-3")}})
                    .ok());
  }
  const std::string full = "d.description 40 0: 0 " + Bytes(kDescription) + "d.title = = 0 " + Bytes(kTitle) +
                           "d.status = = 0 6:active" + "s.description 41 4:\"e1\" 1 =" + "s.title = = 1 " +
                           Bytes(kTitle) + "s.closing_comment = = 1 " + Bytes(kClosing) +
                           "s.retired_field 43 0: 0 " + Bytes(std::string(200, 'r'));
  const std::string short_only = "d.status 40 0: 0 6:active";
  const std::string damaged = "d.status 40 0: 0 99:active";
  ASSERT_EQ(ExecSql(path, "INSERT INTO pair_bases (link, defender_id, packed) VALUES ('L', '1', CAST(" + Sql(full) +
                              " AS BLOB)), ('L', '2', CAST(" + Sql(short_only) + " AS BLOB)), ('L', '3', CAST(" +
                              Sql(damaged) + " AS BLOB))"),
            "");
  auto store = OpenStateStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), 5);
  EXPECT_TRUE((*store)->IntegrityCheck().ok());
  EXPECT_LT(QueryInt(path, "SELECT length(packed) FROM pair_bases WHERE defender_id = '1'"),
            static_cast<int64_t>(full.size() / 3));

  auto bases = (*store)->Bases({"L", "1"}).value();
  const auto t = [](int64_t ticks) { return Timestamp::FromTicks(ticks); };
  EXPECT_EQ(bases.Get(Side::kDefender, Field::kDescription),
            (Base{Kept(Side::kDefender, Field::kDescription, kDescription), {t(40), ""}, false}));
  EXPECT_EQ(bases.Get(Side::kDefender, Field::kTitle), (Base{Kept(Side::kDefender, Field::kTitle, kTitle), {t(40), ""}, false}));
  EXPECT_EQ(bases.Get(Side::kDefender, Field::kStatus), (Base{"active", {t(40), ""}, false}));
  EXPECT_EQ(bases.Get(Side::kSentinel, Field::kDescription),
            (Base{Kept(Side::kSentinel, Field::kDescription, kDescription), {t(41), "\"e1\""}, true}));
  EXPECT_EQ(bases.Get(Side::kSentinel, Field::kClosingComment),
            (Base{Kept(Side::kSentinel, Field::kClosingComment, kClosing), {t(41), "\"e1\""}, true}));
  for (Field f : {Field::kDescription, Field::kTitle}) {
    EXPECT_TRUE(domain::SameValue(Side::kSentinel, f, f == Field::kTitle ? kTitle : kDescription,
                                  bases.Get(Side::kSentinel, f)->value));
  }
  // A field this build does not know keeps its text; a row with only short values is untouched;
  // a damaged row is left as it was (it fails on reading, as before the migration).
  EXPECT_EQ(QueryInt(path, "SELECT instr(packed, 's.retired_field 43 0: 0 200:rrr') > 0 FROM pair_bases WHERE defender_id = '1'"), 1);
  EXPECT_EQ(QueryInt(path, "SELECT CAST(packed AS BLOB) = CAST('" + short_only + "' AS BLOB) FROM pair_bases WHERE defender_id = '2'"), 1);
  EXPECT_EQ(QueryInt(path, "SELECT CAST(packed AS BLOB) = CAST('" + damaged + "' AS BLOB) FROM pair_bases WHERE defender_id = '3'"), 1);
  EXPECT_EQ((*store)->Bases({"L", "3"}).status().code(), Code::kDataLoss);
}

}  // namespace
}  // namespace xdrsync::store::testing
