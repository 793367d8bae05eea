// UTC instants with the precision both APIs send (7 fractional digits = 100 ns ticks), compared
// exactly. Parsing accepts what Graph and ARM emit: 0-9 fraction digits (beyond 7 truncated),
// `Z`, `+hh:mm`, `-hh:mm`, `+hhmm`. Formatting always gives 7 digits and `Z`.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "xdrsync/core/status.h"

namespace xdrsync {

class Timestamp {
 public:
  static constexpr int64_t kTicksPerSecond = 10'000'000;

  constexpr Timestamp() = default;
  static constexpr Timestamp FromTicks(int64_t ticks) { return Timestamp(ticks); }
  static constexpr Timestamp FromUnixSeconds(int64_t s) { return Timestamp(s * kTicksPerSecond); }
  static constexpr Timestamp FromUnixMillis(int64_t ms) { return Timestamp(ms * 10'000); }

  // Parses an ISO-8601 / RFC 3339 date-time. The error names the offending text.
  static Result<Timestamp> Parse(std::string_view text);

  constexpr int64_t ticks() const { return ticks_; }
  constexpr int64_t unix_seconds() const {
    return ticks_ >= 0 ? ticks_ / kTicksPerSecond : -((-ticks_ + kTicksPerSecond - 1) / kTicksPerSecond);
  }
  constexpr int64_t unix_millis() const { return ticks_ / 10'000; }
  // The zero instant (1970-01-01T00:00:00Z) doubles as "never" in stored records.
  constexpr bool is_zero() const { return ticks_ == 0; }

  // "2025-06-01T10:00:00.1234567Z"
  std::string ToString() const;
  // "2025-06-01T10:00:00Z" (whole seconds; for OData filters and human output)
  std::string ToSecondsString() const;

  constexpr Timestamp operator+(int64_t seconds) const {
    return Timestamp(ticks_ + seconds * kTicksPerSecond);
  }
  constexpr Timestamp operator-(int64_t seconds) const {
    return Timestamp(ticks_ - seconds * kTicksPerSecond);
  }
  constexpr Timestamp PlusTicks(int64_t t) const { return Timestamp(ticks_ + t); }
  // Whole-tick difference this - other.
  constexpr int64_t TicksSince(Timestamp other) const { return ticks_ - other.ticks_; }

  constexpr auto operator<=>(const Timestamp&) const = default;

 private:
  constexpr explicit Timestamp(int64_t ticks) : ticks_(ticks) {}
  int64_t ticks_ = 0;
};

}  // namespace xdrsync
