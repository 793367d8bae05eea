// The pure parts of the retry decorator: the backoff delay and Retry-After parsing.
#include <gtest/gtest.h>

#include "xdrsync/http/retrying_transport.h"

namespace xdrsync::http {
namespace {

using std::chrono::milliseconds;

Timestamp At(const char* iso) { return Timestamp::Parse(iso).value(); }

TEST(BackoffDelay, FullJitterUnderAnExponentialCap) {
  RetryPolicy policy;
  policy.base_delay = milliseconds(500);
  policy.max_delay = milliseconds(30'000);
  struct Case {
    int attempt;
    double random01;
    int64_t expected_ms;
  };
  const Case cases[] = {
      {1, 0.0, 0},       {1, 0.5, 250},      {1, 0.999, 499},     {2, 0.5, 500},
      {3, 0.999, 1998},  {6, 1.0, 16'000},   {7, 0.5, 15'000},    {7, 0.999, 29'970},
      {60, 0.999, 29'970}, {1000, 0.5, 15'000}, {0, 0.5, 250},   {1, -1.0, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("attempt " + std::to_string(c.attempt) + " draw " + std::to_string(c.random01));
    EXPECT_EQ(BackoffDelay(policy, c.attempt, c.random01, std::nullopt).count(), c.expected_ms);
  }
}

TEST(BackoffDelay, EveryDrawStaysWithinBounds) {
  RetryPolicy policy;
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const double cap = std::min(30'000.0, 500.0 * (1 << (attempt - 1)));
    for (double r = 0; r < 1.0; r += 0.01) {
      const auto d = BackoffDelay(policy, attempt, r, std::nullopt).count();
      EXPECT_GE(d, 0);
      EXPECT_LE(static_cast<double>(d), cap);
    }
  }
}

TEST(BackoffDelay, RetryAfterWinsAndIsClamped) {
  RetryPolicy policy;
  policy.max_retry_after = milliseconds(60'000);
  EXPECT_EQ(BackoffDelay(policy, 1, 0.0, milliseconds(2'128)), milliseconds(2'128));
  EXPECT_EQ(BackoffDelay(policy, 5, 0.9, milliseconds(0)), milliseconds(0));
  EXPECT_EQ(BackoffDelay(policy, 1, 0.5, milliseconds(3'600'000)), milliseconds(60'000));
}

TEST(ParseRetryAfter, DecimalSeconds) {
  const Timestamp now = At("2025-06-01T10:00:00Z");
  struct Case {
    const char* value;
    std::optional<int64_t> ms;
  };
  const Case cases[] = {
      {"10", 10'000}, {"2.128", 2'128}, {"0", 0},         {" 3 ", 3'000}, {"1.5", 1'500},
      {"0.0005", 1},  {".25", 250},     {"7.", 7'000},    {"", std::nullopt},
      {"-1", std::nullopt}, {"abc", std::nullopt}, {"1e3", std::nullopt}, {"1.2.3", std::nullopt},
      {"99999999999999999999", 1'000'000'000'000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    const auto got = ParseRetryAfter(c.value, now);
    ASSERT_EQ(got.has_value(), c.ms.has_value());
    if (got) {
      EXPECT_EQ(got->count(), *c.ms);
    }
  }
}

TEST(ParseRetryAfter, HttpDatesInAllThreeForms) {
  const Timestamp now = At("2015-10-21T07:27:00Z");
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), milliseconds(60'000));
  EXPECT_EQ(ParseRetryAfter("Wednesday, 21-Oct-15 07:28:00 GMT", now), milliseconds(60'000));
  EXPECT_EQ(ParseRetryAfter("Wed Oct 21 07:28:00 2015", now), milliseconds(60'000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", At("2015-10-21T07:26:59.5Z")), milliseconds(500));
  EXPECT_EQ(ParseRetryAfter("Thu, 01 Jan 2015 00:00:00 GMT", now), milliseconds(0));  // past
  EXPECT_EQ(ParseRetryAfter("Mon, 29 Feb 2016 00:00:00 GMT", At("2016-02-28T23:59:00Z")), milliseconds(60'000));
}

TEST(ParseRetryAfter, RejectsMalformedDates) {
  const Timestamp now = At("2015-10-21T07:27:00Z");
  for (const char* bad : {"Wed, 32 Oct 2015 07:28:00 GMT", "Wed, 21 Foo 2015 07:28:00 GMT",
                          "Wed, 21 Oct 2015 24:00:00 GMT", "Wed, 21 Oct 2015 07:28 GMT",
                          "Wed, 21 Oct 2015 07:28:00 PST", "tomorrow"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseRetryAfter(bad, now).has_value());
  }
}

}  // namespace
}  // namespace xdrsync::http
