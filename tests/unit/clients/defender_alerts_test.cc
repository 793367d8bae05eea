// Complete alert lists: the $expand=alerts fallback on 5xx, paging capped lists from alerts_v2 and
// the fallback when alerts_v2 refuses the incidentId filter.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "unit/clients/scripted_transport.h"
#include "unit/clients/wire.h"
#include "xdrsync/api/http_clients.h"

namespace xdrsync::api {
namespace {

using xdrsync::testing::GraphAlert;
using xdrsync::testing::GraphIncident;
using xdrsync::testing::GraphPage;
using xdrsync::testing::json;
using xdrsync::testing::kGraph;
using xdrsync::testing::kIncidents;

const Timestamp kSince = *Timestamp::Parse("2025-06-01T10:00:00Z");
const std::string kT1 = "2025-06-01T10:01:00Z";
const std::string kT2 = "2025-06-01T10:02:00Z";

std::string ListUrl(bool expand, const std::string& since = "2025-06-01T10:00:00.0000000Z") {
  return std::string(kIncidents) + "?$filter=lastUpdateDateTime%20ge%20" + since +
         "&$orderby=lastUpdateDateTime%20asc&$top=3" + (expand ? "&$expand=alerts" : "");
}
std::string Expanded(const std::string& id) { return std::string(kIncidents) + "/" + id + "?$expand=alerts"; }
std::string AlertsUrl(const std::string& id) {
  return std::string(kGraph) + "/v1.0/security/alerts_v2?$filter=incidentId%20eq%20'" + id + "'&$top=500";
}
std::string AlertPage(const std::vector<json>& alerts, const std::string& next = "") {
  json page = {{"value", alerts}};
  if (!next.empty()) page["@odata.nextLink"] = next;
  return page.dump();
}
std::string ErrorBody(const std::string& code, const std::string& message) {
  return json{{"error", {{"code", code}, {"message", message}}}}.dump();
}

size_t AlertCount(const domain::DefenderIncident& incident) {
  return incident.alerts ? incident.alerts->size() : static_cast<size_t>(-1);
}

class DefenderAlertsTest : public ::testing::Test {
 protected:
  std::unique_ptr<DefenderClient> Make(size_t alerts_cap = 100) {
    GraphClientOptions options;
    options.graph_url = kGraph;
    options.page_size = 3;
    options.expanded_alerts_cap = alerts_cap;
    return MakeGraphDefenderClient(transport_, options, clock_, logger_, metrics_);
  }
  void TearDown() override { EXPECT_EQ(transport_.remaining(), 0u) << "requests left in the script"; }

  xdrsync::testing::ScriptedTransport transport_;
  FakeClock clock_{*Timestamp::Parse("2025-06-01T12:00:00Z")};
  MemoryLogger logger_;
  Metrics metrics_;
};

TEST_F(DefenderAlertsTest, ExpandFailingWith500FallsBackToPerIncidentReads) {
  auto client = Make();
  transport_.Expect("GET", ListUrl(true), 500, ErrorBody("InternalServerError", "boom"));
  transport_.Expect("GET", ListUrl(false), 200, GraphPage({GraphIncident("1", kT1), GraphIncident("2", kT2)}));
  transport_.Expect("GET", Expanded("1"), 200, GraphIncident("1", kT1, 2).dump());
  transport_.Expect("GET", Expanded("2"), 200, GraphIncident("2", kT2, 0).dump());

  auto listing = client->ListChanged(kSince, true);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(listing->items.size(), 2u);
  EXPECT_EQ(AlertCount(listing->items[0]), 2u);
  EXPECT_EQ(AlertCount(listing->items[1]), 0u);
  EXPECT_EQ(logger_.Count("graph_expand_fallback"), 1u);

  // The failure is remembered: the next listing goes without $expand at once ...
  transport_.Expect("GET", ListUrl(false), 200, GraphPage({GraphIncident("1", kT1)}));
  transport_.Expect("GET", Expanded("1"), 200, GraphIncident("1", kT1, 1).dump());
  ASSERT_TRUE(client->ListChanged(kSince, true).ok());

  // ... and tries it again an hour later.
  clock_.Advance(3601);
  transport_.Expect("GET", ListUrl(true), 200, GraphPage({GraphIncident("1", kT1, 1)}));
  ASSERT_TRUE(client->ListChanged(kSince, true).ok());
}

TEST_F(DefenderAlertsTest, ExpandFailingOnALaterPageKeepsWhatWasRead) {
  auto client = Make();
  const std::string next = std::string(kIncidents) + "?$top=3&$expand=alerts&$skiptoken=s.3";
  transport_.Expect(
      "GET", ListUrl(true), 200,
      GraphPage({GraphIncident("1", kT1, 1), GraphIncident("2", kT2, 1), GraphIncident("3", "2025-06-01T10:03:00Z", 1)},
                next));
  transport_.Expect("GET", next, 503, ErrorBody("ServiceUnavailable", "busy"));
  transport_.Expect(
      "GET", ListUrl(false, "2025-06-01T10:03:00.0000000Z"), 200,
      GraphPage({GraphIncident("3", "2025-06-01T10:03:00Z"), GraphIncident("4", "2025-06-01T10:04:00Z")}));
  transport_.Expect("GET", Expanded("4"), 200, GraphIncident("4", "2025-06-01T10:04:00Z", 2).dump());

  auto listing = client->ListChanged(kSince, true);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(listing->items.size(), 4u);
  EXPECT_EQ(AlertCount(listing->items[2]), 1u);
  EXPECT_EQ(AlertCount(listing->items[3]), 2u);
}

TEST_F(DefenderAlertsTest, ACappedAlertListIsPagedFromAlertsV2) {
  auto client = Make(3);
  const std::string next = std::string(kGraph) + "/v1.0/security/alerts_v2?$top=500&$skiptoken=a.3";
  transport_.Expect("GET", ListUrl(true), 200, GraphPage({GraphIncident("1", kT1, 3), GraphIncident("2", kT2, 1)}));
  transport_.Expect("GET", AlertsUrl("1"), 200,
                    AlertPage({GraphAlert("x0", "1"), GraphAlert("x1", "1"), GraphAlert("x2", "1")}, next));
  transport_.Expect("GET", next, 200, AlertPage({GraphAlert("x3", "1"), GraphAlert("x4", "1")}));

  auto listing = client->ListChanged(kSince, true);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(listing->items.size(), 2u);
  ASSERT_EQ(AlertCount(listing->items[0]), 5u);
  EXPECT_EQ(listing->items[0].alerts->at(4).id, "x4");
  EXPECT_EQ(AlertCount(listing->items[1]), 1u);
}

TEST_F(DefenderAlertsTest, EachPageOfTheOpenListingHasItsAlertsCompletedBeforeItIsHandedOn) {
  auto client = Make(3);
  const std::string open = std::string(kIncidents) +
                           "?$filter=status%20ne%20'resolved'%20and%20status%20ne%20'redirected'"
                           "&$orderby=lastUpdateDateTime%20asc&$top=3&$expand=alerts";
  const std::string next = std::string(kGraph) + "/v1.0/security/alerts_v2?$top=500&$skiptoken=a.3";
  transport_.Expect("GET", open, 200, GraphPage({GraphIncident("1", kT1, 3), GraphIncident("2", kT2, 1)}));
  transport_.Expect("GET", AlertsUrl("1"), 200,
                    AlertPage({GraphAlert("x0", "1"), GraphAlert("x1", "1"), GraphAlert("x2", "1")}, next));
  transport_.Expect("GET", next, 200, AlertPage({GraphAlert("x3", "1"), GraphAlert("x4", "1")}));

  std::vector<domain::DefenderIncident> items;
  auto listing = client->ListOpen(true, api::AppendTo(items));
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(AlertCount(items[0]), 5u);
  EXPECT_EQ(AlertCount(items[1]), 1u);
}

TEST_F(DefenderAlertsTest, WhenAlertsV2RefusesTheFilterTheExpandedGetIsUsedAndTheRefusalRemembered) {
  auto client = Make(2);
  transport_.Expect("GET", ListUrl(true), 200, GraphPage({GraphIncident("1", kT1, 2), GraphIncident("2", kT2, 2)}));
  transport_.Expect("GET", AlertsUrl("1"), 400,
                    ErrorBody("BadRequest", "Invalid filter clause: Could not find a property named 'incidentId'."));
  transport_.Expect("GET", Expanded("1"), 200, GraphIncident("1", kT1, 3).dump());
  transport_.Expect("GET", Expanded("2"), 200, GraphIncident("2", kT2, 2).dump());

  auto listing = client->ListChanged(kSince, true);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(AlertCount(listing->items[0]), 3u);
  EXPECT_EQ(AlertCount(listing->items[1]), 2u);
  EXPECT_EQ(logger_.Count("graph_alerts_filter_refused"), 1u);
  EXPECT_EQ(logger_.Count("graph_alerts_maybe_capped"), 2u);
}

TEST_F(DefenderAlertsTest, AnIncidentWhoseAlertsCannotBeReadGoesToErrors) {
  auto client = Make();
  transport_.Expect("GET", ListUrl(true), 500, ErrorBody("InternalServerError", "boom"));
  transport_.Expect("GET", ListUrl(false), 200, GraphPage({GraphIncident("1", kT1), GraphIncident("2", kT2)}));
  transport_.Expect("GET", Expanded("1"), 404, ErrorBody("NotFound", "Incident '1' was not found."));
  transport_.Expect("GET", Expanded("2"), 200, GraphIncident("2", kT2, 1).dump());

  auto listing = client->ListChanged(kSince, true);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(listing->items.size(), 1u);
  EXPECT_EQ(listing->items[0].id, "2");
  ASSERT_EQ(listing->errors.size(), 1u);
  EXPECT_EQ(listing->errors[0].id, "1");
  EXPECT_EQ(listing->errors[0].status.code(), Code::kNotFound);
}

TEST_F(DefenderAlertsTest, AServiceFailureWhileReadingAlertsFailsTheListing) {
  auto client = Make();
  transport_.Expect("GET", ListUrl(true), 500, ErrorBody("InternalServerError", "boom"));
  transport_.Expect("GET", ListUrl(false), 200, GraphPage({GraphIncident("1", kT1)}));
  transport_.Expect("GET", Expanded("1"), 429, ErrorBody("TooManyRequests", "slow down"));

  auto listing = client->ListChanged(kSince, true);
  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.status().code(), Code::kResourceExhausted);
}

TEST_F(DefenderAlertsTest, GetFallsBackToABareReadAndAlertsV2WhenTheExpandFails) {
  auto client = Make();
  transport_.Expect("GET", Expanded("42"), 500, ErrorBody("InternalServerError", "too many alerts"));
  transport_.Expect("GET", std::string(kIncidents) + "/42", 200, GraphIncident("42", kT1).dump());
  transport_.Expect("GET", AlertsUrl("42"), 200, AlertPage({GraphAlert("a", "42"), GraphAlert("b", "42")}));

  auto incident = client->Get("42");
  ASSERT_TRUE(incident.ok()) << incident.status().ToString();
  EXPECT_EQ(AlertCount(*incident), 2u);
}

TEST_F(DefenderAlertsTest, AlertsV2PagingThatLoopsIsAnErrorOfThatIncidentOnly) {
  // A parse error, not "unavailable": in a listing it costs this incident (quarantined), where an
  // unavailable would fail the whole listing again every cycle.
  auto client = Make(1);
  const std::string next = std::string(kGraph) + "/v1.0/security/alerts_v2?$top=500&$skiptoken=loop";
  transport_.Expect("GET", Expanded("7"), 200, GraphIncident("7", kT1, 1).dump());
  transport_.Expect("GET", AlertsUrl("7"), 200, AlertPage({GraphAlert("a", "7")}, next));
  transport_.Expect("GET", next, 200, AlertPage({GraphAlert("b", "7")}, next));

  auto incident = client->Get("7");
  ASSERT_FALSE(incident.ok());
  EXPECT_EQ(incident.status().code(), Code::kParseError);
  EXPECT_NE(incident.status().message().find("repeats"), std::string::npos);
}

}  // namespace
}  // namespace xdrsync::api
