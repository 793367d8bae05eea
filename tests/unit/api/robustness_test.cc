// Hostile and broken input through every parser: truncation, invalid UTF-8, huge strings, deep
// nesting. Every case must come back as a value; a crash or an escaping exception fails the run.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "unit/api/wire_samples.h"
#include "xdrsync/api/arm_codec.h"
#include "xdrsync/api/graph_codec.h"

namespace xdrsync::api {
namespace {

using nlohmann::json;
using testing::kArmIncident;
using testing::kGraphIncident;

// Every parser, reduced to "did it succeed, and with which Status".
std::vector<std::pair<const char*, std::function<Status(std::string_view)>>> AllParsers() {
  return {
      {"graph incident", [](std::string_view b) { return ParseDefenderIncident(b).status(); }},
      {"graph page", [](std::string_view b) { return ParseDefenderIncidentPage(b).status(); }},
      {"graph comments", [](std::string_view b) { return ParseDefenderComments(b).status(); }},
      {"graph alert", [](std::string_view b) { return ParseDefenderAlert(b).status(); }},
      {"graph alert page", [](std::string_view b) { return ParseDefenderAlertPage(b).status(); }},
      {"graph error", [](std::string_view b) { return ParseGraphError(b).status(); }},
      {"create alert reply", [](std::string_view b) { return ParseCreateAlertReply(b).status(); }},
      {"arm incident", [](std::string_view b) { return ParseSentinelIncident(b).status(); }},
      {"arm page", [](std::string_view b) { return ParseSentinelIncidentPage(b).status(); }},
      {"arm comment", [](std::string_view b) { return ParseSentinelComment(b).status(); }},
      {"arm comment page", [](std::string_view b) { return ParseSentinelCommentPage(b).status(); }},
      {"arm error", [](std::string_view b) { return ParseArmError(b).status(); }},
  };
}

TEST(RobustnessTest, MalformedBodiesAreParseErrorsEverywhere) {
  const std::string graph(kGraphIncident);
  const std::vector<std::pair<const char*, std::string>> bodies = {
      {"empty", ""},
      {"whitespace", "  \n"},
      {"truncated incident", graph.substr(0, graph.size() / 2)},
      {"truncated in a string", graph.substr(0, graph.find("Multi-stage") + 5)},
      {"trailing garbage", graph + "}"},
      {"html", "<html><body>502 Bad Gateway</body></html>"},
      {"deep nesting", std::string(100000, '[') + std::string(100000, ']')},
      {"deep objects",
       [] {
         std::string s;
         for (int i = 0; i < 50000; ++i) s += "{\"a\":";
         return s + "1" + std::string(50000, '}');
       }()},
      {"nul bytes", std::string("{\"id\":\"1\0\"}", 11)},
      {"lone high surrogate escape outside a string", R"({"id":1} \ud800)"},
  };
  for (const auto& [parser_name, parse] : AllParsers()) {
    for (const auto& [body_name, body] : bodies) {
      SCOPED_TRACE(std::string(parser_name) + " / " + body_name);
      const Status s = parse(body);
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.code(), Code::kParseError);
      EXPECT_LT(s.message().size(), 1000u) << "errors stay one log line";
    }
  }
}

TEST(RobustnessTest, InvalidUtf8FailsOnlyTheItemHoldingIt) {
  struct Case {
    const char* name;
    std::string raw;    // spliced over the text "Demo incident" in a comment
    const char* field;  // the field the error must name
  };
  const std::vector<Case> cases = {
      {"lone continuation byte", "Demo \x80 incident", "comments[0].comment"},
      {"truncated sequence", "Demo \xE2\x82", "comments[0].comment"},
      {"overlong slash", "Demo \xC0\xAF", "comments[0].comment"},
      {"encoded surrogate", "Demo \xED\xA0\x80", "comments[0].comment"},
      {"above U+10FFFF", "Demo \xF4\x90\x80\x80", "comments[0].comment"},
      {"lone surrogate escape", "Demo \\ud83d incident", "comments[0].comment"},
      {"lone low surrogate escape", "\\udc00", "comments[0].comment"},
  };
  // Well-formed text of every width, escaped and raw, and an escaped backslash before a 'u'.
  const std::string good_one =
      R"({"id":"1","displayName":"fine \ud83d\ude00 \u00e9 ü € 😀","summary":"C:\\udir"})";
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string bad(kGraphIncident);
    const std::string needle = "\"Demo incident\"";
    bad.replace(bad.find(needle), needle.size(), "\"" + c.raw + "\"");
    Result<domain::DefenderIncident> single = ParseDefenderIncident(bad);
    ASSERT_FALSE(single.ok());
    EXPECT_EQ(single.status().message(),
              std::string("incident 2972395: field '") + c.field + "': invalid UTF-8");

    const std::string page = "{\"value\":[" + good_one + "," + bad + "]}";
    Result<Page<domain::DefenderIncident>> r = ParseDefenderIncidentPage(page);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->items.size(), 1u);
    EXPECT_EQ(r->items[0].display_name,
              "fine \xF0\x9F\x98\x80 \xC3\xA9 \xC3\xBC \xE2\x82\xAC \xF0\x9F\x98\x80");
    EXPECT_EQ(r->items[0].summary, "C:\\udir");
    ASSERT_EQ(r->errors.size(), 1u);
    EXPECT_EQ(r->errors[0].id, "2972395");
  }
}

TEST(RobustnessTest, InvalidUtf8InSentinelKeysIdsAndIgnoredMembers) {
  std::string in_key(kArmIncident);
  in_key.replace(in_key.find("\"bookmarksCount\""), 16, "\"bookmarks\xFF\"");
  Result<domain::SentinelIncident> r = ParseSentinelIncident(in_key);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("field 'properties.additionalData.bookmarks"),
            std::string::npos);

  std::string in_name(kArmIncident);
  in_name.replace(in_name.find("\"73e01a99-5cd7-4139-a149-9f2736ff2ab5\""), 38, "\"73e0\xFE\"");
  Result<Page<domain::SentinelIncident>> page =
      ParseSentinelIncidentPage("{\"value\":[" + in_name + "," + kArmIncident + "]}");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->items.size(), 1u);
  ASSERT_EQ(page->errors.size(), 1u);
  EXPECT_EQ(page->errors[0].id, "") << "an unreadable id is not echoed";
  EXPECT_EQ(page->errors[0].status.message().rfind("incident at index 0: field 'name'", 0), 0u);
}

TEST(RobustnessTest, AMegabyteStringIsReadAndQuotedShort) {
  const std::string huge(1 << 20, 'x');
  json doc = json::parse(kGraphIncident);
  doc["description"] = huge;
  Result<domain::DefenderIncident> r = ParseDefenderIncident(doc.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->description.size(), huge.size());

  doc["severity"] = huge;
  Result<domain::DefenderIncident> flagged = ParseDefenderIncident(doc.dump());
  ASSERT_TRUE(flagged.ok());
  EXPECT_EQ(flagged->severity.raw.size(), huge.size()) << "kept verbatim";
  ASSERT_EQ(flagged->unknown_values.size(), 1u);
  EXPECT_LT(flagged->unknown_values[0].size(), 300u) << "but flagged in short";

  doc["lastUpdateDateTime"] = huge;
  Result<domain::DefenderIncident> bad_time = ParseDefenderIncident(doc.dump());
  ASSERT_FALSE(bad_time.ok());
  EXPECT_LT(bad_time.status().message().size(), 400u);

  const std::string truncated = doc.dump().substr(0, 600000);
  Result<domain::DefenderIncident> cut = ParseDefenderIncident(truncated);
  ASSERT_FALSE(cut.ok());
  EXPECT_LT(cut.status().message().size(), 400u);
}

TEST(RobustnessTest, ModeratelyDeepMembersInsideAnItemAreFine) {
  json doc = json::parse(kGraphIncident);
  json nested = "leaf";
  for (int i = 0; i < 100; ++i) nested = json::array({nested});
  doc["evidenceTree"] = nested;
  EXPECT_TRUE(ParseDefenderIncident(doc.dump()).ok());
}

}  // namespace
}  // namespace xdrsync::api
