#include "xdrsync/http/budget_transport.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "xdrsync/core/strings.h"

namespace xdrsync::http {

// Reservation-style bucket: a caller takes its token at once, driving the level below zero if it
// must, and then sleeps for exactly the time the refill needs to cover it. Callers queue fairly
// without holding the lock while they wait.
class BudgetTransport::Bucket {
 public:
  Bucket(BucketLimits limits, Timestamp now) : limits_(limits), level_(limits.capacity), updated_(now) {}

  // Milliseconds to wait before the reserved token is really there (0: go now).
  int64_t Reserve(Timestamp now) {
    std::lock_guard lock(mu_);
    Refill(now);
    level_ -= 1;
    if (level_ >= 0) return 0;
    if (limits_.refill_per_second <= 0) return 0;
    return static_cast<int64_t>(std::ceil(-level_ / limits_.refill_per_second * 1000.0));
  }

  double Share(Timestamp now) {
    std::lock_guard lock(mu_);
    Refill(now);
    return limits_.capacity > 0 ? level_ / limits_.capacity : 1.0;
  }

  // A reservation abandoned by shutdown goes back, so the accounting stays honest.
  void Release() {
    std::lock_guard lock(mu_);
    level_ = std::min(level_ + 1, limits_.capacity);
  }

 private:
  void Refill(Timestamp now) {
    const int64_t ticks = now.TicksSince(updated_);
    if (ticks <= 0) return;
    const double seconds = static_cast<double>(ticks) / static_cast<double>(Timestamp::kTicksPerSecond);
    level_ = std::min(limits_.capacity, level_ + seconds * limits_.refill_per_second);
    updated_ = now;
  }

  std::mutex mu_;
  const BucketLimits limits_;
  double level_;
  Timestamp updated_;
};

BudgetOptions DefaultBudgetOptions() {
  BudgetOptions options;
  options.limits["graph/read"] = {20, 2};
  options.limits["graph/write"] = {10, 1};
  options.limits["arm/read"] = {100, 10};
  options.limits["arm/write"] = {40, 4};
  return options;
}

BudgetTransport::BudgetTransport(Transport& inner, BudgetOptions options, Sleeper& sleeper, const Clock& clock,
                                 Metrics& metrics)
    : inner_(inner), options_(std::move(options)), sleeper_(sleeper), clock_(clock), metrics_(metrics) {
  metrics_.Describe("xdrsync_http_budget_wait_seconds", "histogram",
                    "Time spent waiting for a client-side rate budget token, by API.");
  metrics_.Describe("xdrsync_http_ratelimit_remaining", "gauge",
                    "Requests left in the service's own rate limit, from x-ms-ratelimit-remaining-* headers.");
}

BudgetTransport::~BudgetTransport() = default;

BudgetTransport::Bucket* BudgetTransport::BucketFor(const std::string& key) {
  const BucketLimits* limits = nullptr;
  size_t best = 0;
  for (const auto& [prefix, value] : options_.limits) {
    if (StartsWith(key, prefix) && prefix.size() >= best) {
      best = prefix.size();
      limits = &value;
    }
  }
  if (limits == nullptr) return nullptr;
  std::lock_guard lock(mu_);
  auto& bucket = buckets_[key];
  if (!bucket) bucket = std::make_unique<Bucket>(*limits, clock_.Now());
  return bucket.get();
}

void BudgetTransport::RecordRemaining(const Request& request, const Response& response) {
  static constexpr std::string_view kPrefix = "x-ms-ratelimit-remaining-";
  for (const auto& [name, value] : response.headers) {
    if (name.size() <= kPrefix.size() || !StartsWith(AsciiLower(name), kPrefix)) continue;
    char* end = nullptr;
    const double remaining = std::strtod(value.c_str(), &end);
    if (end == value.c_str()) continue;
    metrics_.Set("xdrsync_http_ratelimit_remaining",
                 {{"api", request.api}, {"tenant", request.tenant}, {"limit", AsciiLower(name.substr(kPrefix.size()))}},
                 remaining);
  }
}

double BudgetTransport::ReadHeadroom(const std::string& api, const std::string& tenant) {
  Bucket* bucket = BucketFor(api + "/read/" + tenant);
  return bucket == nullptr ? 1.0 : bucket->Share(clock_.Now());
}

bool BudgetTransport::TakePrepaid(const std::string& what) {
  std::lock_guard lock(mu_);
  auto it = prepaid_.find(what);
  if (it == prepaid_.end()) return false;
  const bool valid = clock_.Now() < it->second;
  prepaid_.erase(it);
  return valid;
}

void BudgetTransport::Prepay(const std::string& what) {
  std::lock_guard lock(mu_);
  const Timestamp now = clock_.Now();
  std::erase_if(prepaid_, [&](const auto& p) { return p.second <= now; });  // unused ones lapse
  prepaid_[what] = now + 60;
}

Result<Response> BudgetTransport::Send(const Request& request) {
  const std::string key = request.api + (request.is_write() ? "/write/" : "/read/") + request.tenant;
  const std::string what = key + " " + request.method + " " + request.url;
  Bucket* bucket = BucketFor(key);
  if (bucket != nullptr && !(request.read_guarded && TakePrepaid(what))) {
    const int64_t wait_ms = bucket->Reserve(clock_.Now());
    if (wait_ms > 0) {
      metrics_.Observe("xdrsync_http_budget_wait_seconds", {{"api", request.api}},
                       static_cast<double>(wait_ms) / 1000.0);
      if (!sleeper_.Sleep(wait_ms)) {
        bucket->Release();
        return Status(Code::kUnavailable, "shutting down while waiting for the " + request.api + " rate budget");
      }
      if (request.read_guarded && wait_ms > options_.read_guarded_max_wait_ms) {
        // The read that guards this write is now older than the wait: the caller reads again and
        // sends it at once on the token it waited for.
        Prepay(what);
        return Status(Code::kAborted, request.method + " " + HostOf(request.url) + ": waited " +
                                          std::to_string(wait_ms) + " ms for the " + request.api +
                                          " write budget; read again before sending");
      }
    }
  }
  Result<Response> result = inner_.Send(request);
  if (result.ok()) RecordRemaining(request, *result);
  return result;
}

}  // namespace xdrsync::http
