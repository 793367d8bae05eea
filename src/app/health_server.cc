// The endpoint's three answers, served by BoundedHttpServer, which owns every limit. The answers
// come from memory (an atomic heartbeat, a metrics snapshot, the readiness probe), since the
// server's one thread waits for them.
#include "xdrsync/app/health_server.h"

#include <nlohmann/json.hpp>

#include "bounded_http_server.h"

namespace xdrsync::app {

class HealthServer::Impl {
 public:
  Impl(const HealthOptions& options, const Metrics& metrics, const Clock& clock, ReadinessProbe ready)
      : metrics_(metrics),
        clock_(clock),
        ready_(std::move(ready)),
        stall_seconds_(options.stall_seconds),
        last_beat_(clock.Now().ticks()) {}
  ~Impl() { Stop(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Status Listen(const HealthOptions& options) {
    BoundedHttpOptions bounded;
    bounded.host = options.host;
    bounded.port = options.port;
    bounded.request_timeout_ms = options.request_timeout_ms;
    bounded.max_connections = options.max_connections;
    bounded.max_head_bytes = options.max_head_bytes;
    bounded.max_body_bytes = options.max_body_bytes;
    auto server = BoundedHttpServer::Start(
        bounded, [this](const HttpRequestHead& head) { return Handle(head); }, own_metrics_);
    if (!server.ok()) return server.status();
    server_ = std::move(server).value();
    return Status();
  }
  uint16_t port() const { return server_->port(); }
  void Stop() {
    if (server_) server_->Stop();
  }
  void Beat() { last_beat_.store(clock_.Now().ticks(), std::memory_order_relaxed); }

 private:
  HttpResponse Handle(const HttpRequestHead& head) {
    if (head.path == "/metrics") {
      // The server's own counters are kept apart: the daemon's registry is only lent for reading.
      return HttpResponse::Text(200, metrics_.RenderPrometheus() + own_metrics_.RenderPrometheus(),
                                "text/plain; version=0.0.4; charset=utf-8");
    }
    if (head.path == "/healthz") return Healthz();
    if (head.path == "/readyz") return Readyz();
    return HttpResponse::Text(404, "not found\n");
  }

  HttpResponse Healthz() const {
    const int64_t idle = clock_.Now().TicksSince(Timestamp::FromTicks(last_beat_.load(std::memory_order_relaxed))) /
                         Timestamp::kTicksPerSecond;
    if (idle > stall_seconds_)
      return HttpResponse::Text(503, "stalled: no progress for " + std::to_string(idle) + " s\n");
    return HttpResponse::Text(200, "ok\n");
  }

  HttpResponse Readyz() const {
    const std::vector<NotReadyLink> waiting = ready_ ? ready_() : std::vector<NotReadyLink>{};
    nlohmann::json body;
    body["ready"] = waiting.empty();
    body["not_ready"] = nlohmann::json::array();
    for (const auto& link : waiting) body["not_ready"].push_back({{"link", link.link}, {"reason", link.reason}});
    // Reasons can quote API error text; invalid UTF-8 there must not turn into a 500.
    std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    return HttpResponse::Text(waiting.empty() ? 200 : 503, std::move(text), "application/json");
  }

  const Metrics& metrics_;
  const Clock& clock_;
  ReadinessProbe ready_;
  const int64_t stall_seconds_;
  std::atomic<int64_t> last_beat_;
  Metrics own_metrics_;
  std::unique_ptr<BoundedHttpServer> server_;  // last: stopped before the rest goes
};

Result<std::unique_ptr<HealthServer>> HealthServer::Start(const HealthOptions& options, const Metrics& metrics,
                                                          const Clock& clock, ReadinessProbe ready) {
  auto impl = std::make_unique<Impl>(options, metrics, clock, std::move(ready));
  if (Status listening = impl->Listen(options); !listening.ok()) return listening;
  const uint16_t port = impl->port();
  return std::unique_ptr<HealthServer>(new HealthServer(std::move(impl), port));
}

HealthServer::HealthServer(std::unique_ptr<Impl> impl, uint16_t port) : impl_(std::move(impl)), port_(port) {}

HealthServer::~HealthServer() { Stop(); }

void HealthServer::Beat() {
  if (impl_) impl_->Beat();
}

void HealthServer::Stop() {
  if (!impl_) return;
  impl_->Stop();
  impl_.reset();
}

}  // namespace xdrsync::app
