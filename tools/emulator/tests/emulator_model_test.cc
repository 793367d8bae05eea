// The socket-free parts: time text, OData parsing, PATCH/PUT validation, the Graph<->ARM
// mapping, fault matching, token buckets and the world's paging, called directly.
#include <gtest/gtest.h>

#include "arm_model.h"
#include "fault_injector.h"
#include "graph_model.h"
#include "jwt.h"
#include "mirror.h"
#include "odata_query.h"
#include "rate_limiter.h"
#include "time_text.h"
#include "world.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

TEST(EmulatorModel, TimeTextRoundTripsWithSevenDigits) {
  auto t = ParseTime("2025-06-01T10:20:30.1234567Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTime(*t), "2025-06-01T10:20:30.1234567Z");
  EXPECT_EQ(FormatTime(*ParseTime("2025-06-01T10:20:30+02:00")), "2025-06-01T08:20:30.0000000Z");
  EXPECT_EQ(FormatTime(*ParseTime("2025-06-01T10:20:30.5Z")), "2025-06-01T10:20:30.5000000Z");
  for (const char* bad : {"2025-13-01T00:00:00Z", "yesterday", "2025-06-01T10:20:30Zjunk", "2025-06-01"}) {
    EXPECT_FALSE(ParseTime(bad)) << bad;
  }
}

const FieldSpec kText{LiteralType::kString, nullptr};
const FieldSpec kTime{LiteralType::kDateTime, nullptr};
const FieldSpec kStatus{LiteralType::kEnum, GraphIncidentStatus};
const FilterSchema kSchema = {{"lastUpdateDateTime", kTime}, {"status", kStatus}, {"assignedTo", kText},
                              {"number", {LiteralType::kInt, nullptr}}};

TEST(EmulatorModel, FilterParsingAndMatching) {
  ODataFilter f;
  std::string error;
  ASSERT_TRUE(ParseFilter("lastUpdateDateTime ge 2025-06-01T00:00:00Z and status eq 'active'", kSchema, &f, &error))
      << error;
  ASSERT_EQ(f.clauses.size(), 2u);
  auto get = [](const std::string& t, const std::string& s) {
    return [=](const std::string& field) -> std::optional<std::string> { return field == "status" ? s : t; };
  };
  std::set<std::string> times = {"lastUpdateDateTime"};
  EXPECT_TRUE(FilterMatches(f, get("2025-06-01T00:00:00.0000000Z", "active"), times));
  EXPECT_FALSE(FilterMatches(f, get("2025-05-31T23:59:59.9999999Z", "active"), times));
  EXPECT_FALSE(ParseFilter("status eq 'active' or status eq 'resolved'", kSchema, &f, &error));
  EXPECT_FALSE(ParseFilter("other eq 'x'", kSchema, &f, &error));
  EXPECT_FALSE(ParseFilter("status like 'active'", kSchema, &f, &error));
  EXPECT_FALSE(ParseFilter("status eq 'open", kSchema, &f, &error));
  ODataFilter quoted;
  ASSERT_TRUE(ParseFilter("(assignedTo eq 'o''brien@x')", kSchema, &quoted, &error)) << error;
  EXPECT_EQ(quoted.clauses[0].value, "o'brien@x");
  OrderBy order;
  EXPECT_TRUE(ParseOrderBy("lastUpdateDateTime desc", {"lastUpdateDateTime"}, &order, &error));
  EXPECT_TRUE(order.descending);
  EXPECT_FALSE(ParseOrderBy("lastUpdateDateTime sideways", {"lastUpdateDateTime"}, &order, &error));
}

TEST(EmulatorModel, FilterLiteralsAreTypedAsODataTypesThem) {
  struct Case {
    const char* filter;
    bool ok;
    const char* error_has;
  };
  const Case cases[] = {
      {"lastUpdateDateTime ge 2025-06-01T00:00:00Z", true, ""},
      {"lastUpdateDateTime ge 2025-06-01T00:00:00.1234567+02:00", true, ""},
      {"lastUpdateDateTime ge '2025-06-01T00:00:00Z'", false, "'Edm.DateTimeOffset' and 'Edm.String'"},
      {"lastUpdateDateTime ge datetime'2025-06-01T00:00:00Z'", false, "Unrecognized 'Edm.DateTimeOffset' literal"},
      {"lastUpdateDateTime ge 2025-06-01", false, "'Edm.DateTimeOffset' and 'Edm.Date'"},
      {"lastUpdateDateTime ge 2026-13-45T99:00:00Z", false, "Unrecognized 'Edm.DateTimeOffset' literal"},
      {"lastUpdateDateTime ge 2025-06-01T00:00:00", false, "with a zone"},
      {"lastUpdateDateTime eq null", true, ""},
      {"status eq active", false, "needs single quotes"},
      {"status eq 'Active'", false, "case-sensitive: 'active'"},
      {"status eq 'banana'", false, "not a valid enumeration type constant"},
      {"status eq 'inProgress'", true, ""},
      {"assignedTo eq someone", false, "needs single quotes"},
      {"number eq 12", true, ""},
      {"number eq '12'", false, "'Edm.Int32' and 'Edm.String'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.filter);
    ODataFilter f;
    std::string error;
    EXPECT_EQ(ParseFilter(c.filter, kSchema, &f, &error), c.ok) << error;
    EXPECT_NE(error.find(c.error_has), std::string::npos) << error;
  }
}

TEST(EmulatorModel, GraphPatchKeepsUnsentFieldsAndIsAllOrNothing) {
  GraphIncident i;
  i.assigned_to = "a@x";
  EXPECT_EQ(ApplyGraphPatch({{"severity", "High"}}, &i), "");
  EXPECT_EQ(i.severity, "high");
  EXPECT_EQ(i.assigned_to, "a@x");
  EXPECT_NE(ApplyGraphPatch({{"assignedTo", "b@x"}, {"classification", "maybe"}}, &i), "");
  EXPECT_EQ(i.assigned_to, "a@x");
  EXPECT_EQ(ApplyGraphPatch({{"assignedTo", nullptr}}, &i), "");
  EXPECT_FALSE(i.assigned_to);
}

TEST(EmulatorModel, ArmPutValidationPairsClassificationAndReason) {
  auto parse = [](const json& props) {
    ArmIncidentInput in;
    std::string code, message;
    return ParseArmIncidentPut({{"properties", props}}, &in, &code, &message);
  };
  json base = {{"title", "t"}, {"severity", "low"}, {"status", "closed"}};
  for (auto [c, r, ok] : std::vector<std::tuple<const char*, const char*, bool>>{
           {"TruePositive", "SuspiciousActivity", true}, {"BenignPositive", "SuspiciousButExpected", true},
           {"FalsePositive", "IncorrectAlertLogic", true}, {"FalsePositive", "InaccurateData", true},
           {"FalsePositive", "SuspiciousActivity", false}, {"Undetermined", "", true},
           {"Undetermined", "InaccurateData", false}, {"", "", false}}) {
    json p = base;
    if (*c) p["classification"] = c;
    if (*r) p["classificationReason"] = r;
    EXPECT_EQ(parse(p), ok) << c << "/" << r;
  }
}

TEST(EmulatorModel, MirrorFollowsTheConnectorTable) {
  GraphIncident g;
  g.id = "7";
  g.tenant_id = "t";
  g.display_name = "x";
  g.status = "inProgress";
  g.severity = "informational";
  g.classification = "informationalExpectedActivity";
  g.assigned_to = "a@x";
  g.custom_tags = {"vip"};
  ArmIncident a;
  ArmFromGraph(g, {}, &a);
  EXPECT_EQ(a.status, "Active");
  EXPECT_EQ(a.severity, "Informational");
  EXPECT_EQ(a.classification, "BenignPositive");
  EXPECT_EQ(a.classification_reason, "SuspiciousButExpected");
  EXPECT_EQ(a.owner["userPrincipalName"], "a@x");
  EXPECT_EQ(a.provider_name, "Microsoft Defender XDR");
  a.status = "Closed";
  a.classification = "FalsePositive";
  a.classification_reason = "IncorrectAlertLogic";
  GraphFromArm(a, &g);
  EXPECT_EQ(g.status, "resolved");
  EXPECT_EQ(g.classification, "falsePositive");
  g.status = "redirected";
  a.status = "New";
  GraphFromArm(a, &g);
  EXPECT_EQ(g.status, "redirected");
}

TEST(EmulatorModel, FaultMatchingByMethodGlobAndCount) {
  FaultInjector faults(1);
  FaultRule rule;
  std::string error;
  ASSERT_TRUE(FaultRuleFromJson({{"kind", "503"}, {"method", "PUT"}, {"path_glob", "/subscriptions/*/x/**"}, {"count", 1}},
                                &rule, &error)) << error;
  faults.Add(rule);
  EXPECT_FALSE(faults.Draw("GET", "/subscriptions/s/x/a/b"));
  EXPECT_FALSE(faults.Draw("PUT", "/subscriptions/s/t/x/a"));
  auto fired = faults.Draw("PUT", "/subscriptions/s/x/a/b");
  ASSERT_TRUE(fired);
  EXPECT_EQ(fired->status, 503);
  EXPECT_FALSE(faults.Draw("PUT", "/subscriptions/s/x/a/b"));
  EXPECT_FALSE(FaultRuleFromJson({{"kind", "gremlins"}}, &rule, &error));
  EXPECT_FALSE(FaultRuleFromJson({{"kind", "reset"}, {"path_regex", "("}}, &rule, &error));
}

TEST(EmulatorModel, TokenBucketRefillsWithTheGivenClock) {
  RateLimiter limiter;
  TimePoint t0 = *ParseTime("2025-01-01T00:00:00Z");
  BucketSpec spec{2, 1};
  EXPECT_TRUE(limiter.Take("k", spec, t0).allowed);
  EXPECT_EQ(limiter.Take("k", spec, t0).remaining, 0);
  TakeResult refused = limiter.Take("k", spec, t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_DOUBLE_EQ(refused.retry_after_s, 1.0);
  EXPECT_TRUE(limiter.Take("k", spec, t0 + std::chrono::seconds(1)).allowed);
  EXPECT_TRUE(limiter.Take("other", spec, t0).allowed);
}

TEST(EmulatorModel, JwtSignAndVerify) {
  std::string token = SignHs256({{"alg", "HS256"}}, {{"aud", "a"}}, "key");
  auto jwt = ParseJwt(token);
  ASSERT_TRUE(jwt);
  EXPECT_EQ(jwt->payload["aud"], "a");
  EXPECT_TRUE(VerifyHs256(*jwt, "key"));
  EXPECT_FALSE(VerifyHs256(*jwt, "other"));
  EXPECT_FALSE(ParseJwt("a.b"));
  EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode("any\xff bytes")), "any\xff bytes");
}

TEST(EmulatorModel, WorldPagesFromASnapshotWithoutSockets) {
  EmuClock clock;
  IdSource ids(3);
  Journal journal;
  World world(&clock, &ids, &journal);
  world.AddTenant("t");
  for (int i = 0; i < 5; ++i) world.ControlCreateGraphIncident("t", json::object());
  ApiResult first = world.GraphListIncidents("t", {{"$top", "2"}}, false, "http://h/v1.0");
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(first.Json()["value"].size(), 2u);
  std::string next = first.Json()["@odata.nextLink"];
  std::string token = next.substr(next.find("$skiptoken=") + 11);
  world.ControlCreateGraphIncident("t", json::object());
  ApiResult second = world.GraphListIncidents("t", {{"$top", "2"}, {"$skiptoken", token}}, false, "http://h/v1.0");
  EXPECT_EQ(second.Json()["value"].size(), 2u);
  EXPECT_EQ(world.GraphListIncidents("t", {{"$skiptoken", "zzz.1"}}, false, "").status, 400);
}

}  // namespace
}  // namespace xdrsync::emulator
