#include "xdrsync/core/timestamp.h"

#include <cstdio>

namespace xdrsync {
namespace {

// Howard Hinnant's days_from_civil: proleptic Gregorian date to days since 1970-01-01.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool Digits(int n, int64_t& out) {
    out = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') return false;
      out = out * 10 + (s_[pos_++] - '0');
    }
    return true;
  }
  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool EatAny(std::string_view cs) {
    if (pos_ < s_.size() && cs.find(s_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool Done() const { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

Status Bad(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 64));
  return ParseError("invalid timestamp '" + shown + "': " + std::string(why));
}

}  // namespace

Result<Timestamp> Timestamp::Parse(std::string_view text) {
  Cursor c(text);
  int64_t y, mo, d, h, mi, s;
  if (!c.Digits(4, y) || !c.Eat('-') || !c.Digits(2, mo) || !c.Eat('-') || !c.Digits(2, d)) {
    return Bad(text, "expected YYYY-MM-DD");
  }
  if (!c.EatAny("Tt ")) return Bad(text, "expected 'T' after the date");
  if (!c.Digits(2, h) || !c.Eat(':') || !c.Digits(2, mi)) return Bad(text, "expected hh:mm");
  s = 0;
  if (c.Eat(':') && !c.Digits(2, s)) return Bad(text, "expected seconds");
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) {
    return Bad(text, "field out of range");
  }
  int64_t frac_ticks = 0;
  if (c.Eat('.') || c.Eat(',')) {
    int digits = 0;
    int64_t scale = kTicksPerSecond / 10;
    while (c.Peek() >= '0' && c.Peek() <= '9') {
      int64_t digit;
      (void)c.Digits(1, digit);
      if (digits < 7) {
        frac_ticks += digit * scale;
        scale /= 10;
      }
      ++digits;
    }
    if (digits == 0) return Bad(text, "empty fraction");
  }
  int64_t offset_minutes = 0;
  if (c.EatAny("Zz")) {
  } else if (c.Peek() == '+' || c.Peek() == '-') {
    const bool negative = c.Peek() == '-';
    (void)c.EatAny("+-");
    int64_t oh, om;
    if (!c.Digits(2, oh)) return Bad(text, "bad UTC offset");
    (void)c.Eat(':');
    if (!c.Digits(2, om)) return Bad(text, "bad UTC offset");
    if (oh > 23 || om > 59) return Bad(text, "UTC offset out of range");
    offset_minutes = (negative ? -1 : 1) * (oh * 60 + om);
  } else if (c.Done()) {
    // No zone: both APIs document UTC, so a bare time is read as UTC.
  } else {
    return Bad(text, "unexpected text after the time");
  }
  if (!c.Done()) return Bad(text, "unexpected text after the zone");
  if (s == 60) s = 59;  // a leap second is folded onto the last regular one
  const int64_t days = DaysFromCivil(y, mo, d);
  const int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_minutes * 60;
  // A UTC offset can carry a date at either end of the four-digit years past them
  // ("9999-12-31T23:18-21:10" is in year 10000), where no timestamp can be written back.
  static const int64_t kFirstSecond = DaysFromCivil(0, 1, 1) * 86400;
  static const int64_t kEndSecond = DaysFromCivil(10000, 1, 1) * 86400;
  if (secs < kFirstSecond || secs >= kEndSecond) {
    return Bad(text, "outside years 0000-9999 once read as UTC");
  }
  return Timestamp(secs * kTicksPerSecond + frac_ticks);
}

std::string Timestamp::ToString() const {
  int64_t secs = unix_seconds();
  const int64_t frac = ticks_ - secs * kTicksPerSecond;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  int64_t y, m, d;
  CivilFromDays(days, y, m, d);
  char buf[128];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%07lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(rem / 3600), static_cast<long long>(rem % 3600 / 60),
                static_cast<long long>(rem % 60), static_cast<long long>(frac));
  return buf;
}

std::string Timestamp::ToSecondsString() const {
  std::string full = ToString();
  return full.substr(0, 19) + "Z";
}

}  // namespace xdrsync
