// The metrics and health endpoint on the `listen` address: GET /metrics (Prometheus text),
// /healthz (the daemon loop is alive) and /readyz (every link's last cycle succeeded recently).
// Everything else answers 404; TRACE answers 405 instead of echoing the request (and its
// Authorization header) back, which is the HTTP library's default.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "xdrsync/core/clock.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/core/status.h"

namespace xdrsync::app {

// A link that is not ready, and why ("no cycle yet", "last success 20 min ago: unauthenticated").
struct NotReadyLink {
  std::string link;
  std::string reason;
};
// Returns the links that are not ready; empty = ready. Called on an HTTP worker thread for every
// /readyz request: it must be thread-safe and quick (copy a snapshot under a mutex, never wait on
// I/O or a task).
using ReadinessProbe = std::function<std::vector<NotReadyLink>()>;

struct HealthOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9464;  // 0 = any free port; port() tells which
  // /healthz fails when Beat() has not been called for this long.
  int64_t stall_seconds = 300;
};

class HealthServer {
 public:
  // Opens the listener. `metrics`, `clock` and the probe are borrowed and must outlive the
  // server. Fails (kUnavailable) when the address cannot be bound, naming the address.
  static Result<std::unique_ptr<HealthServer>> Start(const HealthOptions& options, const Metrics& metrics,
                                                     const Clock& clock, ReadinessProbe ready);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  // The daemon loop calls this after real progress (a cycle finished, a backoff wait ended).
  // Thread-safe and lock-free.
  void Beat();
  uint16_t port() const { return port_; }
  // Closes the listener and waits for requests in flight. Idempotent; the destructor calls it.
  // Call it from the owning thread once nothing calls Beat() any more.
  void Stop();

 private:
  class Impl;
  HealthServer(std::unique_ptr<Impl> impl, uint16_t port);
  std::unique_ptr<Impl> impl_;
  uint16_t port_;
};

}  // namespace xdrsync::app
