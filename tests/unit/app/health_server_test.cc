#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "xdrsync/app/health_server.h"

namespace xdrsync::app {
namespace {

struct HttpReply {
  int status = 0;
  std::string head;
  std::string body;
};

// A deliberately plain HTTP/1.1 client: the server is tested as a scraper or a probe sees it.
HttpReply Request(uint16_t port, const std::string& method, const std::string& path,
                  const std::string& extra_headers = "") {
  HttpReply reply;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return reply;
  }
  const std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers +
                              "Connection: close\r\n\r\n";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    close(fd);
    return reply;
  }
  std::string raw;
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t split = raw.find("\r\n\r\n");
  if (raw.size() < 12 || split == std::string::npos) return reply;
  reply.status = std::stoi(raw.substr(9, 3));
  reply.head = raw.substr(0, split);
  reply.body = raw.substr(split + 4);
  return reply;
}

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

TEST_F(HealthServerTest, StopIsIdempotentAndFreesThePort) {
  const uint16_t port = server_->port();
  server_->Stop();
  server_->Stop();
  EXPECT_EQ(Request(port, "GET", "/healthz").status, 0);  // connection refused
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

}  // namespace
}  // namespace xdrsync::app
