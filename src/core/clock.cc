#include "xdrsync/core/clock.h"

#include <chrono>

namespace xdrsync {

Timestamp SystemClock::Now() const {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const auto ticks = std::chrono::duration_cast<std::chrono::duration<int64_t, std::ratio<1, 10'000'000>>>(since_epoch);
  return Timestamp::FromTicks(ticks.count());
}

}  // namespace xdrsync
