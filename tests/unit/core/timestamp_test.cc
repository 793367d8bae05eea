#include "xdrsync/core/timestamp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xdrsync {
namespace {

struct ParseCase {
  std::string name;
  std::string text;
  std::string expected;  // canonical ToString()
};

TEST(TimestampTest, ParsesWhatBothApisSend) {
  const std::vector<ParseCase> cases = {
      {"graph 7 digits", "2025-01-11T19:43:26.1234567Z", "2025-01-11T19:43:26.1234567Z"},
      {"no fraction", "2025-01-11T19:43:26Z", "2025-01-11T19:43:26.0000000Z"},
      {"3 digits", "2025-01-11T19:43:26.123Z", "2025-01-11T19:43:26.1230000Z"},
      {"9 digits truncated", "2025-01-11T19:43:26.123456789Z", "2025-01-11T19:43:26.1234567Z"},
      {"plus offset", "2025-01-11T21:43:26.5+02:00", "2025-01-11T19:43:26.5000000Z"},
      {"minus offset", "2025-01-11T14:43:26-05:00", "2025-01-11T19:43:26.0000000Z"},
      {"zero offset", "2025-01-11T19:43:26.0000001+00:00", "2025-01-11T19:43:26.0000001Z"},
      {"compact offset", "2025-01-11T21:13:26+0130", "2025-01-11T19:43:26.0000000Z"},
      {"no zone is utc", "2025-01-11T19:43:26", "2025-01-11T19:43:26.0000000Z"},
      {"lower case t z", "2025-01-11t19:43:26z", "2025-01-11T19:43:26.0000000Z"},
      {"offset crosses midnight", "2025-01-01T00:30:00+01:00", "2024-12-31T23:30:00.0000000Z"},
      {"leap day", "2024-02-29T12:00:00Z", "2024-02-29T12:00:00.0000000Z"},
      {"epoch", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.0000000Z"},
      {"before epoch", "1969-12-31T23:59:59.9Z", "1969-12-31T23:59:59.9000000Z"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto t = Timestamp::Parse(c.text);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->ToString(), c.expected);
  }
}

TEST(TimestampTest, RejectsGarbageWithTheTextInTheError) {
  for (const std::string bad : {"", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-01-01",
                                "2025-01-01T25:00:00Z", "yesterday", "2025-01-01T00:00:00.Z",
                                "2025-01-01T00:00:00Zjunk", "2025-01-01T00:00:00+25:00"}) {
    SCOPED_TRACE(bad);
    auto t = Timestamp::Parse(bad);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), Code::kParseError);
    EXPECT_NE(t.status().message().find("invalid timestamp"), std::string::npos);
  }
}

TEST(TimestampTest, ComparesExactlyAtTickPrecision) {
  auto a = *Timestamp::Parse("2025-06-01T10:00:00.1234567Z");
  auto b = *Timestamp::Parse("2025-06-01T10:00:00.1234568Z");
  auto c = *Timestamp::Parse("2025-06-01T12:00:00.1234567+02:00");
  EXPECT_LT(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(b.TicksSince(a), 1);
}

TEST(TimestampTest, ArithmeticAndFormats) {
  auto t = *Timestamp::Parse("2025-06-01T10:00:00.5Z");
  EXPECT_EQ((t + 90).ToString(), "2025-06-01T10:01:30.5000000Z");
  EXPECT_EQ((t - 36000).ToSecondsString(), "2025-06-01T00:00:00Z");
  EXPECT_EQ(Timestamp::FromUnixSeconds(0).ToString(), "1970-01-01T00:00:00.0000000Z");
  EXPECT_EQ(t.unix_millis(), Timestamp::FromUnixSeconds(t.unix_seconds()).unix_millis() + 500);
}

// Found by fuzz_timestamp: an offset that moves the instant out of the four-digit years was
// accepted, and the result could not be written back as a timestamp.
TEST(TimestampTest, RejectsAnInstantOutsideFourDigitYearsOnceReadAsUtc) {
  for (const char* text : {"9999-12-31T23:18-21:10", "9999-12-31T23:18-2110", "0000-01-01T00:00+00:01"}) {
    auto parsed = Timestamp::Parse(text);
    ASSERT_FALSE(parsed.ok()) << text << " -> " << parsed->ToString();
    EXPECT_NE(parsed.status().message().find("outside years 0000-9999"), std::string::npos)
        << parsed.status().message();
  }
  for (const char* text : {"9999-12-31T23:59:59.9999999Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
                           "9999-12-31T23:00+00:59", "0000-01-01T00:00-00:01"}) {
    auto parsed = Timestamp::Parse(text);
    ASSERT_TRUE(parsed.ok()) << text;
    auto again = Timestamp::Parse(parsed->ToString());
    ASSERT_TRUE(again.ok()) << parsed->ToString();
    EXPECT_EQ(*again, *parsed);
  }
}

TEST(TimestampTest, RoundTripsThroughToString) {
  for (int64_t ticks : {int64_t{0}, int64_t{1}, int64_t{17'000'000'000'000'001}, int64_t{-5}}) {
    const Timestamp t = Timestamp::FromTicks(ticks);
    auto back = Timestamp::Parse(t.ToString());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, t);
  }
}

}  // namespace
}  // namespace xdrsync
