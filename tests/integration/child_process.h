// Spawning the real binaries: fork/exec with stdout and stderr captured to files (files, not
// pipes, so a chatty child can never block on a full pipe while the test waits for it).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace xdrsync::integration {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  int signal = 0;      // the signal that ended it, if any
  bool timed_out = false;
  std::string out;  // captured stdout
  std::string err;  // captured stderr
};

// A child process. The destructor kills it (SIGKILL) if it still runs.
class ChildProcess {
 public:
  // Starts argv[0] with argv, the current environment plus `env`, stdout/stderr into the files.
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               std::string out_path, std::string err_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int sig);
  // Waits up to `timeout`; returns the result, or timed_out when it still runs.
  ProcessResult Wait(std::chrono::milliseconds timeout);
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  bool Reap(int options);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string out_path_, err_path_;
};

// Runs to completion (killing it after `timeout`) and returns what it did.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                         const std::string& capture_prefix, std::chrono::milliseconds timeout);

std::string ReadFile(const std::string& path);

}  // namespace xdrsync::integration
