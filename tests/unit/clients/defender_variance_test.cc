// Defender listings against the ways Graph varies from the documented contract: $orderby refused
// or ignored, and nextLinks paging with $skip over a result that shifts under writes. In each, no
// incident may go unseen behind the watermark the listing reports.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "unit/clients/defender_listing_fixture.h"

namespace xdrsync::api {
namespace {

using xdrsync::testing::GraphIncident;
using xdrsync::testing::GraphPage;

const char kRefusal[] =
    "The query specified in the URI is not valid. Query option 'OrderBy' is not allowed. To allow it, set the "
    "'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.";

// A nextLink as Graph hands them out: the query again, with $skip moved on.
std::string SkipNext(const std::string& since, int top, int skip, bool orderby = true) {
  return ListUrl(since, top, false, orderby) + "&$skip=" + std::to_string(skip);
}

std::optional<Timestamp> At(int minute) { return *Timestamp::Parse(T(minute)); }

using DefenderVarianceTest = DefenderListingTest;

TEST_F(DefenderVarianceTest, ARefusedOrderByIsDroppedOnceAndForTheTenant) {
  auto client = Make(3);
  transport_.Expect("GET", ListUrl(Since(0), 3), 400, GraphErrorBody("BadRequest", kRefusal));
  transport_.Expect("GET", ListUrl(Since(0), 3, false, false), 200,
                    GraphPage({GraphIncident("3", T(3)), GraphIncident("1", T(1)), GraphIncident("2", T(2))},
                              SkipNext(Since(0), 3, 3, false)));
  transport_.Expect("GET", SkipNext(Since(0), 3, 3, false), 200, GraphPage({GraphIncident("4", T(0))}));
  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"4", "1", "2", "3"}));
  EXPECT_TRUE(listing->complete);
  EXPECT_EQ(listing->newest, At(3)) << "complete: the newest of all may move the watermark";

  transport_.Expect("GET", ListUrl(Since(3), 3, false, false), 200, GraphPage({GraphIncident("5", T(5))}));
  ASSERT_TRUE(client->ListChanged(*At(3), false).ok());
  EXPECT_EQ(logger_.Count("graph_order_fallback"), 1u);
  EXPECT_EQ(metrics_.Value("xdrsync_graph_order_fallback_total", {{"tenant", "t-1"}, {"reason", "orderby_refused"}}),
            1);
}

TEST_F(DefenderVarianceTest, AnotherBadRequestIsNotTakenForARefusedOrderBy) {
  auto client = Make(3);
  transport_.Expect("GET", ListUrl(Since(0), 3), 400, GraphErrorBody("BadRequest", "Invalid filter clause"));
  auto listing = client->ListChanged(kSince, false);
  EXPECT_FALSE(listing.ok());
  EXPECT_EQ(logger_.Count("graph_order_fallback"), 0u);
}

TEST_F(DefenderVarianceTest, AnIgnoredOrderIsNoticedAndATruncatedListingThenMovesNoWatermark) {
  GraphClientOptions options;
  options.graph_url = kGraph;
  options.tenant = "t-1";
  options.page_size = 2;
  options.max_listing_pages = 2;
  auto client = MakeGraphDefenderClient(transport_, options, clock_, logger_, metrics_);
  // Newest created first, whatever was asked.
  transport_.Expect("GET", ListUrl(Since(0), 2), 200,
                    GraphPage({GraphIncident("3", T(5)), GraphIncident("2", T(4))}, Next("a")));
  transport_.Expect("GET", Next("a"), 200, GraphPage({GraphIncident("1", T(1))}));
  auto whole = client->ListChanged(kSince, false);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_TRUE(whole->complete);
  EXPECT_EQ(whole->newest, At(5));
  EXPECT_EQ(metrics_.Value("xdrsync_graph_order_fallback_total", {{"tenant", "t-1"}, {"reason", "orderby_ignored"}}),
            1);

  // The page budget ends this one early: item 1 (older than what was read) may lie beyond it.
  transport_.Expect("GET", ListUrl(Since(0), 2), 200,
                    GraphPage({GraphIncident("3", T(9)), GraphIncident("2", T(8))}, Next("b")));
  transport_.Expect("GET", Next("b"), 200, GraphPage({GraphIncident("4", T(7))}, Next("c")));
  auto cut = client->ListChanged(kSince, false);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_FALSE(cut->complete);
  EXPECT_EQ(Ids(*cut), (std::vector<std::string>{"4", "2", "3"})) << "what was read is still synced";
  EXPECT_FALSE(cut->newest.has_value());
}

TEST_F(DefenderVarianceTest, UnsortedAFullLastPageStartsOverFromTheSameTime) {
  auto client = Make(2);
  const std::string first = ListUrl(Since(0), 2);
  transport_.Expect("GET", first, 200, GraphPage({GraphIncident("2", T(4)), GraphIncident("1", T(2))}));
  transport_.Expect("GET", first, 200, GraphPage({GraphIncident("2", T(4)), GraphIncident("1", T(2))}));
  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_TRUE(listing->complete) << "starting over brought nothing new";
  EXPECT_EQ(listing->newest, At(4));
  EXPECT_EQ(logger_.Count("graph_paging_stalled"), 0u);
}

TEST_F(DefenderVarianceTest, UnsortedALostPositionEndsTheListingWithoutANewest) {
  auto client = Make(2);
  transport_.Expect("GET", ListUrl(Since(0), 2), 200,
                    GraphPage({GraphIncident("2", T(4)), GraphIncident("1", T(2))}, Next("x")));
  transport_.Expect("GET", Next("x"), 400, GraphErrorBody("BadRequest", "The skip token is invalid or has expired."));
  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_FALSE(listing->complete);
  EXPECT_FALSE(listing->newest.has_value());
  EXPECT_EQ(logger_.Count("graph_paging_unordered_stop"), 1u);
}

TEST_F(DefenderVarianceTest, ALiveSkipShiftIsListedAgainFromTheSameStart) {
  auto client = Make(2);
  // Incident 1 changes between the two pages: it moves to the end, 3 moves up onto page one's
  // range and is never served, and 1 comes twice.
  transport_.Expect("GET", ListUrl(Since(0), 2), 200,
                    GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(2))}, SkipNext(Since(0), 2, 2)));
  transport_.Expect("GET", SkipNext(Since(0), 2, 2), 200,
                    GraphPage({GraphIncident("4", T(4)), GraphIncident("1", T(5))}));
  transport_.Expect("GET", ListUrl(Since(0), 2), 200,
                    GraphPage({GraphIncident("2", T(2)), GraphIncident("3", T(3))}, SkipNext(Since(0), 2, 2)));
  transport_.Expect("GET", SkipNext(Since(0), 2, 2), 200,
                    GraphPage({GraphIncident("4", T(4)), GraphIncident("1", T(5))}));
  // That last page was full, so paging goes on from the last time seen (no change here).
  transport_.Expect("GET", ListUrl(Since(5), 2), 200, GraphPage({GraphIncident("1", T(5))}));
  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"2", "3", "4", "1"}));
  EXPECT_TRUE(listing->complete);
  EXPECT_EQ(listing->newest, At(5));
  EXPECT_EQ(metrics_.Value("xdrsync_graph_paging_shifted_total", {{"tenant", "t-1"}}), 1);
}

TEST_F(DefenderVarianceTest, ALiveSkipThatKeepsShiftingMovesNoWatermark) {
  auto client = Make(2);
  for (int pass = 0; pass < 4; ++pass) {
    transport_.Expect("GET", ListUrl(Since(0), 2), 200,
                      GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(2))}, SkipNext(Since(0), 2, 2)));
    transport_.Expect("GET", SkipNext(Since(0), 2, 2), 200, GraphPage({GraphIncident("2", T(2 + pass))}));
  }
  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_FALSE(listing->complete);
  EXPECT_FALSE(listing->newest.has_value());
  EXPECT_EQ(logger_.Count("graph_paging_shifting"), 1u);
}

TEST_F(DefenderVarianceTest, ARepeatUnderASkipTokenIsNoShift) {
  auto client = Make(2);
  transport_.Expect("GET", ListUrl(Since(0), 2), 200,
                    GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(2))}, Next("s.2")));
  transport_.Expect("GET", Next("s.2"), 200, GraphPage({GraphIncident("2", T(2))}));
  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_TRUE(listing->complete);
  EXPECT_EQ(listing->newest, At(2));
}

}  // namespace
}  // namespace xdrsync::api
