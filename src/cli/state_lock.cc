#include "state_lock.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "args.h"
#include "common.h"

namespace xdrsync::cli {
namespace {

// The command name of a process, or "" when it cannot be read.
std::string CommandOf(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

}  // namespace

std::string LockHolder(const std::string& lock_path) {
  struct stat st {};
  if (::stat(lock_path.c_str(), &st) != 0) return "";
  char device[64];
  std::snprintf(device, sizeof device, "%02x:%02x:%llu", ::major(st.st_dev), ::minor(st.st_dev),
                static_cast<unsigned long long>(st.st_ino));
  // "1: FLOCK  ADVISORY  WRITE 1234 fe:00:10953009 0 EOF"; waiters' lines carry "->" and are skipped.
  std::ifstream locks("/proc/locks");
  for (std::string line; std::getline(locks, line);) {
    std::istringstream fields(line);
    std::string number, kind, advisory, mode, where;
    long pid = 0;
    if (!(fields >> number >> kind >> advisory >> mode >> pid >> where)) continue;
    if (kind != "FLOCK" || mode != "WRITE" || where != device || pid <= 0) continue;
    const std::string comm = CommandOf(pid);
    return "pid " + std::to_string(pid) + (comm.empty() ? "" : " (" + comm + ")");
  }
  return "";
}

std::optional<int64_t> WaitOrReport(const Args& args, int64_t fallback) {
  auto wait = WaitSeconds(args, fallback);
  if (wait.ok()) return *wait;
  std::fprintf(stderr, "xdrsync: %s\n", Printable(wait.status().message()).c_str());
  return std::nullopt;
}

std::string StateInUseLine(const std::string& state_path, const std::string& command, int64_t waited_seconds) {
  const std::string lock_path = state_path + ".lock";
  std::string holder = LockHolder(lock_path);
  if (holder.empty()) holder = "another process";
  std::string line = "the state " + state_path + " is in use by " + holder + ", which holds " + lock_path;
  if (waited_seconds > 0) line += " (waited " + std::to_string(waited_seconds) + " s)";
  return line + "; stop it first (systemctl stop xdrsync), then run " + command + " again";
}

BoundedWait::BoundedWait(int64_t seconds)
    : seconds_(seconds), deadline_(std::chrono::steady_clock::now() + std::chrono::seconds(seconds)) {}

bool BoundedWait::operator()() {
  const auto now = std::chrono::steady_clock::now();
  if (now >= deadline_) {
    gave_up_ = true;
    return false;
  }
  std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(deadline_ - now, std::chrono::milliseconds(500)));
  return true;
}

std::unique_ptr<store::WriterLock> TakeWriterLock(const std::string& state_path, const std::string& command,
                                                  int64_t wait_seconds, int* exit_code) {
  BoundedWait wait(wait_seconds);
  for (;;) {
    auto lock = store::WriterLock::TryAcquire(state_path);
    if (lock.ok()) return std::move(*lock);
    if (lock.status().code() != Code::kUnavailable) {
      std::fprintf(stderr, "xdrsync: %s\n", Printable(lock.status().ToString()).c_str());
      *exit_code = kExitLinkFailed;
      return nullptr;
    }
    if (!wait()) break;
  }
  std::fprintf(stderr, "xdrsync: %s\n", Printable(StateInUseLine(state_path, command, wait_seconds)).c_str());
  *exit_code = kExitTempFail;
  return nullptr;
}

std::unique_ptr<Process> StartWriter(const Args& args, bool quiet, std::FILE* log_out, int* exit_code) {
  const auto wait_seconds = WaitOrReport(args, 0);
  *exit_code = kExitUsage;
  if (!wait_seconds) return nullptr;
  auto config = LoadConfigOrReport(args.config_path);
  *exit_code = kExitConfig;
  if (!config) return nullptr;
  auto lock = TakeWriterLock(config->state_path, args.command, *wait_seconds, exit_code);
  if (!lock) return nullptr;
  *exit_code = kExitLinkFailed;
  return StartProcess(*config, quiet, log_out, std::move(lock));
}

}  // namespace xdrsync::cli
