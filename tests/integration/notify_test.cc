// `xdrsync run` under a service manager: a test-owned AF_UNIX datagram socket stands in for
// systemd ($NOTIFY_SOCKET, $WATCHDOG_USEC). READY=1 arrives only once the state store and the
// listener are up, WATCHDOG=1 after progress, STOPPING=1 on SIGTERM.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>

#include "control_client.h"
#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    EXPECT_LT(path_.size(), sizeof addr.sun_path);
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << path_;
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  // The next datagram, or "" when none arrives within `timeout`.
  std::string Next(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }
  // Datagrams until one contains `needle` (returned), all others appended to `seen`.
  std::string WaitFor(const std::string& needle, std::vector<std::string>& seen,
                      std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string m = Next(std::chrono::milliseconds(200));
      if (m.find(needle) != std::string::npos) return m;
      if (!m.empty()) seen.push_back(m);
    }
    return "";
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

bool Has(const std::vector<std::string>& messages, const std::string& needle) {
  for (const auto& m : messages) {
    if (m.find(needle) != std::string::npos) return true;
  }
  return false;
}

class NotifyTest : public SyncTest {};

TEST_F(NotifyTest, ReadyThenWatchdogThenStoppingOnSigterm) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string port = FreePort();
  config_["listen"] = "127.0.0.1:" + port;
  NotifySocket manager(dir_ + "/notify");
  ChildProcess daemon({XDRSYNC_BIN, "--config", WriteConfig(), "run"},
                      {{kSecretEnv, kSecret}, {"NOTIFY_SOCKET", manager.path()}, {"WATCHDOG_USEC", "2000000"}},
                      dir_ + "/notify-daemon.out", dir_ + "/notify-daemon.err");

  std::vector<std::string> before_ready;
  const std::string ready = manager.WaitFor("READY=1", before_ready);
  ASSERT_FALSE(ready.empty()) << "no READY=1 within 20 s\n" << daemon.Stderr();
  EXPECT_NE(ready.find("STATUS="), std::string::npos) << ready;
  EXPECT_FALSE(Has(before_ready, "WATCHDOG=1")) << "a watchdog ping before READY";
  // READY means the store is migrated and the listener open: both are true the moment it arrives.
  struct stat st {};
  EXPECT_EQ(::stat((dir_ + "/state.db").c_str(), &st), 0) << "READY before the state store exists";
  EXPECT_EQ(HttpCall(std::stoi(port), "GET", "/healthz", "", 2000).status, 200) << "READY before the listener";

  std::vector<std::string> between;
  EXPECT_FALSE(manager.WaitFor("WATCHDOG=1", between).empty()) << "no WATCHDOG=1 after READY\n" << daemon.Stderr();

  daemon.Signal(SIGTERM);
  std::vector<std::string> after;
  EXPECT_FALSE(manager.WaitFor("STOPPING=1", after, std::chrono::seconds(10)).empty()) << daemon.Stderr();
  const ProcessResult r = daemon.Wait(std::chrono::seconds(12));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace xdrsync::integration
