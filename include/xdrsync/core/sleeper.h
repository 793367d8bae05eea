// Every wait in xdrsync is a wait on the shutdown signal, so SIGTERM ends a backoff at once.
// Production code uses InterruptibleSleeper; tests use FakeSleeper, which records the delays and
// moves a FakeClock instead of sleeping.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "xdrsync/core/clock.h"

namespace xdrsync {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Waits up to `millis`. Returns false when the wait was cut short by shutdown.
  virtual bool Sleep(int64_t millis) = 0;
  virtual bool stopping() const = 0;
};

// Thread-safe; Interrupt() may be called from any thread (a signal-handling thread).
class InterruptibleSleeper final : public Sleeper {
 public:
  bool Sleep(int64_t millis) override;
  bool stopping() const override;
  void Interrupt();

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

class FakeSleeper final : public Sleeper {
 public:
  explicit FakeSleeper(FakeClock* clock = nullptr) : clock_(clock) {}
  bool Sleep(int64_t millis) override;
  bool stopping() const override { return stopping_; }
  void Interrupt() { stopping_ = true; }
  const std::vector<int64_t>& delays() const { return delays_; }

 private:
  FakeClock* clock_;
  std::vector<int64_t> delays_;
  bool stopping_ = false;
};

}  // namespace xdrsync
