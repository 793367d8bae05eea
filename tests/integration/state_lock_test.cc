// The one-shot commands beside a process that holds the state's writer lock: `approve`,
// `rebuild-state` and `once` do not hang. They wait at most `--wait SECONDS` (approve and
// rebuild-state: 0 by default), then exit 75 with one line naming the holder; once the lock is
// released they run.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

constexpr const char* kLink = "contoso-to-soc";

class StateLockTest : public SyncTest {
 protected:
  std::string StatePath() const { return config_["state_path"].get<std::string>(); }
  std::string LockPath() const { return StatePath() + ".lock"; }
  // The state lost, as `rebuild-state` expects it (the lock file stays).
  void LoseState() const {
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((StatePath() + suffix).c_str());
  }

  // The refusal: exit 75 (not a timeout), one line on stderr naming `holder` and the lock file.
  void ExpectRefused(const ProcessResult& r, const std::string& holder) {
    EXPECT_FALSE(r.timed_out) << "the command hung beside the lock holder";
    EXPECT_EQ(r.exit_code, 75) << r.out << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("is in use by " + holder), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("which holds " + LockPath()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("stop it first (systemctl stop xdrsync)"), std::string::npos) << r.err;
  }
};

TEST_F(StateLockTest, OneShotsBesideARunningDaemonExit75NamingItAndRunOnceItStopped) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Busy"}});
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Twin(id).is_object(); })) << daemon->Stdout() << daemon->Stderr();
  const std::string holder = "pid " + std::to_string(daemon->pid()) + " (xdrsync)";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"approve", kLink}, {"rebuild-state"}, {"once", "--wait", "1"}}) {
    SCOPED_TRACE(args[0]);
    const ProcessResult r = Xdrsync(args, std::chrono::seconds(30));
    ExpectRefused(r, holder);
    EXPECT_NE(r.err.find("then run " + args[0] + " again"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(daemon->running()) << "a refused command disturbed the daemon";
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(std::chrono::seconds(15)).exit_code, 0);

  const ProcessResult approved = Xdrsync({"approve", kLink});
  EXPECT_EQ(approved.exit_code, 0) << approved.out << approved.err;
  EXPECT_NE(approved.out.find("link contoso-to-soc: 0 writes done, 0 failed"), std::string::npos) << approved.out;
  LoseState();
  const ProcessResult rebuilt = Xdrsync({"rebuild-state"});
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.out << rebuilt.err;
  EXPECT_NE(rebuilt.out.find("link contoso-to-soc: 1 pairs adopted"), std::string::npos) << rebuilt.out;
}

TEST_F(StateLockTest, AWaitIsBoundedAndEndsWhenTheHolderLetsGo) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Waited for"}});
  Once();
  LoseState();
  // The test process holds the lock the way any other process would: flock on the same file.
  const int fd = ::open(LockPath().c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const std::string holder = "pid " + std::to_string(::getpid());

  ExpectRefused(Xdrsync({"approve", kLink, "--wait", "1"}, std::chrono::seconds(30)), holder);
  const ProcessResult waited = Xdrsync({"rebuild-state", "--wait", "1"}, std::chrono::seconds(30));
  ExpectRefused(waited, holder);
  EXPECT_NE(waited.err.find("(waited 1 s)"), std::string::npos) << waited.err;

  const std::string prefix = dir_ + "/waiting";
  ChildProcess waiting({XDRSYNC_BIN, "--config", WriteConfig(), "rebuild-state", "--wait", "120"},
                       {{kSecretEnv, kSecret}}, prefix + ".out", prefix + ".err");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_TRUE(waiting.running()) << "it did not wait for the lock:\n" << waiting.Stdout() << waiting.Stderr();
  ::close(fd);
  const ProcessResult r = waiting.Wait(std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("link contoso-to-soc: 1 pairs adopted"), std::string::npos) << r.out;
  EXPECT_TRUE(Twin(id).is_object());
}

}  // namespace
}  // namespace xdrsync::integration
