#include "xdrsync/app/health_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "unit/app/http_test_client.h"

namespace xdrsync::app {
namespace {

using namespace test_client;  // NOLINT: the test's vocabulary

class HealthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics_.Describe("xdrsync_cycles_total", "counter", "Cycles run");
    metrics_.Add("xdrsync_cycles_total", {{"link", "contoso"}, {"result", "ok"}});
    HealthOptions options;
    options.port = 0;
    options.stall_seconds = 60;
    auto server = HealthServer::Start(options, metrics_, clock_, [this] {
      std::lock_guard lock(mu_);
      return not_ready_;
    });
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    ASSERT_NE(server_->port(), 0);
  }
  void SetNotReady(std::vector<NotReadyLink> links) {
    std::lock_guard lock(mu_);
    not_ready_ = std::move(links);
  }

  Metrics metrics_;
  FakeClock clock_{Timestamp::FromUnixSeconds(1'800'000'000)};
  std::mutex mu_;
  std::vector<NotReadyLink> not_ready_;
  std::unique_ptr<HealthServer> server_;
};

TEST_F(HealthServerTest, MetricsInPrometheusTextFormat) {
  HttpReply r = Request(server_->port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("text/plain; version=0.0.4"), std::string::npos) << r.head;
  EXPECT_NE(r.body.find("# TYPE xdrsync_cycles_total counter"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("xdrsync_cycles_total{link=\"contoso\",result=\"ok\"} 1"), std::string::npos) << r.body;
}

TEST_F(HealthServerTest, HealthzFollowsTheHeartbeat) {
  EXPECT_EQ(Request(server_->port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(Request(server_->port(), "GET", "/healthz").body, "ok\n");
  clock_.Advance(61);
  HttpReply stalled = Request(server_->port(), "GET", "/healthz");
  EXPECT_EQ(stalled.status, 503);
  EXPECT_EQ(stalled.body, "stalled: no progress for 61 s\n");
  server_->Beat();
  EXPECT_EQ(Request(server_->port(), "GET", "/healthz").status, 200);
}

TEST_F(HealthServerTest, ReadyzListsTheLinksThatAreNotReady) {
  HttpReply ready = Request(server_->port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(nlohmann::json::parse(ready.body)["ready"], true);
  SetNotReady({{"contoso", "no successful cycle yet"}, {"fabrikam", "unauthenticated: \xff"}});
  HttpReply waiting = Request(server_->port(), "GET", "/readyz?verbose=1");
  EXPECT_EQ(waiting.status, 503);
  const auto body = nlohmann::json::parse(waiting.body);
  EXPECT_EQ(body["ready"], false);
  ASSERT_EQ(body["not_ready"].size(), 2u);
  EXPECT_EQ(body["not_ready"][0]["link"], "contoso");
  EXPECT_EQ(body["not_ready"][0]["reason"], "no successful cycle yet");
}

TEST_F(HealthServerTest, UnknownPathsAnd404AndNoTraceEcho) {
  EXPECT_EQ(Request(server_->port(), "GET", "/").status, 404);
  EXPECT_EQ(Request(server_->port(), "GET", "/metrics/../etc").status, 404);
  HttpReply trace = Request(server_->port(), "TRACE", "/metrics", "Authorization: Bearer very-secret-token\r\n");
  EXPECT_EQ(trace.status, 405);
  EXPECT_EQ(trace.body.find("very-secret-token"), std::string::npos);
  EXPECT_EQ(trace.head.find("very-secret-token"), std::string::npos);
  EXPECT_EQ(Request(server_->port(), "POST", "/metrics").status, 405);
}

TEST_F(HealthServerTest, HeadAnswersWithTheLengthAndNoBody) {
  HttpReply head = Request(server_->port(), "HEAD", "/healthz");
  EXPECT_EQ(head.status, 200);
  EXPECT_NE(head.head.find("Content-Length: 3"), std::string::npos) << head.head;
  EXPECT_EQ(head.body, "");
}

TEST_F(HealthServerTest, TheServersOwnCountersAreOnMetrics) {
  EXPECT_EQ(Request(server_->port(), "GET", "/nothing-here").status, 404);
  EXPECT_EQ(Request(server_->port(), "TRACE", "/metrics").status, 405);
  HttpReply r = Request(server_->port(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  for (const char* line :
       {"xdrsync_cycles_total{link=\"contoso\",result=\"ok\"} 1\n", "# TYPE xdrsync_health_responses_total counter\n",
        "xdrsync_health_responses_total{code=\"404\"} 1\n", "xdrsync_health_responses_total{code=\"405\"} 1\n",
        "xdrsync_health_connections_rejected_total 0\n", "xdrsync_health_connections_timed_out_total 0\n",
        "xdrsync_health_accept_errors_total 0\n"}) {
    EXPECT_NE(r.body.find(line), std::string::npos) << line << " in\n" << r.body;
  }
}

// The review's findings, with the default limits: each request is refused at its cap and the
// connection closed, without waiting for the rest.
TEST_F(HealthServerTest, OversizedOrUnframedRequestsAreRefusedAtTheirCaps) {
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /metrics HTTP/1.1\r\nHost: a\r\nX-Fill: " + std::string(17 * 1024, 'a')));
  const HttpReply huge_head = ParseReply(ReadAll(fd));  // the server's close ends the read
  close(fd);
  EXPECT_EQ(huge_head.status, 431);
  EXPECT_EQ(Exchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n").status, 413);
  EXPECT_EQ(Exchange(server_->port(),
                     "GET /healthz HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "0\r\n\r\n")
                .status,
            411);
}

TEST_F(HealthServerTest, StopIsIdempotentAndFreesThePort) {
  const uint16_t port = server_->port();
  server_->Stop();
  server_->Stop();
  EXPECT_EQ(Request(port, "GET", "/healthz").status, 0);  // connection refused
}

TEST(HealthOptionsTest, DefaultsAreTheDocumentedLimits) {
  const HealthOptions options;
  EXPECT_EQ(options.request_timeout_ms, 10'000);
  EXPECT_EQ(options.max_connections, 64);
  EXPECT_EQ(options.max_head_bytes, 16u * 1024);
  EXPECT_EQ(options.max_body_bytes, 64u * 1024);
}

TEST(HealthServerStartTest, ABusyPortIsAClearError) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  Metrics metrics;
  SystemClock clock;
  HealthOptions options;
  options.port = ntohs(addr.sin_port);
  auto server = HealthServer::Start(options, metrics, clock, nullptr);
  close(fd);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), Code::kUnavailable);
  EXPECT_NE(server.status().message().find("cannot listen on 127.0.0.1:" + std::to_string(options.port)),
            std::string::npos)
      << server.status().message();
}

// The value of one series in Prometheus text, or -1.
double SeriesValue(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(HealthServerHostileTest, HostileClientsNeitherBlockBeatNorOutliveTheDeadline) {
  Metrics metrics;
  FakeClock clock{Timestamp::FromUnixSeconds(1'800'000'000)};
  std::atomic<int> probes{0};
  HealthOptions options;
  options.port = 0;
  options.stall_seconds = 60;
  options.max_connections = 4;
  options.request_timeout_ms = 2000;
  auto started = HealthServer::Start(options, metrics, clock, [&probes] {
    ++probes;
    return std::vector<NotReadyLink>{};
  });
  ASSERT_TRUE(started.ok()) << started.status().message();
  std::unique_ptr<HealthServer> server = std::move(started).value();
  const uint16_t port = server->port();

  // Every slot taken by a client that never finishes its request; one more is turned away while
  // it sends a 1 MiB head.
  std::vector<int> hostile;
  for (int i = 0; i < 4; ++i) {
    hostile.push_back(Connect(port));
    ASSERT_GE(hostile.back(), 0);
    ASSERT_TRUE(SendAll(hostile.back(), "GET /readyz HTTP/1.1\r\nHost: a\r\nX-Slow: "));
  }
  const int flood = Connect(port);
  ASSERT_GE(flood, 0);
  SendAll(flood, "GET /metrics HTTP/1.1\r\nX-Fill: " + std::string(1 << 20, 'a'));
  HttpReply busy = Request(port, "GET", "/healthz");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.body, "busy\n");

  // The daemon loop stalls past stall_seconds, then beats again from its own thread: Beat() does
  // not wait for the server, whatever its clients do.
  clock.Advance(120);
  std::thread loop([&server] {
    for (int i = 0; i < 1000; ++i) server->Beat();
  });
  loop.join();

  // The hostile connections are closed at the deadline; the next probe is answered, and sees the beat.
  for (int fd : hostile) {
    EXPECT_TRUE(ClosedByServer(fd));
    close(fd);
  }
  close(flood);
  HttpReply healthy;
  EXPECT_TRUE(Eventually([&] {
    healthy = Request(port, "GET", "/healthz");
    return healthy.status == 200;
  }));
  EXPECT_EQ(healthy.body, "ok\n");
  EXPECT_EQ(probes.load(), 0);  // the readiness probe runs for /readyz only, never for a half request
  const std::string text = Request(port, "GET", "/metrics").body;
  EXPECT_GE(SeriesValue(text, "xdrsync_health_connections_timed_out_total"), 4) << text;
  EXPECT_GE(SeriesValue(text, "xdrsync_health_connections_rejected_total"), 1) << text;
  server->Stop();
}

}  // namespace
}  // namespace xdrsync::app
