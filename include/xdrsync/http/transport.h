// The HTTP transport seam. cpprestsdk lives in exactly one adapter behind this interface
// (src/http/cpprest_transport.cc); retry, rate budgets and token injection are decorators that wrap
// a Transport, and tests use in-memory fakes. No library type appears here.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xdrsync/core/status.h"

namespace xdrsync::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string url;     // absolute; https://, or http:// to a loopback address only
  Headers headers;
  std::string body;
  // Whole-request deadline (connect + send + the last byte of the body), on top of any per-step
  // timeout of the library.
  std::chrono::milliseconds deadline{30'000};
  // For budgets, metrics and logs: which API ("graph", "arm", "login", "identity") and tenant.
  std::string api;
  std::string tenant;
  // A POST creates a new object each time it arrives (Graph comments, createAlert), so it is sent
  // at most once: never on a reused keep-alive connection (a client library may silently resend
  // there) and never retried after an unknown outcome. A POST whose repetition is harmless (a
  // token request) sets `repeatable`.
  bool repeatable = false;
  // A write whose only guard is a read made right before it (a Graph PATCH: Graph has no etag).
  // It is sent at most once, like a POST, and never repeated even after a 429: a repeat, silent
  // or after a back-off, would write over whatever someone changed since that read. The caller
  // reads again before it sends again.
  bool read_guarded = false;
  bool is_write() const { return method != "GET"; }
  bool is_idempotent() const { return method != "POST" || repeatable; }
  // May ride a reused keep-alive connection (which a client library may resend on by itself).
  bool may_resend() const { return is_idempotent() && !read_guarded; }
};

struct Response {
  int status = 0;
  Headers headers;  // names lower-case
  std::string body;
  std::chrono::milliseconds elapsed{0};
  // First header of that name (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
  // The service's id for this request: x-ms-request-id (ARM) or request-id (Graph).
  std::string RequestId() const;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one request and returns whatever HTTP status came back (4xx and 5xx included).
  // Failures below HTTP (DNS, connect, TLS, reset, truncated body, deadline) return a Status with
  // code kUnavailable and a one-line reason that names the host. Never throws.
  // Thread-safe.
  virtual Result<Response> Send(const Request& request) = 0;
};

// True when the URL's host is a loopback address (127.0.0.0/8, ::1, localhost).
bool IsLoopbackUrl(std::string_view url);
// The host part of an absolute URL ("" if it is not one).
std::string HostOf(std::string_view url);

// A random UUID v4 for the `client-request-id` header. Thread-safe.
std::string NewClientRequestId();

}  // namespace xdrsync::http
