#include "emu_clock.h"

#include <utility>

namespace xdrsync::emulator {

EmuClock::EmuClock(Source source) : source_(std::move(source)) {}

EmuClock::TimePoint EmuClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (frozen_) return frozen_at_;
  return source_() + std::chrono::duration_cast<std::chrono::system_clock::duration>(offset_);
}

void EmuClock::Advance(std::chrono::nanoseconds by) {
  std::lock_guard<std::mutex> lock(mu_);
  offset_ += by;
  frozen_at_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(by);
}

void EmuClock::Set(TimePoint at) {
  std::lock_guard<std::mutex> lock(mu_);
  offset_ = at - source_();
  frozen_at_ = at;
}

void EmuClock::Freeze(bool frozen) {
  std::lock_guard<std::mutex> lock(mu_);
  if (frozen && !frozen_) {
    frozen_at_ = source_() + std::chrono::duration_cast<std::chrono::system_clock::duration>(offset_);
  } else if (!frozen && frozen_) {
    offset_ = frozen_at_ - source_();
  }
  frozen_ = frozen;
}

bool EmuClock::frozen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return frozen_;
}

}  // namespace xdrsync::emulator
