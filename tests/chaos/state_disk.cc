#include "state_disk.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace xdrsync::chaos {

namespace {
constexpr const char* kBallast = "/ballast";
}

bool StateDisk::Mount(const std::string& dir, int megabytes, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (::unshare(CLONE_NEWNS) != 0) {
    *error = std::string("--disk-full needs root (unshare of the mount namespace: ") + std::strerror(errno) + ")";
    return false;
  }
  // Nothing mounted from here on propagates to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    *error = std::string("--disk-full: making the mounts private failed: ") + std::strerror(errno);
    return false;
  }
  const std::string options = "size=" + std::to_string(megabytes) + "m,mode=0700";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    *error = "--disk-full: mounting a tmpfs on " + dir + " failed: " + std::strerror(errno);
    return false;
  }
  dir_ = dir;
  return true;
}

long long StateDisk::Fill() {
  const std::string path = dir_ + kBallast;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  long long written = 0;
  std::vector<char> chunk(1 << 20, 'x');
  // Big chunks, then ever smaller ones, until not one byte more fits.
  for (size_t size = chunk.size(); size >= 512; size /= 2) {
    while (true) {
      const ssize_t n = ::write(fd, chunk.data(), size);
      if (n <= 0) break;
      written += n;
    }
  }
  ::close(fd);
  full_ = true;
  return written;
}

void StateDisk::Free() {
  ::unlink((dir_ + kBallast).c_str());
  full_ = false;
}

void StateDisk::Unmount() {
  if (!dir_.empty()) ::umount2(dir_.c_str(), MNT_DETACH);
  dir_.clear();
  full_ = false;
}

void StateDisk::CopyOut(const std::string& to) const {
  std::error_code ec;
  std::filesystem::create_directories(to, ec);
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().filename() == std::string(kBallast + 1)) continue;
    std::filesystem::copy(entry.path(), to + "/" + entry.path().filename().string(),
                          std::filesystem::copy_options::overwrite_existing, ec);
  }
}

}  // namespace xdrsync::chaos
