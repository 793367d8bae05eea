// Retries what is worth retrying: 429 (honouring Retry-After), 408, 500/502/503/504 and transport
// failures (kUnavailable: resets, timeouts, deadlines). Writes are retried too, because every write
// xdrsync makes is idempotent (deterministic ids, absolute values, etags); no other 4xx is.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "xdrsync/core/clock.h"
#include "xdrsync/core/log.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/core/sleeper.h"
#include "xdrsync/core/timestamp.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::http {

struct RetryPolicy {
  int max_attempts = 6;                              // the first try included
  std::chrono::milliseconds base_delay{500};         // cap of the first backoff
  std::chrono::milliseconds max_delay{30'000};       // cap of any computed backoff
  std::chrono::milliseconds max_retry_after{120'000};  // a server's Retry-After is clamped to this
  std::chrono::milliseconds max_total{180'000};      // no retry starts after this much time in Send
};

// The wait before retry number `attempt` (1 = the first retry). With a Retry-After, that value
// clamped to [0, max_retry_after]; otherwise full jitter: random01 * min(max_delay,
// base_delay * 2^(attempt-1)), random01 in [0, 1). Pure.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double random01,
                                       std::optional<std::chrono::milliseconds> retry_after);

// A Retry-After value: decimal seconds ("10", "2.128") or an HTTP-date (IMF-fixdate, RFC 850 or
// asctime form), as a delay from `now` (0 for a date in the past). nullopt when unreadable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, Timestamp now);

// A thread-safe uniform [0, 1) source seeded from std::random_device.
std::function<double()> DefaultRandom();

// Thread-safe; calls to `random` are serialized here, so it need not be.
// Metrics: xdrsync_http_retries_total{api}, xdrsync_http_throttled_total{api} (each 429 seen).
// Each retry is logged at debug as "http_retry" with the service's request id and ours.
class RetryingTransport final : public Transport {
 public:
  RetryingTransport(Transport& inner, RetryPolicy policy, Sleeper& sleeper, const Clock& clock, Metrics& metrics,
                    Logger& logger, std::function<double()> random = DefaultRandom());

  // A request that is not idempotent (Request::is_idempotent) is retried only after 429 or 503,
  // where the service did not apply it; any other failure is returned at once. A read-guarded
  // write (Request::read_guarded) is never retried here.
  // Returns the last result when attempts or time run out. When a backoff is cut short by
  // shutdown: the last HTTP response if there was one, else kUnavailable "shutting down".
  Result<Response> Send(const Request& request) override;

 private:
  double Draw();

  Transport& inner_;
  const RetryPolicy policy_;
  Sleeper& sleeper_;
  const Clock& clock_;
  Metrics& metrics_;
  Logger& logger_;
  std::mutex random_mu_;
  std::function<double()> random_;
};

}  // namespace xdrsync::http
