// List pages, comment lists and alerts of the Graph codec.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/api/wire_samples.h"
#include "xdrsync/api/graph_codec.h"

namespace xdrsync::api {
namespace {

using nlohmann::json;
using testing::kGraphIncident;

std::string PageOf(const std::vector<json>& items, const json& next_link) {
  json page = {{"@odata.context", "https://graph.microsoft.com/v1.0/$metadata#security/incidents"},
               {"value", items}};
  if (!next_link.is_discarded()) page["@odata.nextLink"] = next_link;
  return page.dump();
}

TEST(GraphIncidentPageTest, OneBadIncidentDoesNotLoseTheOthers) {
  json good = json::parse(kGraphIncident);
  json bad = good;
  bad["id"] = "2972396";
  bad["lastUpdateDateTime"] = "not a time";
  json other = {{"id", "2972397"}, {"status", "resolved"}};
  const std::string body = PageOf({good, bad, "garbage", other},
                                  "https://graph.microsoft.com/v1.0/security/incidents?$skip=50");

  Result<Page<domain::DefenderIncident>> r = ParseDefenderIncidentPage(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->items[0].id, "2972395");
  EXPECT_EQ(r->items[1].id, "2972397");
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].index, 1u);
  EXPECT_EQ(r->errors[0].id, "2972396");
  EXPECT_EQ(r->errors[0].status.code(), Code::kParseError);
  EXPECT_NE(r->errors[0].status.message().find("incident 2972396: field 'lastUpdateDateTime'"),
            std::string::npos);
  EXPECT_EQ(r->errors[1].index, 2u);
  EXPECT_EQ(r->errors[1].id, "");
  EXPECT_EQ(r->errors[1].status.message(), "incident at index 2: expected an object, got string");
  EXPECT_EQ(r->next_link, "https://graph.microsoft.com/v1.0/security/incidents?$skip=50");
}

TEST(GraphIncidentPageTest, IdsThatAreNotPlainPathSegmentsAreItemErrors) {
  // A hostile or broken service must not steer a later request: "/incidents/.." is the parent.
  json good = json::parse(kGraphIncident);
  std::vector<json> items = {good};
  for (const char* id : {"..", ".", "1/../../users", "7?$select=x", "12#frag", "9%2F1", "a b"}) {
    json bad = good;
    bad["id"] = id;
    items.push_back(bad);
  }
  json redirect = good;
  redirect["id"] = "2972399";
  redirect["redirectIncidentId"] = "..";
  items.push_back(redirect);
  Result<Page<domain::DefenderIncident>> r = ParseDefenderIncidentPage(PageOf(items, json::value_t::discarded));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].id, "2972395");
  ASSERT_EQ(r->errors.size(), 8u);
  for (const auto& e : r->errors) {
    EXPECT_NE(e.status.message().find("not a plain id"), std::string::npos) << e.status.ToString();
  }
}

TEST(GraphIncidentPageTest, NextLinkPresentAbsentNullAndEmptyPage) {
  struct Case {
    const char* name;
    std::vector<json> items;
    json next_link;
    size_t count;
    const char* expected_link;
  };
  const json one = {{"id", "1"}};
  const std::vector<Case> cases = {
      {"present", {one}, "https://graph.microsoft.com/next", 1, "https://graph.microsoft.com/next"},
      {"absent", {one}, testing::kRemove, 1, ""},
      {"null", {one}, nullptr, 1, ""},
      {"empty page with link",
       {},
       "https://graph.microsoft.com/next",
       0,
       "https://graph.microsoft.com/next"},
      {"empty last page", {}, testing::kRemove, 0, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<Page<domain::DefenderIncident>> r =
        ParseDefenderIncidentPage(PageOf(c.items, c.next_link));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->items.size(), c.count);
    EXPECT_TRUE(r->errors.empty());
    EXPECT_EQ(r->next_link, c.expected_link);
  }
}

TEST(GraphIncidentPageTest, AnUnreadablePageFailsAsAWhole) {
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"truncated", R"({"value":[{"id":"1"},{"id":"2")"},
      {"no value", R"({"@odata.nextLink":"x"})"},
      {"value object", R"({"value":{}})"},
      {"link number", R"({"value":[],"@odata.nextLink":5})"},
      {"array body", R"([{"id":"1"}])"},
  };
  for (const auto& [name, body] : cases) {
    SCOPED_TRACE(name);
    Result<Page<domain::DefenderIncident>> r = ParseDefenderIncidentPage(body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kParseError);
  }
}

TEST(GraphCommentsTest, PostReplyInBothEnvelopesAndBothShapes) {
  const json list = json::array({{{"comment", "first"},
                                  {"createdBy", "a@contoso.com"},
                                  {"createdTime", "2024-05-01T10:00:00.1234567Z"}},
                                 {{"@odata.type", "microsoft.graph.security.alertComment"},
                                  {"comment", "second"},
                                  {"createdByDisplayName", "API-App"},
                                  {"createdDateTime", "2024-05-01T11:00:00+00:00"}},
                                 {{"comment", "no author"}}});
  for (const auto& [name, body] : std::vector<std::pair<const char*, std::string>>{
           {"value envelope", json{{"value", list}}.dump()}, {"bare array", list.dump()}}) {
    SCOPED_TRACE(name);
    Result<std::vector<domain::DefenderComment>> r = ParseDefenderComments(body);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0].author, "a@contoso.com");
    EXPECT_EQ((*r)[0].created->ToString(), "2024-05-01T10:00:00.1234567Z");
    EXPECT_EQ((*r)[1].text, "second");
    EXPECT_EQ((*r)[1].author, "API-App");
    EXPECT_EQ((*r)[1].created->ToString(), "2024-05-01T11:00:00.0000000Z");
    EXPECT_EQ((*r)[2].author, "");
    EXPECT_FALSE((*r)[2].created.has_value());
  }
  Result<std::vector<domain::DefenderComment>> bad =
      ParseDefenderComments(R"({"value":[{"comment":7}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "comments: field 'value[0].comment': expected a string, got number");
  EXPECT_FALSE(ParseDefenderComments(R"({"comments":[]})").ok());
  EXPECT_FALSE(ParseDefenderComments("7").ok());
}

TEST(GraphAlertTest, AlertAndAlertPage) {
  const json alert = json::parse(kGraphIncident)["alerts"][0];
  Result<domain::DefenderAlert> one = ParseDefenderAlert(alert.dump());
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->id, "da637551227677560813_-961444813");

  json odd = alert;
  odd["id"] = "da2";
  odd["severity"] = "catastrophic";
  json broken = alert;
  broken["id"] = "da3";
  broken["createdDateTime"] = "2021-04-31T00:00:00Z";
  const json page = {
      {"value", {alert, odd, broken}},
      {"@odata.nextLink", "https://graph.microsoft.com/v1.0/security/alerts_v2?$skip=3"}};
  Result<Page<domain::DefenderAlert>> r = ParseDefenderAlertPage(page.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_FALSE(r->items[1].severity.known());
  EXPECT_EQ(r->items[1].severity.raw, "catastrophic");
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].id, "da3");
  EXPECT_NE(
      r->errors[0].status.message().find("alert da3: field 'createdDateTime': invalid timestamp"),
      std::string::npos);
  EXPECT_EQ(r->next_link, "https://graph.microsoft.com/v1.0/security/alerts_v2?$skip=3");
}

TEST(GraphAlertTest, ExpandedAlertWithUnknownSeverityIsFlaggedOnTheIncident) {
  json doc = json::parse(kGraphIncident);
  doc["alerts"][0]["severity"] = "severe";
  Result<domain::DefenderIncident> r = ParseDefenderIncident(doc.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->unknown_values, (std::vector<std::string>{"alerts[0].severity=severe"}));
}

}  // namespace
}  // namespace xdrsync::api
