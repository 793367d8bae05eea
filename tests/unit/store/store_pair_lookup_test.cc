// The indexed pair lookups a cycle loads its pairs with (by Defender id, Sentinel id, marker) and
// the paging a full sweep walks a link with, on a real SQLite file.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "store_test_util.h"

namespace xdrsync::store::testing {
namespace {

std::string Id(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%05d", i);
  return buf;
}

std::set<std::string> DefenderIds(const std::vector<Pair>& pairs) {
  std::set<std::string> ids;
  for (const auto& p : pairs) ids.insert(p.key.defender_id);
  return ids;
}

class PairLookupTest : public StoreTest {
 protected:
  // `n` pairs on link L (Defender id 00000.., twin "s-<id>", marker "marker-<id>") and one pair of
  // another link that shares every id, which no lookup of L may return.
  void Seed(int n) {
    Decision d;
    for (int i = 0; i < n; ++i) d.pairs.push_back(MakePair("L", Id(i), "s-" + Id(i)));
    d.pairs.push_back(MakePair("M", Id(1), "s-" + Id(1)));
    ASSERT_TRUE(store().RecordDecision(d).ok());
  }
};

TEST_F(PairLookupTest, ByDefenderIdsFindsExactlyThePairsAskedForAcrossChunks) {
  Seed(700);
  std::vector<std::string> ids;
  for (int i = 0; i < 700; i += 3) ids.push_back(Id(i));  // 234 ids: more than one chunk
  ids.push_back(Id(3));                                     // asked twice: answered once
  ids.push_back("no-such-incident");
  auto found = store().PairsByDefenderIds("L", ids);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->size(), 234u);
  std::set<std::string> want(ids.begin(), ids.end());
  want.erase("no-such-incident");
  EXPECT_EQ(DefenderIds(*found), want);
  for (const auto& p : *found) {
    EXPECT_EQ(p.key.link, "L");
    EXPECT_EQ(p.sentinel_id, "s-" + p.key.defender_id);
  }
  EXPECT_TRUE(store().PairsByDefenderIds("L", {}).value().empty());
  EXPECT_EQ(store().PairsByDefenderIds("M", {Id(1), Id(2)}).value().size(), 1u);
}

TEST_F(PairLookupTest, BySentinelIdsAndByMarkersFindTheirPairs) {
  Seed(250);
  Pair pending = MakePair("L", "pending", "");  // a defender-alert creation: no twin name yet
  pending.state = PairState::kCreatePending;
  pending.way = CreationWay::kDefenderAlert;
  pending.marker = "twin-of-pending";
  Decision d;
  d.pairs.push_back(pending);
  ASSERT_TRUE(store().RecordDecision(d).ok());

  std::vector<std::string> names;
  for (int i = 0; i < 250; i += 2) names.push_back("s-" + Id(i));
  names.push_back("");  // no pair is found by an empty twin name, not even the pending one
  names.push_back("s-unknown");
  auto by_name = store().PairsBySentinelIds("L", names);
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ(by_name->size(), 125u);
  EXPECT_EQ(DefenderIds(*by_name).count("pending"), 0u);

  auto by_marker = store().PairsByMarkers("L", {"twin-of-pending", "marker-" + Id(7), "", "marker-none"});
  ASSERT_TRUE(by_marker.ok()) << by_marker.status().ToString();
  EXPECT_EQ(DefenderIds(*by_marker), (std::set<std::string>{"pending", Id(7)}));
}

TEST_F(PairLookupTest, PagesWalkEveryPairOnceInOrder) {
  Seed(2345);
  std::vector<std::string> walked;
  std::string after;
  size_t pages = 0;
  for (;;) {
    auto page = store().PairsAfter("L", after, 1000);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_LE(page->size(), 1000u);
    ++pages;
    for (const auto& p : *page) walked.push_back(p.key.defender_id);
    if (page->size() < 1000) break;
    after = page->back().key.defender_id;
  }
  EXPECT_EQ(pages, 3u);
  ASSERT_EQ(walked.size(), 2345u);
  EXPECT_TRUE(std::is_sorted(walked.begin(), walked.end()));
  EXPECT_EQ(std::set<std::string>(walked.begin(), walked.end()).size(), 2345u);
  EXPECT_TRUE(store().PairsAfter("L", walked.back(), 1000).value().empty());
  EXPECT_TRUE(store().PairsAfter("N", "", 1000).value().empty());
}

TEST_F(PairLookupTest, ForEachPairVisitsEveryPairOfTheLinkOnceAndStopsAtAFailure) {
  Seed(2000);  // an exact multiple of the page: the walk ends on an empty page
  std::vector<std::string> visited;
  ASSERT_TRUE(ForEachPair(store(), "L", [&](const Pair& p) {
                visited.push_back(p.key.defender_id);
                return Status::Ok();
              }).ok());
  ASSERT_EQ(visited.size(), 2000u);
  EXPECT_TRUE(std::is_sorted(visited.begin(), visited.end()));
  EXPECT_EQ(std::set<std::string>(visited.begin(), visited.end()).size(), 2000u);
  int seen = 0;
  const Status stopped = ForEachPair(
      store(), "L",
      [&](const Pair&) { return ++seen == 1500 ? Status(Code::kInternal, "stop here") : Status::Ok(); }, 700);
  EXPECT_EQ(stopped.code(), Code::kInternal);
  EXPECT_EQ(seen, 1500);
}

TEST_F(PairLookupTest, LookupsByIdUseAnIndexNotAScan) {
  Seed(10);
  // What SQLite plans for the statements the lookups run (the chunk's IN list shortened to one).
  auto plan = [&](const std::string& where) {
    sqlite3* db = nullptr;
    std::string detail;
    EXPECT_EQ(sqlite3_open_v2(path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    const std::string sql = "EXPLAIN QUERY PLAN SELECT * FROM pairs WHERE link = 'L' AND " + where;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) detail += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return detail;
  };
  EXPECT_NE(plan("defender_id IN ('a', 'b')").find("USING PRIMARY KEY"), std::string::npos);
  EXPECT_NE(plan("sentinel_id <> '' AND sentinel_id IN ('a', 'b')").find("pairs_by_sentinel"), std::string::npos);
}

}  // namespace
}  // namespace xdrsync::store::testing
