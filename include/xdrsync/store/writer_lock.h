// One writer per state file (spec §9): an exclusive lock on "<state_path>.lock", held for the life
// of the process. A second instance on the same state (a rollover that overlaps the old and the new
// process) waits for it instead of writing beside the first. The kernel releases the lock when
// the holder exits or is killed, so a SIGKILL never leaves a stale lock behind.
#pragma once

#include <memory>
#include <string>

#include "xdrsync/core/status.h"

namespace xdrsync::store {

class WriterLock {
 public:
  // Takes the lock without waiting. kUnavailable when another process holds it (the message says
  // which file); kFailedPrecondition when the lock file cannot be opened (naming the path and why).
  static Result<std::unique_ptr<WriterLock>> TryAcquire(const std::string& state_path);
  ~WriterLock();
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  explicit WriterLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace xdrsync::store
