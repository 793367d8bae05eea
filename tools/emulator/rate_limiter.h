// Token buckets keyed by an arbitrary string (tenant+app for Graph, subscription+principal+
// operation type for ARM). Time comes from the caller, so refill follows the emulator clock.
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "time_text.h"

namespace xdrsync::emulator {

struct BucketSpec {
  double capacity = 0;         // <= 0 disables the bucket
  double refill_per_second = 0;
};

struct TakeResult {
  bool allowed = true;
  long long remaining = 0;     // whole tokens left after this request
  double retry_after_s = 0;    // when refused: time until one token is available
};

class RateLimiter {
 public:
  TakeResult Take(const std::string& key, const BucketSpec& spec, TimePoint now);
  void Clear();

 private:
  struct Bucket {
    double tokens = 0;
    TimePoint last{};
  };
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace xdrsync::emulator
