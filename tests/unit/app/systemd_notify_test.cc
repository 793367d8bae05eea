#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "xdrsync/app/systemd_notify.h"

namespace xdrsync::app {
namespace {

// A stand-in for the service manager: an AF_UNIX datagram socket that $NOTIFY_SOCKET names.
class FakeServiceManager {
 public:
  FakeServiceManager() {
    path_ = ::testing::TempDir() + "/xdrsync-notify-" + std::to_string(getpid());
    unlink(path_.c_str());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    ok_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~FakeServiceManager() {
    unsetenv("NOTIFY_SOCKET");
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  bool ok() const { return ok_; }
  // The next datagram, or "" when none arrives within a second.
  std::string Receive() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 1000) != 1) return "";
    char buf[1024];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }
  bool Quiet() {
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, 50) == 0;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
};

TEST(SystemdNotifyTest, SendsReadyStatusWatchdogAndStopping) {
  FakeServiceManager manager;
  ASSERT_TRUE(manager.ok());
  setenv("WATCHDOG_USEC", "30000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  SystemdNotifier notifier;
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  EXPECT_EQ(notifier.watchdog_timeout(), std::chrono::seconds(30));
  EXPECT_EQ(notifier.watchdog_ping_interval(), std::chrono::seconds(15));

  EXPECT_TRUE(notifier.Ready("syncing 2 links"));
  EXPECT_EQ(manager.Receive(), "READY=1\nSTATUS=syncing 2 links");
  EXPECT_TRUE(notifier.Status("contoso: cycle ok\nREADY=1"));
  EXPECT_EQ(manager.Receive(), "STATUS=contoso: cycle ok READY=1");  // no injected assignment
  EXPECT_TRUE(notifier.Watchdog());
  EXPECT_EQ(manager.Receive(), "WATCHDOG=1");
  EXPECT_TRUE(notifier.ExtendTimeout(std::chrono::seconds(10)));
  EXPECT_EQ(manager.Receive(), "EXTEND_TIMEOUT_USEC=10000000");
  EXPECT_TRUE(notifier.Stopping());
  EXPECT_EQ(manager.Receive(), "STOPPING=1");
}

TEST(SystemdNotifyTest, NoWatchdogPingsWhenNoneIsConfigured) {
  FakeServiceManager manager;
  ASSERT_TRUE(manager.ok());
  unsetenv("WATCHDOG_USEC");
  SystemdNotifier notifier;
  EXPECT_EQ(notifier.watchdog_ping_interval().count(), 0);
  EXPECT_FALSE(notifier.Watchdog());
  EXPECT_TRUE(manager.Quiet());
}

TEST(SystemdNotifyTest, AWatchdogMeantForAnotherProcessIsIgnored) {
  setenv("WATCHDOG_USEC", "30000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  SystemdNotifier notifier;
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  EXPECT_EQ(notifier.watchdog_ping_interval().count(), 0);
}

TEST(SystemdNotifyTest, WithoutAServiceManagerEverythingIsANoOp) {
  unsetenv("NOTIFY_SOCKET");
  SystemdNotifier notifier;
  EXPECT_FALSE(notifier.Ready("x"));
  EXPECT_FALSE(notifier.Status("x"));
  EXPECT_FALSE(notifier.Stopping());
}

TEST(SystemdNotifyTest, StatusTextIsOneShortLine) {
  EXPECT_EQ(SanitizeStatus("a\nb\tc"), "a b c");
  EXPECT_EQ(SanitizeStatus(std::string(500, 'x')).size(), 200u);
  EXPECT_EQ(SanitizeStatus("caf\xff"), "caf?");
}

}  // namespace
}  // namespace xdrsync::app
