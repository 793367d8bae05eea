#include "xdrsync/store/writer_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <unistd.h>

#include <filesystem>

namespace xdrsync::store {
namespace {

TEST(WriterLockTest, OneHolderAtATimeAcrossProcessesAndReleasedOnExit) {
  const auto dir = std::filesystem::temp_directory_path() / ("xdrsync-lock-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string state = (dir / "state.db").string();
  {
    auto first = WriterLock::TryAcquire(state);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    // Another process is refused while we hold it.
    const pid_t child = ::fork();
    if (child == 0) _exit(WriterLock::TryAcquire(state).status().code() == Code::kUnavailable ? 0 : 1);
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  // Released with the holder; a process killed while holding it leaves nothing behind.
  const pid_t holder = ::fork();
  if (holder == 0) {
    auto l = WriterLock::TryAcquire(state);
    ::pause();
    _exit(l.ok() ? 0 : 1);
  }
  ::usleep(200'000);
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  EXPECT_TRUE(WriterLock::TryAcquire(state).ok());
  auto bad = WriterLock::TryAcquire((dir / "missing-dir" / "state.db").string());
  EXPECT_EQ(bad.status().code(), Code::kFailedPrecondition);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xdrsync::store
