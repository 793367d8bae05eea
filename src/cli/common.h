// What the commands share: loading the configuration (exit 78 on error), the process logger, and
// the runtime over the real HTTP transport.
#pragma once

#include <memory>
#include <cstdio>
#include <optional>
#include <string>

#include "runtime.h"
#include "xdrsync/app/config.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/core/log.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/core/sleeper.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::cli {

// Prints the one-line error to stderr and returns nullopt when the file is bad.
std::optional<app::Config> LoadConfigOrReport(const std::string& path);

// Everything a command needs to talk to the services.
struct Process {
  SystemClock clock;
  InterruptibleSleeper sleeper;
  Metrics metrics;
  std::unique_ptr<Logger> log;
  std::unique_ptr<http::Transport> transport;
  std::unique_ptr<app::Runtime> runtime;
};

// Builds the process for `config` (logger per its `log` settings unless `quiet`, which logs only
// warnings and above). On error prints it and returns nullptr.
std::unique_ptr<Process> StartProcess(const app::Config& config, bool quiet, std::FILE* log_out);

}  // namespace xdrsync::cli
