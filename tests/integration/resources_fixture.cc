#include "resources_fixture.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

namespace xdrsync::integration {

void StateMountTest::TearDown() {
  if (!state_dir_.empty()) ::umount2(state_dir_.c_str(), MNT_DETACH);
  SyncTest::TearDown();
}

namespace {

// CI sets XDRSYNC_REQUIRE_MOUNTS=1: there, a missing permission fails the test instead of skipping it.
bool MountsRequired() { return std::getenv("XDRSYNC_REQUIRE_MOUNTS") != nullptr; }

}  // namespace

void StateMountTest::MountState(const std::string& size) {
  if (::unshare(CLONE_NEWNS) != 0) {
    const int err = errno;
    if ((err == EPERM || err == EACCES) && !MountsRequired()) {
      GTEST_SKIP() << "unshare(CLONE_NEWNS) not permitted: " << std::strerror(err);
    }
    FAIL() << "unshare(CLONE_NEWNS): " << std::strerror(err);
  }
  // Private from here on: what this process mounts never propagates to the host's namespace.
  ASSERT_EQ(::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0) << std::strerror(errno);
  const std::string dir = dir_ + "/state";
  std::filesystem::create_directory(dir);
  size_ = size;
  const std::string options = "size=" + size + ",mode=0700";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    const int err = errno;
    if ((err == EPERM || err == EACCES) && !MountsRequired()) {
      GTEST_SKIP() << "mounting a tmpfs not permitted: " << std::strerror(err);
    }
    FAIL() << "mount tmpfs on " << dir << ": " << std::strerror(err);
  }
  state_dir_ = dir;
}

void StateMountTest::UseStateMount() {
  port_ = FreePort();
  config_["state_path"] = state_dir_ + "/state.db";
  config_["listen"] = "127.0.0.1:" + port_;
}

void StateMountTest::FillState() {
  const std::string path = state_dir_ + "/filler";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
  // Large blocks first, then single pages, until not even one byte more fits.
  const std::vector<char> block(1 << 20, 'x');
  int err = 0;
  for (size_t chunk : {block.size(), size_t{4096}, size_t{1}}) {
    for (;;) {
      if (::write(fd, block.data(), chunk) < static_cast<ssize_t>(chunk)) {
        err = errno;
        break;
      }
    }
  }
  ::close(fd);
  ASSERT_EQ(err, ENOSPC) << "filling " << path << ": " << std::strerror(err);
}

void StateMountTest::FreeState() {
  ASSERT_EQ(::unlink((state_dir_ + "/filler").c_str()), 0) << std::strerror(errno);
}

void StateMountTest::RemountState(bool read_only) {
  const std::string options = "size=" + size_ + ",mode=0700";
  const unsigned long flags = MS_REMOUNT | MS_NOSUID | MS_NODEV | (read_only ? MS_RDONLY : 0);
  ASSERT_EQ(::mount("tmpfs", state_dir_.c_str(), "tmpfs", flags, options.c_str()), 0)
      << "remount " << state_dir_ << (read_only ? " ro: " : " rw: ") << std::strerror(errno);
}

HttpReply StateMountTest::Readyz() const { return HttpCall(std::stoi(port_), "GET", "/readyz", "", 3000); }

std::string StateMountTest::DefenderWatermark() {
  const ProcessResult r = Xdrsync({"status"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find("defender  watermark ");
    if (at != std::string::npos) return line.substr(at, line.find(" (") - at);
  }
  ADD_FAILURE() << "no Defender watermark in: " << r.out;
  return {};
}

size_t Events(const std::string& log, const std::string& event, const std::string& also) {
  std::istringstream in(log);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"event\":\"" + event + "\"") != std::string::npos && line.find(also) != std::string::npos) ++n;
  }
  return n;
}

size_t FailedCycles(const std::string& log) { return Events(log, "cycle.done", "\"result\":\"failed\""); }

}  // namespace xdrsync::integration
