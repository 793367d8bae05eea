// A small HTTP/1.1 server for read-only endpoints that anyone who can reach the port may call:
// one thread, non-blocking sockets and poll(), and a limit on everything a client controls.
//
// - request head: at most max_head_bytes (431 and close), at most 100 header fields;
// - request body: Content-Length up to max_body_bytes, read and ignored (above: 413 and close);
//   Transfer-Encoding (a chunked body) answers 411 and closes;
// - time: a request must arrive whole within request_timeout_ms of the accept or of the previous
//   response (keep-alive), and its response must be taken within the same deadline; else closed;
// - connections: at most max_connections open; one more is accepted, told 503 and closed;
// - accept() failing for want of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) pauses
//   accepting for accept_backoff_ms instead of retrying at once;
// - methods: GET and HEAD go to the handler; anything else answers 405 without reaching it.
//
// Counters, in the Metrics given to Start: xdrsync_health_responses_total{code},
// xdrsync_health_connections_rejected_total, xdrsync_health_connections_timed_out_total,
// xdrsync_health_accept_errors_total.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http_wire.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/core/status.h"

namespace xdrsync::app {

struct BoundedHttpOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = any free port
  int request_timeout_ms = 10'000;
  int max_connections = 64;
  size_t max_head_bytes = 16 * 1024;
  size_t max_body_bytes = 64 * 1024;
  int accept_backoff_ms = 250;
};

class BoundedHttpServer {
 public:
  // Called on the server's thread for each GET or HEAD; it holds up every other client while it
  // runs, so it must answer from memory. An exception becomes a 500.
  using Handler = std::function<HttpResponse(const HttpRequestHead&)>;

  // Binds and listens, then serves on a thread of its own. `counters` is borrowed and must
  // outlive the server. Fails (kUnavailable) naming the address when it cannot be bound.
  static Result<std::unique_ptr<BoundedHttpServer>> Start(const BoundedHttpOptions& options, Handler handler,
                                                          Metrics& counters);
  ~BoundedHttpServer();
  BoundedHttpServer(const BoundedHttpServer&) = delete;
  BoundedHttpServer& operator=(const BoundedHttpServer&) = delete;

  uint16_t port() const { return port_; }
  // Wakes the thread, waits for the handler call in progress (if any), closes every connection
  // and the listener. Idempotent; not to be called concurrently with itself.
  void Stop();

 private:
  class Loop;
  BoundedHttpServer(std::unique_ptr<Loop> loop, uint16_t port);
  std::unique_ptr<Loop> loop_;
  uint16_t port_;
};

}  // namespace xdrsync::app
