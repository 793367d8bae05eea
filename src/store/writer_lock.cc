#include "xdrsync/store/writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xdrsync::store {

Result<std::unique_ptr<WriterLock>> WriterLock::TryAcquire(const std::string& state_path) {
  const std::string path = state_path + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int err = errno;
    // A full or read-only filesystem passes; a missing directory or a symlink is a setup error.
    const Code code = err == ENOSPC || err == EDQUOT ? Code::kResourceExhausted
                      : err == EROFS || err == EACCES || err == EPERM ? Code::kPermissionDenied
                                                                      : Code::kFailedPrecondition;
    return Status(code, "cannot open the lock file " + path + ": " + std::strerror(err));
  }
  // flock, not fcntl locks: those are per process and would be dropped when SQLite closes any
  // descriptor of the same file; this one belongs to our descriptor alone.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Status(Code::kUnavailable, "another xdrsync instance holds " + path);
    return FailedPrecondition("cannot lock " + path + ": " + std::strerror(err));
  }
  return std::unique_ptr<WriterLock>(new WriterLock(fd));
}

WriterLock::~WriterLock() { ::close(fd_); }

}  // namespace xdrsync::store
