// Sentinel (ARM) calls: paged listing with short, empty and looping pages, recent incidents, get
// with comments, full-object PUT with etag conflicts, comment PUT.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "unit/clients/scripted_transport.h"
#include "unit/clients/wire.h"
#include "xdrsync/api/arm_codec.h"
#include "xdrsync/api/http_clients.h"

namespace xdrsync::api {
namespace {

using xdrsync::testing::ArmComment;
using xdrsync::testing::ArmIncident;
using xdrsync::testing::ArmPage;
using xdrsync::testing::HeaderOf;
using xdrsync::testing::json;
using xdrsync::testing::kApiVersion;
using xdrsync::testing::kArm;
using xdrsync::testing::kArmIncidents;

std::string Incidents(const std::string& suffix_and_query) { return std::string(kArmIncidents) + suffix_and_query; }
std::string Next(const std::string& token) {
  return Incidents(std::string("?") + kApiVersion + "&$skipToken=" + token);
}
const std::string kChangedUrl = Incidents(std::string("?") + kApiVersion +
                                          "&$filter=properties/lastModifiedTimeUtc%20ge%202025-06-01T10:00:00.0000000Z"
                                          "&$orderby=properties/lastModifiedTimeUtc%20asc&$top=1000");

class SentinelClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ArmClientOptions options;
    options.arm_url = kArm;
    options.subscription_id = "sub-1";
    options.resource_group = "rg-1";
    options.workspace = "ws-1";
    options.tenant = "t-ws";
    options.page_size = 5000;  // clamped to ARM's 1000
    client_ = MakeArmSentinelClient(transport_, options, clock_, logger_, metrics_);
  }
  void TearDown() override { EXPECT_EQ(transport_.remaining(), 0u) << "requests left in the script"; }

  xdrsync::testing::ScriptedTransport transport_;
  FakeClock clock_{*Timestamp::Parse("2025-06-01T12:00:00Z")};
  MemoryLogger logger_;
  Metrics metrics_;
  std::unique_ptr<SentinelClient> client_;
};

TEST_F(SentinelClientTest, ListChangedFollowsNextLinkThroughShortAndEmptyPages) {
  transport_.Expect("GET", kChangedUrl, 200, ArmPage({ArmIncident("a", "2025-06-01T10:01:00Z")}, Next("1")));
  transport_.Expect("GET", Next("1"), 200, ArmPage({}, Next("2")));
  transport_.Expect("GET", Next("2"), 200,
                    ArmPage({ArmIncident("b", "2025-06-01T10:02:00Z"), ArmIncident("c", "2025-06-01T10:03:00Z")}));

  auto listing = client_->ListChanged(*Timestamp::Parse("2025-06-01T10:00:00Z"));
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(listing->items.size(), 3u);
  EXPECT_EQ(listing->items[2].name, "c");
  EXPECT_EQ(listing->newest, *Timestamp::Parse("2025-06-01T10:03:00Z"));
  EXPECT_EQ(listing->began, clock_.Now()) << "a listing says when it began (the watermark may move there)";
  for (const http::Request& r : transport_.requests()) {
    EXPECT_EQ(r.api, "arm");
    EXPECT_EQ(r.tenant, "t-ws");
    EXPECT_TRUE(HeaderOf(r, "Authorization").empty());
  }
  EXPECT_EQ(metrics_.Value("xdrsync_api_items_total", {{"api", "arm"}}), 3);
}

TEST_F(SentinelClientTest, ListOpenHandsOnEachPageOfNewThenActiveIncidents) {
  const auto open = [](const char* status) {
    return Incidents(std::string("?") + kApiVersion + "&$filter=properties/status%20eq%20'" + status + "'&$top=1000");
  };
  transport_.Expect("GET", open("New"), 200, ArmPage({ArmIncident("a", "2025-06-01T10:01:00Z")}, Next("1")));
  transport_.Expect("GET", Next("1"), 200, ArmPage({ArmIncident("b", "2025-06-01T10:02:00Z")}));
  transport_.Expect("GET", open("Active"), 200, ArmPage({ArmIncident("c", "2025-06-01T10:03:00Z")}));

  std::vector<std::vector<std::string>> pages;
  auto listing = client_->ListOpen([&](std::vector<domain::SentinelIncident>&& items) {
    std::vector<std::string> names;
    for (const auto& s : items) names.push_back(s.name);
    pages.push_back(names);
    return Status::Ok();
  });
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(pages, (std::vector<std::vector<std::string>>{{"a"}, {"b"}, {"c"}}));
  EXPECT_TRUE(listing->items.empty()) << "handed on, not held";
  EXPECT_TRUE(listing->complete);
  EXPECT_EQ(listing->newest, *Timestamp::Parse("2025-06-01T10:03:00Z"));
  EXPECT_EQ(metrics_.Value("xdrsync_api_items_total", {{"api", "arm"}}), 3);
}

TEST_F(SentinelClientTest, ARepeatedNextLinkEndsTheListingWithWhatItHas) {
  // Failing the listing would fail it again every cycle: the link would never move. The listing is
  // ordered by time, so ending it keeps every item seen and the next cycle reads on from there.
  transport_.Expect("GET", kChangedUrl, 200, ArmPage({ArmIncident("a", "2025-06-01T10:01:00Z")}, Next("1")));
  transport_.Expect("GET", Next("1"), 200, ArmPage({ArmIncident("b", "2025-06-01T10:02:00Z")}, Next("1")),
                    {{"x-ms-request-id", "arm-7"}});
  auto listing = client_->ListChanged(*Timestamp::Parse("2025-06-01T10:00:00Z"));
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(listing->items.size(), 2u);
  EXPECT_EQ(listing->newest, *Timestamp::Parse("2025-06-01T10:02:00Z"));
  EXPECT_EQ(logger_.Count("arm_listing_truncated"), 1u);
}

TEST_F(SentinelClientTest, DistinctNextLinksWithoutEndStopAtThePageLimit) {
  ArmClientOptions options;
  options.arm_url = kArm;
  options.subscription_id = "sub-1";
  options.resource_group = "rg-1";
  options.workspace = "ws-1";
  options.max_listing_pages = 3;
  auto client = MakeArmSentinelClient(transport_, options, clock_, logger_, metrics_);
  transport_.Expect("GET", kChangedUrl, 200, ArmPage({ArmIncident("a", "2025-06-01T10:01:00Z")}, Next("1")));
  transport_.Expect("GET", Next("1"), 200, ArmPage({ArmIncident("b", "2025-06-01T10:02:00Z")}, Next("2")));
  transport_.Expect("GET", Next("2"), 200, ArmPage({ArmIncident("c", "2025-06-01T10:03:00Z")}, Next("3")));
  auto listing = client->ListChanged(*Timestamp::Parse("2025-06-01T10:00:00Z"));
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(listing->items.size(), 3u);
  EXPECT_EQ(logger_.Count("arm_listing_truncated"), 1u);
}

TEST_F(SentinelClientTest, ANextLinkToAnotherHostFailsTheListing) {
  transport_.Expect("GET", kChangedUrl, 200,
                    ArmPage({ArmIncident("a", "2025-06-01T10:01:00Z")}, "https://evil.example/next"));
  auto listing = client_->ListChanged(*Timestamp::Parse("2025-06-01T10:00:00Z"));
  ASSERT_FALSE(listing.ok());
  EXPECT_NE(listing.status().message().find("leaves the service"), std::string::npos);
}

TEST_F(SentinelClientTest, ANextLinkThatIsNotPlainAsciiIsNotFollowed) {
  transport_.Expect("GET", kChangedUrl, 200,
                    ArmPage({ArmIncident("a", "2025-06-01T10:01:00Z")}, Next("a b")),
                    {{"x-ms-request-id", "rid-9"}});
  auto listing = client_->ListChanged(*Timestamp::Parse("2025-06-01T10:00:00Z"));
  ASSERT_FALSE(listing.ok());
  EXPECT_NE(listing.status().message().find("not followed (request-id rid-9)"), std::string::npos)
      << listing.status().ToString();
}

TEST_F(SentinelClientTest, OneBadIncidentIsReportedBesideTheGoodOnes) {
  json bad = ArmIncident("b", "2025-06-01T10:02:00Z");
  bad["properties"]["labels"] = "not a list";
  transport_.Expect("GET", kChangedUrl, 200, ArmPage({ArmIncident("a", "2025-06-01T10:01:00Z"), bad}),
                    {{"x-ms-request-id", "rid-3"}});
  auto listing = client_->ListChanged(*Timestamp::Parse("2025-06-01T10:00:00Z"));
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(listing->items.size(), 1u);
  ASSERT_EQ(listing->errors.size(), 1u);
  EXPECT_EQ(listing->errors[0].id, "b");
  EXPECT_EQ(metrics_.Value("xdrsync_api_parse_errors_total", {{"api", "arm"}}), 1);
  // Logged, and the quarantine record will name the response.
  EXPECT_NE(listing->errors[0].status.message().find("(request-id rid-3)"), std::string::npos);
  ASSERT_EQ(logger_.Count("api.item_unreadable"), 1u);
  EXPECT_EQ(logger_.entries().back().Field("item"), "b");
}

TEST_F(SentinelClientTest, ListRecentAsksForTheNewestCreated) {
  transport_.Expect("GET",
                    Incidents(std::string("?") + kApiVersion + "&$orderby=properties/createdTimeUtc%20desc&$top=20"),
                    200, ArmPage({ArmIncident("a", "2025-06-01T10:01:00Z")}));
  auto recent = client_->ListRecent(20);
  ASSERT_TRUE(recent.ok()) << recent.status().ToString();
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].provider_name, "Azure Sentinel");
}

TEST_F(SentinelClientTest, GetReadsTheIncidentAndAllItsComments) {
  const std::string comments = Incidents(std::string("/inc-1/comments?") + kApiVersion);
  const std::string next = Incidents(std::string("/inc-1/comments?") + kApiVersion + "&$skipToken=c2");
  transport_.Expect("GET", Incidents(std::string("/inc-1?") + kApiVersion), 200,
                    ArmIncident("inc-1", "2025-06-01T10:01:00Z").dump());
  transport_.Expect("GET", comments, 200, ArmPage({ArmComment("c1", "one")}, next));
  transport_.Expect("GET", next, 200, ArmPage({ArmComment("c2", "two")}));

  auto incident = client_->Get("inc-1");
  ASSERT_TRUE(incident.ok()) << incident.status().ToString();
  ASSERT_EQ(incident->comments.size(), 2u);
  EXPECT_EQ(incident->comments[1].message, "two");
  EXPECT_EQ(incident->comments[0].author_upn, "ann@contoso.com");
}

TEST_F(SentinelClientTest, GetRefusesTheBodyOfAnotherIncident) {
  transport_.Expect("GET", Incidents(std::string("/inc-1?") + kApiVersion), 200,
                    ArmIncident("inc-2", "2025-06-01T10:01:00Z").dump(), {{"x-ms-request-id", "rid-7"}});

  auto incident = client_->Get("inc-1");
  ASSERT_FALSE(incident.ok());
  EXPECT_EQ(incident.status().code(), Code::kParseError);
  EXPECT_NE(incident.status().message().find("describes incident 'inc-2', not 'inc-1'"), std::string::npos)
      << incident.status().ToString();
  EXPECT_NE(incident.status().message().find("request-id rid-7"), std::string::npos) << incident.status().ToString();
}

TEST_F(SentinelClientTest, PutSendsTheWholeIncidentWithItsEtag) {
  Result<domain::SentinelIncident> read = ParseSentinelIncident(ArmIncident("inc-1", "2025-06-01T10:01:00Z").dump());
  ASSERT_TRUE(read.ok());
  domain::SentinelIncident incident = *read;
  incident.status = {domain::SStatus::kActive, "Active"};
  json answered = ArmIncident("inc-1", "2025-06-01T10:05:00Z");
  answered["etag"] = "\"etag-2\"";
  auto& step = transport_.Expect("PUT", Incidents(std::string("/inc-1?") + kApiVersion), 200, answered.dump());
  step.check = [](const http::Request& r) {
    const json body = json::parse(r.body);
    EXPECT_EQ(body["etag"], "\"etag-inc-1\"");
    EXPECT_EQ(body["properties"]["status"], "Active");
    EXPECT_EQ(body["properties"]["title"], "incident inc-1");
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  };
  auto put = client_->Put(incident);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->etag, "\"etag-2\"");
}

TEST_F(SentinelClientTest, AStaleEtagIsAConflictWithTheServiceMessage) {
  Result<domain::SentinelIncident> read = ParseSentinelIncident(ArmIncident("inc-1", "2025-06-01T10:01:00Z").dump());
  ASSERT_TRUE(read.ok());
  transport_.Expect(
      "PUT", Incidents(std::string("/inc-1?") + kApiVersion), 409,
      json{{"error",
            {{"code", "Conflict"}, {"message", "Newer version of resource 'inc-1' exists. Data was not saved"}}}}
          .dump(),
      {{"x-ms-request-id", "arm-409"}});
  auto put = client_->Put(*read);
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), Code::kConflict);
  EXPECT_NE(put.status().message().find("Newer version of resource 'inc-1' exists"), std::string::npos);
  EXPECT_NE(put.status().message().find("request-id arm-409"), std::string::npos);
}

TEST_F(SentinelClientTest, PutRefusesAClosedIncidentWithoutClassificationWithoutSending) {
  Result<domain::SentinelIncident> read = ParseSentinelIncident(ArmIncident("inc-1", "2025-06-01T10:01:00Z").dump());
  ASSERT_TRUE(read.ok());
  domain::SentinelIncident incident = *read;
  incident.status = {domain::SStatus::kClosed, "Closed"};
  incident.classification.reset();
  auto put = client_->Put(incident);
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(SentinelClientTest, PutCommentUsesTheCallersId) {
  auto& step = transport_.Expect("PUT", Incidents(std::string("/inc-1/comments/xdrsync-c1?") + kApiVersion), 201,
                                 ArmComment("xdrsync-c1", "hello").dump());
  step.check = [](const http::Request& r) {
    EXPECT_EQ(json::parse(r.body), (json{{"properties", {{"message", "hello"}}}}));
  };
  auto comment = client_->PutComment("inc-1", "xdrsync-c1", "hello");
  ASSERT_TRUE(comment.ok()) << comment.status().ToString();
  EXPECT_EQ(comment->id, "xdrsync-c1");
  EXPECT_EQ(comment->message, "hello");
}

TEST_F(SentinelClientTest, ClockOffsetComesFromTheDateHeader) {
  transport_.Expect("GET", Incidents(std::string("/inc-1?") + kApiVersion), 404,
                    json{{"error", {{"code", "NotFound"}, {"message", "gone"}}}}.dump(),
                    {{"Date", "Sun, 01 Jun 2025 11:59:00 GMT"}});
  ASSERT_EQ(client_->Get("inc-1").status().code(), Code::kNotFound);
  EXPECT_EQ(client_->ClockOffset(), -60 * Timestamp::kTicksPerSecond);
}

}  // namespace
}  // namespace xdrsync::api
