#include "xdrsync/api/graph_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/api/wire_samples.h"

namespace xdrsync::api {
namespace {

using domain::DClassification;
using domain::DDetermination;
using domain::DSeverity;
using domain::DStatus;
using nlohmann::json;
using testing::kGraphIncident;
using testing::kRemove;
using testing::With;

Timestamp T(const char* text) { return *Timestamp::Parse(text); }

TEST(GraphIncidentTest, ParsesTheDocumentedShape) {
  Result<domain::DefenderIncident> r = ParseDefenderIncident(kGraphIncident);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const domain::DefenderIncident& d = *r;
  EXPECT_EQ(d.id, "2972395");
  EXPECT_EQ(d.tenant_id, "12f988bf-16f1-11af-11ab-1d7cd011db47");
  EXPECT_EQ(d.status.value, DStatus::kActive);
  EXPECT_EQ(d.severity.value, DSeverity::kMedium);
  ASSERT_TRUE(d.classification.has_value());
  EXPECT_EQ(d.classification->value, DClassification::kTruePositive);
  ASSERT_TRUE(d.determination.has_value());
  EXPECT_EQ(d.determination->value, DDetermination::kMultiStagedAttack);
  EXPECT_EQ(d.assigned_to, "KaiC@contoso.onmicrosoft.com");
  EXPECT_EQ(d.resolving_comment, std::nullopt);
  EXPECT_EQ(d.redirect_incident_id, std::nullopt);
  EXPECT_EQ(d.custom_tags, (std::vector<std::string>{"Demo", "synced-from-sentinel"}));
  EXPECT_EQ(d.system_tags, (std::vector<std::string>{"Defender Experts"}));
  EXPECT_EQ(d.last_modified_by, "DavidS@contoso.onmicrosoft.com");
  EXPECT_EQ(d.created, T("2021-08-13T08:43:35.5533333Z"));
  EXPECT_EQ(d.last_update.ToString(), "2021-09-30T09:35:45.1133333Z");
  EXPECT_TRUE(d.unknown_values.empty());

  ASSERT_EQ(d.comments.size(), 2u);
  EXPECT_EQ(d.comments[0].text, "Demo incident");
  EXPECT_EQ(d.comments[0].author, "DavidS@contoso.onmicrosoft.com");
  EXPECT_EQ(d.comments[0].created, T("2021-09-30T12:07:37.2756993Z"));
  EXPECT_EQ(d.comments[1].author, "Kai Carter");
  EXPECT_EQ(d.comments[1].created, T("2021-09-30T11:00:00.1Z"));

  ASSERT_TRUE(d.alerts.has_value());
  ASSERT_EQ(d.alerts->size(), 1u);
  const domain::DefenderAlert& a = d.alerts->front();
  EXPECT_EQ(a.id, "da637551227677560813_-961444813");
  EXPECT_EQ(a.incident_id, "2972395");
  EXPECT_EQ(a.severity.value, DSeverity::kHigh);
  EXPECT_EQ(a.status, "new");
  EXPECT_EQ(a.service_source, "microsoftDefenderForEndpoint");
  EXPECT_EQ(a.created, T("2021-04-27T12:19:27.7211305Z"));
  EXPECT_EQ(a.web_url,
            "https://security.microsoft.com/alerts/da637551227677560813_-961444813?tid=12f988bf");
}

struct EnumCase {
  const char* name;
  const char* pointer;
  const char* wire;
  int expected;  // the enum value as an int
};

TEST(GraphIncidentTest, EnumsAreCaseInsensitiveWithEveryAlias) {
  const std::vector<EnumCase> cases = {
      {"status camel", "/status", "inProgress", static_cast<int>(DStatus::kInProgress)},
      {"status pascal", "/status", "Resolved", static_cast<int>(DStatus::kResolved)},
      {"status awaitingAction", "/status", "awaitingAction",
       static_cast<int>(DStatus::kAwaitingAction)},
      {"status unknownFutureValue", "/status", "unknownFutureValue",
       static_cast<int>(DStatus::kUnknownFutureValue)},
      {"status redirected upper", "/status", "REDIRECTED", static_cast<int>(DStatus::kRedirected)},
      {"severity legacy UnSpecified", "/severity", "UnSpecified",
       static_cast<int>(DSeverity::kUnknown)},
      {"severity informational", "/severity", "Informational",
       static_cast<int>(DSeverity::kInformational)},
      {"classification", "/classification", "informationalExpectedActivity",
       static_cast<int>(DClassification::kInformationalExpectedActivity)},
      {"classification pascal", "/classification", "FalsePositive",
       static_cast<int>(DClassification::kFalsePositive)},
      {"determination apt", "/determination", "apt", static_cast<int>(DDetermination::kApt)},
      {"determination compromisedUser", "/determination", "compromisedUser",
       static_cast<int>(DDetermination::kCompromisedAccount)},
      {"determination compromisedAccount", "/determination", "CompromisedAccount",
       static_cast<int>(DDetermination::kCompromisedAccount)},
      {"determination clean", "/determination", "clean",
       static_cast<int>(DDetermination::kNotMalicious)},
      {"determination notMalicious", "/determination", "notMalicious",
       static_cast<int>(DDetermination::kNotMalicious)},
      {"determination insufficientData", "/determination", "InsufficientData",
       static_cast<int>(DDetermination::kNotEnoughDataToValidate)},
      {"determination noEnoughDataToValidate", "/determination", "noEnoughDataToValidate",
       static_cast<int>(DDetermination::kNotEnoughDataToValidate)},
      {"determination notEnoughDataToValidate", "/determination", "notEnoughDataToValidate",
       static_cast<int>(DDetermination::kNotEnoughDataToValidate)},
      {"determination confirmedUserActivity", "/determination", "confirmedUserActivity",
       static_cast<int>(DDetermination::kConfirmedActivity)},
      {"determination confirmedActivity", "/determination", "ConfirmedActivity",
       static_cast<int>(DDetermination::kConfirmedActivity)},
      {"determination notAvailable", "/determination", "notAvailable",
       static_cast<int>(DDetermination::kUnknown)},
      {"determination lineOfBusinessApplication", "/determination", "lineOfBusinessApplication",
       static_cast<int>(DDetermination::kLineOfBusinessApplication)},
      {"determination securityTesting", "/determination", "SecurityTesting",
       static_cast<int>(DDetermination::kSecurityTesting)},
  };
  for (const EnumCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<domain::DefenderIncident> r =
        ParseDefenderIncident(With(kGraphIncident, c.pointer, c.wire));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const std::string field = std::string(c.pointer).substr(1);
    int got = -1;
    if (field == "status") got = static_cast<int>(r->status.value);
    if (field == "severity") got = static_cast<int>(r->severity.value);
    if (field == "classification") got = static_cast<int>(r->classification->value);
    if (field == "determination") got = static_cast<int>(r->determination->value);
    EXPECT_EQ(got, c.expected);
    EXPECT_TRUE(r->unknown_values.empty());
  }
}

TEST(GraphIncidentTest, UnknownEnumValueIsKeptAndFlagged) {
  const std::string doc = With(With(kGraphIncident, "/severity", "criticalish").c_str(),
                               "/determination", "quantumAttack");
  Result<domain::DefenderIncident> r = ParseDefenderIncident(doc);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->severity.known());
  EXPECT_EQ(r->severity.raw, "criticalish");
  EXPECT_EQ(r->determination->raw, "quantumAttack");
  EXPECT_EQ(r->unknown_values,
            (std::vector<std::string>{"severity=criticalish", "determination=quantumAttack"}));
}

TEST(GraphIncidentTest, MissingOptionalFieldsAreTolerated) {
  // The 2022 shape: no description, summary, resolvingComment, lastModifiedBy, comments, alerts.
  const json minimal = {{"id", "924565"},
                        {"status", "active"},
                        {"severity", "low"},
                        {"lastUpdateDateTime", "2022-01-01T00:00:00Z"}};
  Result<domain::DefenderIncident> r = ParseDefenderIncident(minimal.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->description, "");
  EXPECT_EQ(r->assigned_to, std::nullopt);
  EXPECT_EQ(r->classification, std::nullopt);
  EXPECT_TRUE(r->custom_tags.empty());
  EXPECT_TRUE(r->comments.empty());
  EXPECT_FALSE(r->alerts.has_value());

  Result<domain::DefenderIncident> only_id = ParseDefenderIncident(R"({"id":"1"})");
  ASSERT_TRUE(only_id.ok());
  EXPECT_TRUE(only_id->created.is_zero());

  Result<domain::DefenderIncident> numeric_id =
      ParseDefenderIncident(R"({"id":924565,"redirectIncidentId":77})");
  ASSERT_TRUE(numeric_id.ok());
  EXPECT_EQ(numeric_id->id, "924565");
  EXPECT_EQ(numeric_id->redirect_incident_id, "77");

  Result<domain::DefenderIncident> empty_alerts =
      ParseDefenderIncident(R"({"id":"1","alerts":[]})");
  ASSERT_TRUE(empty_alerts.ok());
  ASSERT_TRUE(empty_alerts->alerts.has_value());
  EXPECT_TRUE(empty_alerts->alerts->empty());
}

struct BadCase {
  const char* name;
  const char* pointer;
  json value;
  const char* message;  // the whole expected Status message
};

TEST(GraphIncidentTest, WrongTypesNameTheIncidentAndTheField) {
  const std::vector<BadCase> cases = {
      {"numeric severity", "/severity", 3,
       "incident 2972395: field 'severity': expected a string, got number"},
      {"string tags", "/customTags", "x",
       "incident 2972395: field 'customTags': expected an array of strings, got string"},
      {"number in tags", "/customTags", json::array({"a", 1}),
       "incident 2972395: field 'customTags[1]': expected a string, got number"},
      {"bad timestamp", "/lastUpdateDateTime", "2021-13-45T00:00:00Z",
       "incident 2972395: field 'lastUpdateDateTime': invalid timestamp '2021-13-45T00:00:00Z': "},
      {"timestamp as number", "/createdDateTime", 1630000000,
       "incident 2972395: field 'createdDateTime': expected a string, got number"},
      {"comments object", "/comments", json::object(),
       "incident 2972395: field 'comments': expected an array, got object"},
      {"comment not object", "/comments/0", "hello",
       "incident 2972395: field 'comments[0]': expected an object, got string"},
      {"comment bad time", "/comments/1/createdDateTime", "yesterday",
       "incident 2972395: field 'comments[1].createdDateTime': invalid timestamp 'yesterday': "},
      {"alert without id", "/alerts/0/id", kRemove,
       "incident 2972395: field 'alerts[0].id': missing"},
      {"alert severity bool", "/alerts/0/severity", true,
       "incident 2972395: field 'alerts[0].severity': expected a string, got boolean"},
      {"assignedTo object", "/assignedTo", json::object(),
       "incident 2972395: field 'assignedTo': expected a string, got object"},
      {"missing id", "/id", kRemove, "incident: field 'id': missing"},
      {"empty id", "/id", "", "incident: field 'id': empty or invalid"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<domain::DefenderIncident> r =
        ParseDefenderIncident(With(kGraphIncident, c.pointer, c.value));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kParseError);
    // Timestamp errors end with the parser's reason; compare the part we own.
    EXPECT_EQ(r.status().message().substr(0, std::string(c.message).size()), c.message);
  }
}

TEST(GraphIncidentTest, NotAnObjectIsAnError) {
  for (const char* body : {"[]", "42", "\"x\"", "null"}) {
    SCOPED_TRACE(body);
    Result<domain::DefenderIncident> r = ParseDefenderIncident(body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kParseError);
  }
}

}  // namespace
}  // namespace xdrsync::api
