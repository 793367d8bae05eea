// The emulator's clock: wall time plus an adjustable offset, optionally frozen. Everything the
// emulator stamps (incident times, token expiry, rate-limit refill) reads this clock, so tests
// can expire tokens or age incidents without sleeping. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

namespace xdrsync::emulator {

class EmuClock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  using Source = std::function<TimePoint()>;

  explicit EmuClock(Source source = [] { return std::chrono::system_clock::now(); });

  TimePoint Now() const;
  void Advance(std::chrono::nanoseconds by);
  void Set(TimePoint at);
  // Frozen: Now() stays put until Advance/Set moves it.
  void Freeze(bool frozen);
  bool frozen() const;

 private:
  Source source_;
  mutable std::mutex mu_;
  std::chrono::nanoseconds offset_{0};
  bool frozen_ = false;
  TimePoint frozen_at_{};
};

}  // namespace xdrsync::emulator
