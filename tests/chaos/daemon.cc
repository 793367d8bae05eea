#include "daemon.h"

#include <signal.h>

#include <chrono>
#include <filesystem>

#include "topology.h"

namespace xdrsync::chaos {

void Daemon::Start() {
  const std::string prefix = dir_ + "/daemon" + std::to_string(++starts_);
  // The environment is inherited, XDRSYNC_TEST_DISABLE_GUARD included (the planted-bug test).
  child_ = std::make_unique<integration::ChildProcess>(
      std::vector<std::string>{XDRSYNC_BIN, "--config", config_path_, "run"},
      std::map<std::string, std::string>{{kSecretEnv, kSecret}}, prefix + ".out", prefix + ".err");
}

void Daemon::Kill() {
  if (!child_) return;
  child_->Signal(SIGKILL);
  child_->Wait(std::chrono::seconds(10));
}

int Daemon::Stop() {
  if (!child_) return -1;
  child_->Signal(SIGTERM);
  integration::ProcessResult r = child_->Wait(std::chrono::seconds(20));
  if (r.timed_out) {
    child_->Signal(SIGKILL);
    child_->Wait(std::chrono::seconds(5));
    return -1;
  }
  return r.exit_code;
}

std::string Daemon::LoseState(const std::string& state_path) {
  // Beside the state (a rename does not cross file systems; see --disk-full).
  const std::string moved = (std::filesystem::path(state_path).parent_path() /
                             ("state.lost" + std::to_string(++losses_) + ".db")).string();
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    if (std::filesystem::exists(state_path + suffix)) std::filesystem::rename(state_path + suffix, moved + suffix, ec);
  }
  return moved;
}

int Daemon::RebuildState(std::string* output) {
  const std::string prefix = dir_ + "/rebuild" + std::to_string(losses_);
  const integration::ProcessResult r =
      integration::RunProcess({XDRSYNC_BIN, "--config", config_path_, "rebuild-state"}, {{kSecretEnv, kSecret}},
                              prefix, std::chrono::seconds(120));
  *output = r.out + r.err;
  return r.timed_out ? -1 : r.exit_code;
}

bool Daemon::running() const { return child_ && child_->running(); }

std::string Daemon::LastOutput() const {
  if (!child_) return "";
  auto tail = [](const std::string& s) { return s.size() > 3000 ? s.substr(s.size() - 3000) : s; };
  return tail(child_->Stdout()) + tail(child_->Stderr());
}

std::string Daemon::HowItEnded() {
  if (!child_) return "";
  const integration::ProcessResult r = child_->Wait(std::chrono::milliseconds(1000));
  const std::string how = r.signal != 0 ? "signal " + std::to_string(r.signal) : "exit " + std::to_string(r.exit_code);
  return how + ": " + LastOutput();
}

}  // namespace xdrsync::chaos
