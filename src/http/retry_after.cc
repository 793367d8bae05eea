// The pure parts of the retry decorator: the backoff delay and the Retry-After header.
#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "xdrsync/core/strings.h"
#include "xdrsync/http/retrying_transport.h"

namespace xdrsync::http {
namespace {

using std::chrono::milliseconds;

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

std::optional<int> Month(std::string_view token) {
  const std::string lower = AsciiLower(token);
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (lower == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return std::nullopt;
}

std::optional<int> Number(std::string_view token, size_t min_digits, size_t max_digits) {
  if (token.size() < min_digits || token.size() > max_digits) return std::nullopt;
  int value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> ParseHttpDateSeconds(std::string_view text) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '-') {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  std::optional<int> day, month, year;
  std::string_view time;
  if (tokens.size() == 5 && Month(tokens[1])) {  // asctime: Sun Nov  6 08:49:37 1994
    month = Month(tokens[1]);
    day = Number(tokens[2], 1, 2);
    time = tokens[3];
    year = Number(tokens[4], 4, 4);
  } else if (tokens.size() == 6 && EqualsIgnoreCase(tokens[5], "GMT")) {
    day = Number(tokens[1], 1, 2);  // IMF-fixdate and RFC 850 share the order
    month = Month(tokens[2]);
    year = Number(tokens[3], 2, 4);
    time = tokens[4];
    // RFC 850's two-digit year: RFC 9110 §5.6.7 reads it as the most recent matching century.
    if (year && tokens[3].size() == 2) *year += *year < 70 ? 2000 : 1900;
  }
  if (!day || !month || !year || *day < 1 || *day > 31 || time.size() != 8 || time[2] != ':' || time[5] != ':') {
    return std::nullopt;
  }
  const auto h = Number(time.substr(0, 2), 2, 2), m = Number(time.substr(3, 2), 2, 2),
             s = Number(time.substr(6, 2), 2, 2);
  if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return DaysFromCivil(*year, *month, *day) * 86400 + *h * 3600 + *m * 60 + *s;
}

// "10" or "2.128" → milliseconds, rounded up so we never come back early.
std::optional<int64_t> ParseDecimalSeconds(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  int64_t seconds = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    // Anything beyond a day is clamped by the policy anyway; stop growing before overflow.
    seconds = std::min<int64_t>(seconds * 10 + (c - '0'), 1'000'000'000);
  }
  int64_t millis = 0;
  bool remainder = false;
  for (size_t i = 0; i < fraction.size(); ++i) {
    const char c = fraction[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (i < 3) {
      millis = millis * 10 + (c - '0');
    } else if (c != '0') {
      remainder = true;
    }
  }
  for (size_t i = fraction.size(); i < 3; ++i) millis *= 10;
  return seconds * 1000 + millis + (remainder ? 1 : 0);
}

}  // namespace

milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double random01,
                          std::optional<milliseconds> retry_after) {
  if (retry_after) return std::clamp(*retry_after, milliseconds(0), policy.max_retry_after);
  const int exponent = std::clamp(attempt, 1, 62) - 1;
  const double cap = std::min(static_cast<double>(policy.max_delay.count()),
                              static_cast<double>(policy.base_delay.count()) * std::ldexp(1.0, exponent));
  const double draw = std::clamp(random01, 0.0, 1.0);
  return milliseconds(static_cast<int64_t>(std::floor(draw * cap)));
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value, Timestamp now) {
  const std::string_view text = Trim(value);
  if (text.empty()) return std::nullopt;
  if ((text.front() >= '0' && text.front() <= '9') || text.front() == '.') {
    if (auto ms = ParseDecimalSeconds(text)) return milliseconds(*ms);
    return std::nullopt;
  }
  const auto at = ParseHttpDateSeconds(text);
  if (!at) return std::nullopt;
  const int64_t delta = *at * 1000 - now.unix_millis();
  return milliseconds(std::max<int64_t>(delta, 0));
}

std::function<double()> DefaultRandom() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

}  // namespace xdrsync::http
