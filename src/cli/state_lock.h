// The state's writer lock as the one-shot commands meet it: who holds it, the one line an operator
// reads when a command cannot take it, and the bounded wait (`--wait SECONDS`) before that line.
// `run` waits without a bound instead (a rollover overlaps the old and the new daemon): common.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "commands.h"
#include "common.h"
#include "xdrsync/store/writer_lock.h"

namespace xdrsync::cli {

// How long `once` waits for the writer lock unless `--wait` says otherwise: an overlapping
// restart (which stops within 10 s) or timer run ends within it. approve, rebuild-state, forget,
// resync and remap wait 0 s by default and refuse at once: a daemon does not go away by itself.
inline constexpr int64_t kOnceWaitSeconds = 30;

// The command's `--wait SECONDS`, `fallback` when not given; nullopt after printing the mistake.
std::optional<int64_t> WaitOrReport(const Args& args, int64_t fallback);

// "pid 1234 (xdrsync)" for the process holding the flock on `lock_path`, read from /proc/locks;
// "" when it cannot be told (no /proc, a holder in another PID namespace, the lock just released).
std::string LockHolder(const std::string& lock_path);

// The one line (without "xdrsync: " and newline) for `command`, which could not take the writer
// lock of `state_path` in `waited_seconds`: who holds it and what to do.
std::string StateInUseLine(const std::string& state_path, const std::string& command, int64_t waited_seconds);

// keep_waiting for StartProcess: true (after half a second) until `seconds` have passed since it
// was made, then false; with 0 it gives up at the first call. gave_up() tells afterwards.
class BoundedWait {
 public:
  explicit BoundedWait(int64_t seconds);
  bool operator()();
  bool gave_up() const { return gave_up_; }
  int64_t seconds() const { return seconds_; }

 private:
  int64_t seconds_;
  std::chrono::steady_clock::time_point deadline_;
  bool gave_up_ = false;
};

// Takes the writer lock of `state_path`, trying for up to `wait_seconds`. On failure prints one
// line on stderr and sets *exit_code: 75 when another process holds the lock (StateInUseLine),
// 1 when the lock file cannot be opened or locked at all.
std::unique_ptr<store::WriterLock> TakeWriterLock(const std::string& state_path, const std::string& command,
                                                  int64_t wait_seconds, int* exit_code);

// For a command that writes and refuses beside a daemon (approve, rebuild-state, resync, remap):
// its `--wait` (default 0), its configuration, the writer lock (TakeWriterLock, named after
// args.command) and the process. nullptr after printing why, with *exit_code set (64 a bad --wait,
// 78 the configuration, 75 the state in use, 1 anything else).
std::unique_ptr<Process> StartWriter(const Args& args, bool quiet, std::FILE* log_out, int* exit_code);

}  // namespace xdrsync::cli
