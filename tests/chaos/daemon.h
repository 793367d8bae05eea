// The real `xdrsync run` process: started, SIGKILLed and restarted by the run, stopped with
// SIGTERM at the end. Each start captures its output to files of its own in the run directory.
#pragma once

#include <memory>
#include <string>

#include "../integration/child_process.h"

namespace xdrsync::chaos {

class Daemon {
 public:
  Daemon(std::string dir, std::string config_path) : dir_(std::move(dir)), config_path_(std::move(config_path)) {}
  void Start();
  void Kill();                // SIGKILL, reaped
  int Stop();                 // SIGTERM; the exit code (-1 when it had to be killed)
  // While the daemon is down: the state database (with its WAL) is lost. It is moved aside as
  // state.lostN.db beside it (an operator keeps the broken file; the oracle reads its conflict journal).
  // Returns the moved path.
  std::string LoseState(const std::string& state_path);
  // `xdrsync rebuild-state`, as the runbook has an operator run it before starting again; its
  // exit code, and its output in *output.
  int RebuildState(std::string* output);
  bool running() const;
  int starts() const { return starts_; }
  int pid() const { return child_ ? child_->pid() : -1; }  // of the current (or last) process
  // Where the current (or last) process writes its stdout: one JSON log line per event.
  std::string out_path() const { return dir_ + "/daemon" + std::to_string(starts_) + ".out"; }
  std::string LastOutput() const;  // the tail of the current (or last) process's stdout and stderr
  // How the current process ended ("exit 3", "signal 11") and the tail of its output; for a
  // process that ended on its own.
  std::string HowItEnded();

 private:
  std::string dir_, config_path_;
  std::unique_ptr<integration::ChildProcess> child_;
  int starts_ = 0;
  int losses_ = 0;
};

}  // namespace xdrsync::chaos
