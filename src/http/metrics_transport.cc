#include "xdrsync/http/metrics_transport.h"

#include <chrono>

#include "xdrsync/core/strings.h"

namespace xdrsync::http {

MetricsTransport::MetricsTransport(Transport& inner, Metrics& metrics, Logger& logger)
    : inner_(inner), metrics_(metrics), logger_(logger) {
  metrics_.Describe("xdrsync_http_requests_total", "counter", "HTTP requests sent, by API and status.");
  metrics_.Describe("xdrsync_http_request_duration_seconds", "histogram", "HTTP request duration, by API.");
}

Result<Response> MetricsTransport::Send(const Request& request) {
  // Wall time of the call as the daemon lived it, so a steady clock, not the injected Clock.
  const auto started = std::chrono::steady_clock::now();
  Result<Response> result = inner_.Send(request);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string status = result.ok() ? std::to_string(result->status) : "error";
  metrics_.Add("xdrsync_http_requests_total", {{"api", request.api}, {"status", status}});
  metrics_.Observe("xdrsync_http_request_duration_seconds", {{"api", request.api}}, seconds);
  if (logger_.Enabled(LogLevel::kDebug)) {
    std::string client_request_id;
    for (const auto& [name, value] : request.headers) {
      if (EqualsIgnoreCase(name, "client-request-id")) client_request_id = value;
    }
    LogFields fields = {{"api", request.api},
                        {"tenant", request.tenant},
                        {"method", request.method},
                        {"host", HostOf(request.url)},
                        {"status", status},
                        {"duration_ms", std::to_string(static_cast<int64_t>(seconds * 1000))},
                        {"request_id", result.ok() ? result->RequestId() : std::string()},
                        {"client_request_id", client_request_id}};
    if (!result.ok()) fields.emplace_back("error", result.status().message());
    logger_.Debug("http_request", fields);
  }
  return result;
}

}  // namespace xdrsync::http
