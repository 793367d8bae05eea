// The metrics and health endpoint on the `listen` address: GET /metrics (Prometheus text),
// /healthz (the daemon loop is alive) and /readyz (every link's last cycle succeeded recently).
// GET and HEAD only: TRACE and every other method answer 405 (never an echo of the request and
// its Authorization header); other paths 404. Anyone who can reach the address can call it, so
// every resource a client controls is bounded (HealthOptions); a hostile client costs the server
// at most one connection slot for request_timeout_ms and never touches the sync loops, which only
// call Beat().
#pragma once

#include <atomic>
#include <cstddef>
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
// Returns the links that are not ready; empty = ready. Called on the server's thread for every
// /readyz request, and every other client waits while it runs: it must be thread-safe and quick
// (copy a snapshot under a mutex, never wait on I/O or a task).
using ReadinessProbe = std::function<std::vector<NotReadyLink>()>;

struct HealthOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9464;  // 0 = any free port; port() tells which
  // /healthz fails when Beat() has not been called for this long.
  int64_t stall_seconds = 300;
  // A request must arrive whole, and its answer be taken, within this long of the connection's
  // accept (or of its previous answer); else the connection is closed.
  int request_timeout_ms = 10000;
  // Open connections at most; one more is answered 503 and closed.
  int max_connections = 64;
  // Request line and header fields (431 above), and a Content-Length body (413 above).
  size_t max_head_bytes = 16 * 1024;
  size_t max_body_bytes = 64 * 1024;
};

class HealthServer {
 public:
  // Opens the listener and starts the server's thread. `metrics`, `clock` and the probe are
  // borrowed and must outlive the server; /metrics renders `metrics` followed by the server's own
  // counters (xdrsync_health_*). Fails (kUnavailable) when the address cannot be bound, naming it.
  static Result<std::unique_ptr<HealthServer>> Start(const HealthOptions& options, const Metrics& metrics,
                                                     const Clock& clock, ReadinessProbe ready);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  // The daemon loop calls this after real progress (a cycle finished, a backoff wait ended).
  // Thread-safe and lock-free.
  void Beat();
  uint16_t port() const { return port_; }
  // Wakes and joins the server's thread (after the answer it is computing, if any) and closes
  // the listener and every connection. Prompt whatever clients do. Idempotent; the destructor
  // calls it. Call it from the owning thread once nothing calls Beat() any more.
  void Stop();

 private:
  class Impl;
  HealthServer(std::unique_ptr<Impl> impl, uint16_t port);
  std::unique_ptr<Impl> impl_;
  uint16_t port_;
};

}  // namespace xdrsync::app
