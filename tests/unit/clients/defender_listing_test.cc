// Defender listings: nextLink chains, time-boundary continuation, the $expand=alerts fallback and
// paging in capped alert lists, against a scripted transport.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/clients/defender_listing_fixture.h"

namespace xdrsync::api {
namespace {

using xdrsync::testing::GraphAlert;
using xdrsync::testing::GraphIncident;
using xdrsync::testing::GraphPage;
using xdrsync::testing::HeaderOf;
using xdrsync::testing::json;
using xdrsync::testing::kGraph;
using xdrsync::testing::kIncidents;

TEST_F(DefenderListingTest, DistinctNextLinksWithoutEndStopAtThePageBudget) {
  // A service (or something posing as one) that hands out a new nextLink on every page would keep
  // a listing going forever; the budget counts pages, whatever the pages hold.
  GraphClientOptions options;
  options.graph_url = kGraph;
  options.page_size = 3;
  options.max_listing_pages = 3;
  auto client = MakeGraphDefenderClient(transport_, options, clock_, logger_, metrics_);
  transport_.Expect("GET", ListUrl(Since(0), 3), 200, GraphPage({GraphIncident("1", T(1))}, Next("a")));
  transport_.Expect("GET", Next("a"), 200, GraphPage({}, Next("b")));
  transport_.Expect("GET", Next("b"), 200, GraphPage({GraphIncident("2", T(2))}, Next("c")));
  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(logger_.Count("graph_listing_truncated"), 1u);
}

TEST_F(DefenderListingTest, AStampFromTheFutureNeverBecomesTheNewest) {
  auto client = Make(3);
  transport_.Expect("GET", ListUrl(Since(0), 3), 200,
                    GraphPage({GraphIncident("1", T(1)), GraphIncident("2", "2099-01-01T00:00:00Z")}));
  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(listing->items.size(), 2u) << "the item itself is still returned";
  EXPECT_EQ(listing->newest, *Timestamp::Parse(T(1)));
}

TEST_F(DefenderListingTest, FollowsNextLinksToTheEnd) {
  auto client = Make(3);
  transport_.Expect(
      "GET", ListUrl(Since(0), 3), 200,
      GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(2)), GraphIncident("3", T(3))}, Next("s.3")));
  transport_.Expect("GET", Next("s.3"), 200, GraphPage({GraphIncident("4", T(4)), GraphIncident("5", T(5))}));

  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_TRUE(listing->errors.empty());
  EXPECT_EQ(listing->newest, Timestamp::Parse(T(5)).value());
  EXPECT_EQ(listing->began, clock_.Now()) << "a listing says when it began (the watermark may move there)";
  for (const http::Request& r : transport_.requests()) {
    EXPECT_EQ(HeaderOf(r, "Prefer"), "include-unknown-enum-members");
    EXPECT_EQ(r.api, "graph");
    EXPECT_EQ(r.tenant, "t-1");
    EXPECT_EQ(r.deadline, std::chrono::milliseconds(12'000));
    EXPECT_TRUE(HeaderOf(r, "Authorization").empty());
  }
  EXPECT_EQ(metrics_.Value("xdrsync_api_items_total", {{"api", "graph"}}), 5);
}

TEST_F(DefenderListingTest, AFullLastPageWithoutNextLinkContinuesFromTheLastTimeSeen) {
  auto client = Make(2);
  transport_.Expect("GET", ListUrl(Since(0), 2), 200, GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(2))}));
  transport_.Expect("GET", ListUrl(Since(2), 2), 200, GraphPage({GraphIncident("2", T(2)), GraphIncident("3", T(3))}));
  transport_.Expect("GET", ListUrl(Since(3), 2), 200, GraphPage({GraphIncident("3", T(3))}));

  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(DefenderListingTest, ASkipTokenErrorContinuesFromTheLastTimeSeen) {
  auto client = Make(3);
  transport_.Expect(
      "GET", ListUrl(Since(0), 3), 200,
      GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(2)), GraphIncident("3", T(3))}, Next("s.3")));
  transport_.Expect("GET", Next("s.3"), 400, GraphErrorBody("BadRequest", "The skip token is invalid or has expired."));
  transport_.Expect("GET", ListUrl(Since(3), 3), 200, GraphPage({GraphIncident("3", T(3)), GraphIncident("4", T(4))}));

  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(logger_.Count("graph_paging_restart"), 1u);
}

TEST_F(DefenderListingTest, TheSkipCeilingStartsANewSegmentInsteadOfSkippingFurther) {
  GraphClientOptions options;
  options.graph_url = kGraph;
  options.page_size = 2;
  options.skip_ceiling = 4;
  auto client = MakeGraphDefenderClient(transport_, options, clock_, logger_, metrics_);
  transport_.Expect("GET", ListUrl(Since(0), 2), 200,
                    GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(2))}, Next("a")));
  transport_.Expect("GET", Next("a"), 200, GraphPage({GraphIncident("3", T(3)), GraphIncident("4", T(4))}, Next("b")));
  transport_.Expect("GET", ListUrl(Since(4), 2), 200,
                    GraphPage({GraphIncident("4", T(4)), GraphIncident("5", T(5))}, Next("c")));
  transport_.Expect("GET", Next("c"), 200, GraphPage({GraphIncident("6", T(6))}));

  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
}

TEST_F(DefenderListingTest, ARepeatedNextLinkIsNotFollowedAgain) {
  auto client = Make(3);
  transport_.Expect(
      "GET", ListUrl(Since(0), 3), 200,
      GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(2)), GraphIncident("3", T(3))}, Next("x")));
  transport_.Expect(
      "GET", Next("x"), 200,
      GraphPage({GraphIncident("4", T(4)), GraphIncident("5", T(5)), GraphIncident("6", T(6))}, Next("x")));
  transport_.Expect("GET", ListUrl(Since(6), 3), 200, GraphPage({GraphIncident("6", T(6)), GraphIncident("7", T(7))}));

  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7"}));
}

TEST_F(DefenderListingTest, ContinuationWithoutProgressStopsAndSaysSo) {
  auto client = Make(2);
  transport_.Expect("GET", ListUrl(Since(0), 2), 200, GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(1))}));
  transport_.Expect("GET", ListUrl(Since(1), 2), 200, GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(1))}));

  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(logger_.Count("graph_paging_stalled"), 1u);
}

TEST_F(DefenderListingTest, ANewerVersionSeenLaterReplacesTheOlderOne) {
  auto client = Make(3);
  json older = GraphIncident("1", T(1));
  json newer = GraphIncident("1", T(3));
  newer["status"] = "resolved";
  transport_.Expect("GET", ListUrl(Since(0), 3), 200, GraphPage({older, GraphIncident("2", T(2))}, Next("n")));
  transport_.Expect("GET", Next("n"), 200, GraphPage({newer}));

  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"2", "1"}));
  EXPECT_EQ(listing->items[1].status.value, domain::DStatus::kResolved);
}

TEST_F(DefenderListingTest, OneBadIncidentIsReportedAndTheOthersKept) {
  auto client = Make(50);
  json bad = GraphIncident("2", "yesterday");
  transport_.Expect("GET", ListUrl(Since(0), 50), 200,
                    GraphPage({GraphIncident("1", T(1)), bad, GraphIncident("3", T(3))}));

  auto listing = client->ListChanged(kSince, false);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(Ids(*listing), (std::vector<std::string>{"1", "3"}));
  ASSERT_EQ(listing->errors.size(), 1u);
  EXPECT_EQ(listing->errors[0].id, "2");
  EXPECT_EQ(listing->errors[0].status.code(), Code::kParseError);
  EXPECT_EQ(metrics_.Value("xdrsync_api_parse_errors_total", {{"api", "graph"}}), 1);
  EXPECT_EQ(metrics_.Value("xdrsync_api_items_total", {{"api", "graph"}}), 2);
}

TEST_F(DefenderListingTest, ListOpenExcludesResolvedAndRedirected) {
  auto client = Make(50);
  transport_.Expect("GET",
                    std::string(kIncidents) +
                        "?$filter=status%20ne%20'resolved'%20and%20status%20ne%20'redirected'"
                        "&$orderby=lastUpdateDateTime%20asc&$top=50",
                    200, GraphPage({GraphIncident("1", T(1))}));
  std::vector<domain::DefenderIncident> items;
  auto listing = client->ListOpen(false, AppendTo(items));
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_TRUE(listing->items.empty());  // handed to the sink, not held
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].id, "1");
}

std::string OpenUrl(int top, bool expand = false) {
  return std::string(kIncidents) +
         "?$filter=status%20ne%20'resolved'%20and%20status%20ne%20'redirected'"
         "&$orderby=lastUpdateDateTime%20asc&$top=" +
         std::to_string(top) + (expand ? "&$expand=alerts" : "");
}

TEST_F(DefenderListingTest, TheOpenListingIsHandedOnAPageAtATimeAndARepeatOnlyWhenNewer) {
  auto client = Make(3);
  transport_.Expect("GET", OpenUrl(3), 200,
                    GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(2)), GraphIncident("3", T(3))},
                              Next("s.3")));
  transport_.Expect("GET", Next("s.3"), 200,
                    GraphPage({GraphIncident("3", T(3)), GraphIncident("2", T(4))}));
  std::vector<std::vector<std::string>> pages;
  auto listing = client->ListOpen(false, [&](std::vector<domain::DefenderIncident>&& items) {
    std::vector<std::string> ids;
    for (const auto& d : items) ids.push_back(d.id);
    pages.push_back(ids);
    return Status::Ok();
  });
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  // The second page's copy of 3 is the one already handed on; its copy of 2 is newer.
  EXPECT_EQ(pages, (std::vector<std::vector<std::string>>{{"1", "2", "3"}, {"2"}}));
  EXPECT_TRUE(listing->items.empty());
  EXPECT_TRUE(listing->complete);
  EXPECT_EQ(metrics_.Value("xdrsync_api_items_total", {{"api", "graph"}}), 4);
}

TEST_F(DefenderListingTest, ASinkThatFailsEndsTheOpenListingWithItsFailureAndReadsNoFurther) {
  auto client = Make(3);
  transport_.Expect("GET", OpenUrl(3), 200,
                    GraphPage({GraphIncident("1", T(1)), GraphIncident("2", T(2)), GraphIncident("3", T(3))},
                              Next("s.3")));
  auto listing = client->ListOpen(false, [](std::vector<domain::DefenderIncident>&&) {
    return Status(Code::kDataLoss, "state store: disk I/O error");
  });
  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.status().code(), Code::kDataLoss);
  EXPECT_NE(listing.status().message().find("disk I/O error"), std::string::npos);
}

TEST_F(DefenderListingTest, ANextLinkToAnotherHostIsNotFollowed) {
  auto client = Make(3);
  transport_.Expect("GET", ListUrl(Since(0), 3), 200,
                    GraphPage({GraphIncident("1", T(1))}, "https://evil.example/v1.0/security/incidents?$skip=3"));
  auto listing = client->ListChanged(kSince, false);
  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.status().code(), Code::kParseError);
  EXPECT_NE(listing.status().message().find("https://evil.example"), std::string::npos);
}

TEST_F(DefenderListingTest, AFailedPageFailsTheListing) {
  auto client = Make(3);
  transport_.Expect("GET", ListUrl(Since(0), 3), 503, GraphErrorBody("ServiceUnavailable", "try later"),
                    {{"request-id", "r-9"}});
  auto listing = client->ListChanged(kSince, false);
  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.status().code(), Code::kUnavailable);
  EXPECT_NE(listing.status().message().find("request-id r-9"), std::string::npos);
}

}  // namespace
}  // namespace xdrsync::api
