#include "xdrsync/core/sleeper.h"

#include <chrono>

namespace xdrsync {

bool InterruptibleSleeper::Sleep(int64_t millis) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(millis), [this] { return stopping_; });
  return !stopping_;
}

bool InterruptibleSleeper::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void InterruptibleSleeper::Interrupt() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

bool FakeSleeper::Sleep(int64_t millis) {
  delays_.push_back(millis);
  if (clock_ != nullptr) clock_->Set(clock_->Now().PlusTicks(millis * 10'000));
  return !stopping_;
}

}  // namespace xdrsync
