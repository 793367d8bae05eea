// Time is injected: production code asks a Clock, tests move a FakeClock by hand.
#pragma once

#include <atomic>

#include "xdrsync/core/timestamp.h"

namespace xdrsync {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current UTC time. Thread-safe.
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : ticks_(start.ticks()) {}
  Timestamp Now() const override { return Timestamp::FromTicks(ticks_.load()); }
  void Advance(int64_t seconds) { ticks_ += seconds * Timestamp::kTicksPerSecond; }
  void Set(Timestamp t) { ticks_ = t.ticks(); }

 private:
  std::atomic<int64_t> ticks_;
};

}  // namespace xdrsync
