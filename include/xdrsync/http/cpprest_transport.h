// The one cpprestsdk adapter. Nothing of cpprestsdk, Boost or OpenSSL appears in this header.
//
// What it guarantees on top of the Transport contract:
// - redirects are never followed: a 3xx comes back as a Response, so a bearer token never leaves
//   for another host;
// - plain http:// is refused unless the host is loopback (kInvalidArgument naming the host);
// - TLS 1.2 or later, certificates and host names verified against the system store, or only
//   against `ca_file` when one is given;
// - a whole-request deadline (Request::deadline) on top of the library's per-step timeout;
// - a `client-request-id` (random UUID v4) on every request that lacks one, with
//   `return-client-request-id: true` (and the `x-ms-` forms ARM reads);
// - one keep-alive connection pool per origin, shared by all threads; a request that must not
//   be resent (Request::may_resend) rides a connection of its own, which is never resent;
// - a response body larger than `max_response_bytes` is abandoned as it arrives (kUnavailable
//   "response body larger than …"), announced by Content-Length or not.
// The adapter never logs, so the Authorization header cannot end up in a log line from here.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "xdrsync/core/status.h"
#include "xdrsync/http/proxy.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::http {

struct TransportOptions {
  // PEM bundle of the CAs to trust instead of the system store; "" = the system store.
  std::string ca_file;
  // nullopt: read https_proxy/HTTPS_PROXY and no_proxy/NO_PROXY when the transport is made.
  std::optional<ProxySettings> proxy;
  std::string user_agent = "xdrsync/0.1";
  // cpprestsdk's timeout, which restarts at every DNS, connect, write and read step.
  std::chrono::milliseconds step_timeout{30'000};
  // The largest response body accepted. The biggest legitimate answer is a page of 1,000 ARM
  // incidents or an incident with its alerts, a few MB (a 20 MB page must still arrive intact).
  size_t max_response_bytes = size_t{64} << 20;
};

// Checks what MakeCpprestTransport would otherwise report on every Send: an unreadable or empty
// CA file, an unusable proxy setting. For validating the configuration at startup.
Status CheckTransportOptions(const TransportOptions& options);

// Never fails: when the options are unusable (see CheckTransportOptions), every Send returns that
// Status with kInvalidArgument.
std::unique_ptr<Transport> MakeCpprestTransport(const TransportOptions& options);

// SIGPIPE to SIG_IGN for the whole process (containers do not ignore it for us). Call from main.
void IgnoreSigpipe();

}  // namespace xdrsync::http
