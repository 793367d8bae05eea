// The one place cpprestsdk's http_listener is used by the daemon. Handlers answer from memory
// (an atomic heartbeat, a metrics snapshot, the readiness probe) and never wait on a task: a
// blocked pool thread starves every other cpprest timer in the process.
#include "xdrsync/app/health_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cpprest/http_listener.h>
#include <nlohmann/json.hpp>

namespace xdrsync::app {
namespace {

namespace http = web::http;
using http::experimental::listener::http_listener;

// cpprest reports port 0 back as 0, so a free port is found first: bind to port 0, read the port
// the kernel chose, release it, and open the listener there.
Result<uint16_t> FreePort(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), "0", &hints, &found) != 0 || found == nullptr) {
    return Status(Code::kUnavailable, "cannot resolve listen host " + host);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);
  const int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0) return Status(Code::kUnavailable, "cannot create a socket");
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const bool ok = bind(fd, found->ai_addr, found->ai_addrlen) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) return Status(Code::kUnavailable, "cannot bind " + host + ":0");
  const in_port_t port = addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                                    : reinterpret_cast<sockaddr_in*>(&addr)->sin_port;
  return static_cast<uint16_t>(ntohs(port));
}

std::string UriHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

void Reply(const http::http_request& request, http::status_code code, std::string body,
           const std::string& content_type) {
  http::http_response response(code);
  response.set_body(std::move(body), content_type);
  response.headers().add("Cache-Control", "no-store");
  // The task is observed: an unobserved exception in a pplx task terminates the process.
  request.reply(response).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (...) {
      // The client went away; nothing to do.
    }
  });
}

}  // namespace

class HealthServer::Impl {
 public:
  Impl(const HealthOptions& options, const Metrics& metrics, const Clock& clock, ReadinessProbe ready,
       const std::string& uri)
      : metrics_(metrics),
        clock_(clock),
        ready_(std::move(ready)),
        stall_seconds_(options.stall_seconds),
        last_beat_(clock.Now().ticks()),
        listener_(uri) {
    listener_.support(http::methods::GET, [this](http::http_request r) { Handle(r); });
    listener_.support(http::methods::TRCE, [](http::http_request r) {
      Reply(r, http::status_codes::MethodNotAllowed, "method not allowed\n", "text/plain; charset=utf-8");
    });
  }

  void Open() { listener_.open().wait(); }
  void Close() { listener_.close().wait(); }
  void Beat() { last_beat_.store(clock_.Now().ticks(), std::memory_order_relaxed); }

 private:
  void Handle(const http::http_request& r) {
    try {
      const std::string path = r.relative_uri().path();
      if (path == "/metrics") {
        Reply(r, http::status_codes::OK, metrics_.RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
      } else if (path == "/healthz") {
        Healthz(r);
      } else if (path == "/readyz") {
        Readyz(r);
      } else {
        Reply(r, http::status_codes::NotFound, "not found\n", "text/plain; charset=utf-8");
      }
    } catch (const std::exception&) {
      Reply(r, http::status_codes::InternalError, "internal error\n", "text/plain; charset=utf-8");
    }
  }

  void Healthz(const http::http_request& r) {
    const int64_t idle =
        clock_.Now().TicksSince(Timestamp::FromTicks(last_beat_.load(std::memory_order_relaxed))) /
        Timestamp::kTicksPerSecond;
    if (idle > stall_seconds_) {
      Reply(r, http::status_codes::ServiceUnavailable,
            "stalled: no progress for " + std::to_string(idle) + " s\n", "text/plain; charset=utf-8");
      return;
    }
    Reply(r, http::status_codes::OK, "ok\n", "text/plain; charset=utf-8");
  }

  void Readyz(const http::http_request& r) {
    std::vector<NotReadyLink> waiting = ready_ ? ready_() : std::vector<NotReadyLink>{};
    nlohmann::json body;
    body["ready"] = waiting.empty();
    body["not_ready"] = nlohmann::json::array();
    for (const auto& link : waiting) body["not_ready"].push_back({{"link", link.link}, {"reason", link.reason}});
    // Reasons can quote API error text; invalid UTF-8 there must not turn into a 500.
    std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    Reply(r, waiting.empty() ? http::status_codes::OK : http::status_codes::ServiceUnavailable, std::move(text),
          "application/json");
  }

  const Metrics& metrics_;
  const Clock& clock_;
  ReadinessProbe ready_;
  const int64_t stall_seconds_;
  std::atomic<int64_t> last_beat_;
  http_listener listener_;
};

Result<std::unique_ptr<HealthServer>> HealthServer::Start(const HealthOptions& options, const Metrics& metrics,
                                                          const Clock& clock, ReadinessProbe ready) {
  uint16_t port = options.port;
  if (port == 0) {
    auto free = FreePort(options.host);
    if (!free.ok()) return free.status();
    port = *free;
  }
  const std::string address = UriHost(options.host) + ":" + std::to_string(port);
  try {
    auto impl = std::make_unique<Impl>(options, metrics, clock, std::move(ready), "http://" + address);
    impl->Open();
    return std::unique_ptr<HealthServer>(new HealthServer(std::move(impl), port));
  } catch (const std::exception& e) {
    return Status(Code::kUnavailable, "cannot listen on " + address + ": " + e.what());
  }
}

HealthServer::HealthServer(std::unique_ptr<Impl> impl, uint16_t port) : impl_(std::move(impl)), port_(port) {}

HealthServer::~HealthServer() { Stop(); }

void HealthServer::Beat() {
  if (impl_) impl_->Beat();
}

void HealthServer::Stop() {
  if (!impl_) return;
  try {
    impl_->Close();
  } catch (...) {
    // Closing a listener whose socket already failed throws; it is closed either way.
  }
  impl_.reset();
}

}  // namespace xdrsync::app
