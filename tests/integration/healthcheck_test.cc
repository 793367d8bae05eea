// `xdrsync healthcheck`, the container HEALTHCHECK: exit 0 only when /readyz at the configured
// `listen` answers 200; otherwise exit 1 with one line on stderr, and never hang.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "control_client.h"
#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

// A one-shot HTTP server on 127.0.0.1, port 0: accepts connections and answers each with `reply`
// (or, when `reply` is empty, reads the request and never answers).
class CannedServer {
 public:
  explicit CannedServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~CannedServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  int requests() const { return requests_; }

 private:
  void Serve() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[2048];
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n > 0 && std::string(buf, static_cast<size_t>(n)).rfind("GET /readyz ", 0) == 0) ++requests_;
      if (!reply_.empty()) {
        ::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
        ::close(c);
      } else {
        held_.push_back(c);  // silent: the client must give up on its own
      }
    }
    for (int c : held_) ::close(c);
  }

  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::vector<int> held_;
  std::thread thread_;
};

class HealthcheckTest : public SyncTest {
 protected:
  ProcessResult Healthcheck(const std::string& listen) {
    config_["listen"] = listen;
    return Xdrsync({"healthcheck"}, std::chrono::seconds(15));
  }
  static size_t Lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }
};

TEST_F(HealthcheckTest, ReadyDaemonIsHealthy) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string port = FreePort();
  config_["listen"] = "127.0.0.1:" + port;
  auto daemon = StartDaemon();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (HttpCall(std::stoi(port), "GET", "/readyz", "", 2000).status != 200 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const ProcessResult r = Healthcheck("127.0.0.1:" + port);
  EXPECT_EQ(r.exit_code, 0) << r.err << daemon->Stderr();
  EXPECT_EQ(r.err, "");
  daemon->Signal(SIGTERM);
  daemon->Wait(std::chrono::seconds(12));
}

TEST_F(HealthcheckTest, WildcardListenIsProbedOnLoopback) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
  const ProcessResult r = Healthcheck("0.0.0.0:" + std::to_string(server.port()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(HealthcheckTest, NotReadyIsUnhealthyWithOneLine) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  CannedServer server("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
  const ProcessResult r = Healthcheck("127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("503"), std::string::npos) << r.err;
}

TEST_F(HealthcheckTest, NothingListeningIsUnhealthyWithOneLine) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const ProcessResult r = Healthcheck("127.0.0.1:" + FreePort());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
}

TEST_F(HealthcheckTest, SilentServerTimesOutInsteadOfHanging) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  CannedServer server("");
  const auto began = std::chrono::steady_clock::now();
  const ProcessResult r = Healthcheck("127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(10));
}

TEST_F(HealthcheckTest, EndpointOffIsAnErrorNotHealthy) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const ProcessResult r = Healthcheck("");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("listen"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace xdrsync::integration
