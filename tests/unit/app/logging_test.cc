#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "xdrsync/app/logging.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::app {
namespace {

const Timestamp kNoon = Timestamp::FromUnixMillis(1795694400123);  // 2026-11-26T12:00:00.123Z

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = Split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

TEST(LoggingTest, JsonLinesCarryTsLevelEventAndFields) {
  std::ostringstream out;
  FakeClock clock(kNoon);
  auto logger = MakeLogger({"json", "info"}, out, &clock);
  logger->Info("change_propagated", {{"link", "contoso"}, {"field", "status"}, {"from", "active"},
                                     {"to", "resolved"}, {"duration_ms", "42"}, {"count", "3"}, {"to_count", "x"}});
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            R"({"ts":"2026-11-26T12:00:00.123Z","level":"info","event":"change_propagated","link":"contoso",)"
            R"("field":"status","from":"active","to":"resolved","duration_ms":42,"count":3,"to_count":"x"})");
}

TEST(LoggingTest, HostileTextStaysOneParseableLine) {
  std::ostringstream out;
  auto logger = MakeLogger({"json", "debug"}, out);
  const std::string bad_utf8 = "caf\xc3\x28 \xff\xfe";
  logger->Warn("weird", {{"title", "say \"hi\"\nnext line\\ \t tab"}, {"bytes", bad_utf8}, {"ts", "shadow"},
                         {"duration_ms", "1e400"}});
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 1u);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["title"], "say \"hi\"\nnext line\\ \t tab");
  EXPECT_NE(j["bytes"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
  EXPECT_EQ(j["_ts"], "shadow");
  EXPECT_EQ(j["duration_ms"], "1e400");  // not a number JSON can hold as such: kept as text
  EXPECT_NE(j["ts"], "shadow");
}

TEST(LoggingTest, LevelFilter) {
  std::ostringstream out;
  auto logger = MakeLogger({"json", "warning"}, out);
  EXPECT_FALSE(logger->Enabled(LogLevel::kInfo));
  EXPECT_TRUE(logger->Enabled(LogLevel::kError));
  logger->Debug("d");
  logger->Info("i");
  logger->Warn("w");
  logger->Error("e");
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["event"], "w");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["event"], "e");
  std::ostringstream none;
  auto off = MakeLogger({"json", "off"}, none);
  off->Error("e");
  off->Log(LogLevel::kCritical, "c", {});
  EXPECT_EQ(none.str(), "");
}

TEST(LoggingTest, TextFormatForHumans) {
  std::ostringstream out;
  FakeClock clock(kNoon);
  auto logger = MakeLogger({"text", "info"}, out, &clock);
  logger->Info("cycle", {{"link", "contoso"}, {"title", "two words"}, {"empty", ""}, {"bad", "\xff"},
                         {"multi", "a\nb"}});
  EXPECT_EQ(out.str(),
            "12:00:00 INFO  cycle link=contoso title=\"two words\" empty=\"\" bad=\"\xEF\xBF\xBD\" multi=\"a\\nb\"\n");
}

TEST(LoggingTest, ManyThreadsNeverInterleaveLines) {
  std::ostringstream out;
  auto logger = MakeLogger({"json", "info"}, out);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&logger, t] {
      for (int i = 0; i < 200; ++i) logger->Info("tick", {{"thread", std::to_string(t)}, {"i", std::to_string(i)}});
    });
  }
  for (auto& th : threads) th.join();
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 800u);
  for (const auto& line : lines) EXPECT_TRUE(nlohmann::json::accept(line)) << line;
}

TEST(LoggingTest, FileSinkFlushesEachLine) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  auto logger = MakeLogger({"json", "info"}, f);
  logger->Info("started", {{"version", "0.1.0"}});
  // Read back through the same FILE: the line is there without closing the logger.
  std::rewind(f);
  char buf[256] = {};
  ASSERT_NE(std::fgets(buf, sizeof buf, f), nullptr);
  EXPECT_EQ(nlohmann::json::parse(buf)["event"], "started");
  logger.reset();
  std::fclose(f);
}

TEST(LoggingTest, LevelNames) {
  EXPECT_EQ(ParseLogLevel("warning"), LogLevel::kWarning);
  EXPECT_EQ(ParseLogLevel("off"), LogLevel::kOff);
  EXPECT_EQ(ParseLogLevel("warn"), std::nullopt);
}

}  // namespace
}  // namespace xdrsync::app
