// Counts every request that reaches the wire and how long it took; sits right above the adapter
// so each retry and each 401 replay is counted as the service saw it.
#pragma once

#include "xdrsync/core/log.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::http {

// Metrics: xdrsync_http_requests_total{api,status} (status = the HTTP code, or "error" for a
// failure below HTTP), xdrsync_http_request_duration_seconds{api}. Logs each request at debug as
// "http_request" with method, host, status, duration_ms, the service's request_id and our
// client_request_id — never a header value beyond those ids. Thread-safe.
class MetricsTransport final : public Transport {
 public:
  MetricsTransport(Transport& inner, Metrics& metrics, Logger& logger);
  Result<Response> Send(const Request& request) override;

 private:
  Transport& inner_;
  Metrics& metrics_;
  Logger& logger_;
};

}  // namespace xdrsync::http
