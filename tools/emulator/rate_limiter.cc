#include "rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace xdrsync::emulator {

TakeResult RateLimiter::Take(const std::string& key, const BucketSpec& spec, TimePoint now) {
  TakeResult result;
  if (spec.capacity <= 0) {
    result.remaining = 1 << 30;
    return result;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(key);
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = spec.capacity;
    b.last = now;
  } else if (now > b.last) {
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(spec.capacity, b.tokens + elapsed * spec.refill_per_second);
    b.last = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    result.remaining = static_cast<long long>(b.tokens);
    return result;
  }
  result.allowed = false;
  result.remaining = 0;
  result.retry_after_s =
      spec.refill_per_second > 0 ? (1.0 - b.tokens) / spec.refill_per_second : 60.0;
  return result;
}

void RateLimiter::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  buckets_.clear();
}

}  // namespace xdrsync::emulator
