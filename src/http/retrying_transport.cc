#include "xdrsync/http/retrying_transport.h"

#include "xdrsync/core/strings.h"

namespace xdrsync::http {
namespace {

// 408 and 429 are the only 4xx worth another try; any other 4xx would fail the same way again.
bool IsRetryableStatus(int status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

// A request that must not be repeated is retried only when the service said it did not apply it:
// 429 (throttled) and 503 (refused at the door). A 500/502/504 or a broken connection leaves the
// outcome unknown; the caller looks for its marker before it sends again. A write guarded only by
// a read is never repeated here: its caller reads again first.
bool MayRepeat(const Request& request, const Result<Response>& result) {
  if (request.read_guarded) return false;
  if (request.is_idempotent()) return true;
  return result.ok() && (result->status == 429 || result->status == 503);
}

std::string FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

}  // namespace

RetryingTransport::RetryingTransport(Transport& inner, RetryPolicy policy, Sleeper& sleeper, const Clock& clock,
                                     Metrics& metrics, Logger& logger, std::function<double()> random)
    : inner_(inner),
      policy_(policy),
      sleeper_(sleeper),
      clock_(clock),
      metrics_(metrics),
      logger_(logger),
      random_(std::move(random)) {
  metrics_.Describe("xdrsync_http_retries_total", "counter", "HTTP requests retried, by API.");
  metrics_.Describe("xdrsync_http_throttled_total", "counter", "HTTP 429 responses received, by API.");
}

double RetryingTransport::Draw() {
  std::lock_guard lock(random_mu_);
  return random_();
}

Result<Response> RetryingTransport::Send(const Request& original) {
  // One client-request-id for every attempt, so the service's logs and ours tie the retries together.
  Request request = original;
  std::string client_request_id = FindHeader(request.headers, "client-request-id");
  if (client_request_id.empty()) {
    client_request_id = NewClientRequestId();
    request.headers.emplace_back("client-request-id", client_request_id);
  }
  const Labels api_label = {{"api", request.api}};
  const Timestamp started = clock_.Now();

  for (int attempt = 1;; ++attempt) {
    Result<Response> result = inner_.Send(request);
    std::optional<std::chrono::milliseconds> retry_after;
    std::string reason;
    std::string request_id;
    if (result.ok()) {
      if (result->status == 429) metrics_.Add("xdrsync_http_throttled_total", api_label);
      if (!IsRetryableStatus(result->status)) return result;
      retry_after = ParseRetryAfter(result->Header("retry-after"), clock_.Now());
      reason = "status " + std::to_string(result->status);
      request_id = result->RequestId();
    } else {
      if (result.status().code() != Code::kUnavailable) return result;
      reason = result.status().message();
    }
    if (attempt >= policy_.max_attempts || !MayRepeat(request, result)) return result;
    const std::chrono::milliseconds delay = BackoffDelay(policy_, attempt, Draw(), retry_after);
    const int64_t spent_ms = clock_.Now().TicksSince(started) / 10'000;
    if (spent_ms + delay.count() > policy_.max_total.count()) return result;

    metrics_.Add("xdrsync_http_retries_total", api_label);
    logger_.Debug("http_retry", {{"api", request.api},
                                 {"tenant", request.tenant},
                                 {"method", request.method},
                                 {"host", HostOf(request.url)},
                                 {"attempt", std::to_string(attempt)},
                                 {"reason", reason},
                                 {"delay_ms", std::to_string(delay.count())},
                                 {"request_id", request_id},
                                 {"client_request_id", client_request_id}});
    if (!sleeper_.Sleep(delay.count())) {
      if (result.ok()) return result;
      return Status(Code::kUnavailable, "shutting down (last error: " + reason + ")");
    }
  }
}

}  // namespace xdrsync::http
