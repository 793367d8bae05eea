// The xdrsync-emulator binary as a child process whose stdout the test reads line by line.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace xdrsync::emulator::testing {

struct EmulatorChild {
  pid_t pid = -1;
  FILE* out = nullptr;

  // Starts XDRSYNC_EMULATOR_BINARY with `args`; pid stays -1 when it cannot.
  explicit EmulatorChild(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid = fork();
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      std::vector<char*> argv = {const_cast<char*>(XDRSYNC_EMULATOR_BINARY)};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(XDRSYNC_EMULATOR_BINARY, argv.data());
      _exit(127);
    }
    close(fds[1]);
    out = fdopen(fds[0], "r");
  }
  ~EmulatorChild() {
    if (pid > 0) Stop();
    if (out) fclose(out);
  }
  EmulatorChild(const EmulatorChild&) = delete;
  EmulatorChild& operator=(const EmulatorChild&) = delete;

  // One line of stdout without its newline, "" at the end of the stream.
  std::string Line() {
    char line[1024] = {0};
    if (!out || !fgets(line, sizeof(line), out)) return "";
    std::string text(line);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }
  // SIGTERM, then the exit status as waitpid reports it (-1 when it could not be read).
  int Stop() {
    if (pid <= 0 || kill(pid, SIGTERM) != 0) return -1;
    int status = 0;
    pid_t waited = waitpid(pid, &status, 0);
    pid = -1;
    return waited > 0 ? status : -1;
  }
};

}  // namespace xdrsync::emulator::testing
