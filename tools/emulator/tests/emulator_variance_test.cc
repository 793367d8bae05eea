// The Graph incidents listing as real services vary from the documented contract: $orderby
// ignored or refused, and nextLinks that page with $skip over live data.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "url_codec.h"
#include "world.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;
using Query = std::map<std::string, std::string>;

const char kBase[] = "http://h/v1.0";
const Query kAscending = {{"$orderby", "lastUpdateDateTime asc"}, {"$top", "2"}};

class EmulatorVarianceTest : public ::testing::Test {
 protected:
  EmulatorVarianceTest() : clock_([] { return TimePoint{} + std::chrono::hours(24 * 365 * 55); }) {
    clock_.Freeze(true);
    world_.AddTenant("t");
  }

  // Incidents created a second apart, then updated in reverse order, so creation order and
  // update order disagree. Returns the ids in creation order.
  std::vector<std::string> Seed(int n) {
    std::vector<std::string> made;
    for (int i = 0; i < n; ++i) {
      made.push_back(world_.ControlCreateGraphIncident("t", json::object()).body["id"].get<std::string>());
      Tick();
    }
    for (int i = n - 1; i >= 0; --i) Update(made[static_cast<size_t>(i)]);
    return made;
  }
  void Tick() { clock_.Advance(std::chrono::seconds(1)); }
  void Update(const std::string& id) {
    ASSERT_EQ(world_.ControlUpdateGraphIncident("t", id, {{"severity", "high"}}).status, 200);
    Tick();
  }
  void Set(WorldSettings settings) { world_.SetSettings(settings); }

  ApiResult List(const Query& q) { return world_.GraphListIncidents("t", q, false, kBase); }

  static std::vector<std::string> Ids(const ApiResult& page) {
    std::vector<std::string> ids;
    const json body = page.Json();  // held: a range-for over a temporary's member dangles
    for (const auto& item : body["value"]) ids.push_back(item["id"]);
    return ids;
  }
  static Query NextQuery(const ApiResult& page) {
    const std::string next = page.Json().value("@odata.nextLink", "");
    return next.empty() ? Query{} : ParseQuery(next.substr(next.find('?') + 1));
  }

  EmuClock clock_;
  IdSource ids_{7};
  Journal journal_;
  World world_{&clock_, &ids_, &journal_};
};

TEST_F(EmulatorVarianceTest, HonouredByDefaultInSnapshots) {
  const std::vector<std::string> made = Seed(3);
  EXPECT_EQ(world_.settings().graph_orderby, GraphOrderBy::kHonoured);
  EXPECT_EQ(world_.settings().graph_paging, GraphPaging::kSnapshot);
  ApiResult first = List(kAscending);
  EXPECT_EQ(Ids(first), (std::vector<std::string>{made[2], made[1]})) << "oldest update first";
  EXPECT_EQ(NextQuery(first).count("$skiptoken"), 1u);
}

TEST_F(EmulatorVarianceTest, IgnoredOrderByServesNewestCreatedFirst) {
  const std::vector<std::string> made = Seed(3);
  WorldSettings settings;
  settings.graph_orderby = GraphOrderBy::kIgnored;
  Set(settings);
  ApiResult first = List(kAscending);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(Ids(first), (std::vector<std::string>{made[2], made[1]}));
  ApiResult rest = List(NextQuery(first));
  EXPECT_EQ(Ids(rest), (std::vector<std::string>{made[0]}));
  Query by_update = {{"$orderby", "lastUpdateDateTime desc"}};
  EXPECT_EQ(Ids(List(by_update)), (std::vector<std::string>{made[2], made[1], made[0]}))
      << "any order asked for is ignored alike";
  EXPECT_EQ(List({{"$orderby", "nonsense asc"}}).status, 400) << "still validated";
}

TEST_F(EmulatorVarianceTest, RefusedOrderByIsABadRequestNamingIt) {
  Seed(2);
  WorldSettings settings;
  settings.graph_orderby = GraphOrderBy::kRefused;
  Set(settings);
  ApiResult refused = List(kAscending);
  ASSERT_EQ(refused.status, 400);
  const json body = refused.Json();
  EXPECT_EQ(body["error"]["code"], "BadRequest");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("'OrderBy'"), std::string::npos);
  EXPECT_EQ(Ids(List({{"$top", "5"}})).size(), 2u) << "the same listing without $orderby is served";
}

TEST_F(EmulatorVarianceTest, LiveSkipCarriesTheQueryAndShiftsUnderAnUpdate) {
  const std::vector<std::string> made = Seed(4);  // ascending by update: made[3], made[2], made[1], made[0]
  WorldSettings settings;
  settings.graph_paging = GraphPaging::kLiveSkip;
  Set(settings);
  Query asked = kAscending;
  asked["$filter"] = "lastUpdateDateTime ge 2000-01-01T00:00:00Z";
  ApiResult first = List(asked);
  EXPECT_EQ(Ids(first), (std::vector<std::string>{made[3], made[2]}));
  Query next = NextQuery(first);
  EXPECT_EQ(next["$skip"], "2");
  EXPECT_EQ(next["$filter"], asked["$filter"]);
  EXPECT_EQ(next["$orderby"], asked["$orderby"]);
  EXPECT_EQ(next.count("$skiptoken"), 0u);

  // made[3] was read on page one; updated now it moves to the end, and everything behind it
  // moves up one place: made[1] slides onto page one's range and is never served.
  Update(made[3]);
  ApiResult second = List(next);
  EXPECT_EQ(Ids(second), (std::vector<std::string>{made[0], made[3]}));
  EXPECT_FALSE(second.Json().contains("@odata.nextLink"));
}

TEST_F(EmulatorVarianceTest, LiveSkipRepeatsAnItemWhenOneIsInsertedAhead) {
  Seed(3);
  WorldSettings settings;
  settings.graph_paging = GraphPaging::kLiveSkip;
  settings.graph_orderby = GraphOrderBy::kIgnored;  // newest created first: a new incident lands ahead
  Set(settings);
  ApiResult first = List(kAscending);
  const std::vector<std::string> page_one = Ids(first);
  ASSERT_EQ(page_one.size(), 2u);
  const std::string added = world_.ControlCreateGraphIncident("t", json::object()).body["id"];
  ApiResult second = List(NextQuery(first));
  ASSERT_FALSE(Ids(second).empty());
  EXPECT_EQ(Ids(second).front(), page_one.back()) << "served twice";
  std::set<std::string> served(page_one.begin(), page_one.end());
  for (const auto& id : Ids(second)) served.insert(id);
  EXPECT_EQ(served.count(added), 0u) << "the new incident is ahead of the position already passed";
}

TEST_F(EmulatorVarianceTest, SkipTokensStillWorkAfterSwitchingToLiveSkip) {
  Seed(3);
  ApiResult first = List(kAscending);
  WorldSettings settings;
  settings.graph_paging = GraphPaging::kLiveSkip;
  Set(settings);
  EXPECT_EQ(Ids(List(NextQuery(first))).size(), 1u);
}

TEST(EmulatorVarianceNames, RoundTripAndRejectOthers) {
  for (GraphOrderBy mode : {GraphOrderBy::kHonoured, GraphOrderBy::kIgnored, GraphOrderBy::kRefused}) {
    GraphOrderBy parsed = GraphOrderBy::kHonoured;
    ASSERT_TRUE(ParseGraphOrderBy(GraphOrderByName(mode), &parsed));
    EXPECT_EQ(parsed, mode);
  }
  GraphPaging paging = GraphPaging::kSnapshot;
  ASSERT_TRUE(ParseGraphPaging("live-skip", &paging));
  EXPECT_EQ(paging, GraphPaging::kLiveSkip);
  GraphOrderBy orderby = GraphOrderBy::kHonoured;
  EXPECT_FALSE(ParseGraphOrderBy("Ignored", &orderby));
  EXPECT_FALSE(ParseGraphPaging("skip", &paging));
}

}  // namespace
}  // namespace xdrsync::emulator
