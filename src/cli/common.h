// What the commands share: loading the configuration (exit 78 on error), the process logger, and
// the runtime over the real HTTP transport.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "runtime.h"
#include "xdrsync/app/config.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/core/log.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/core/strings.h"
#include "xdrsync/core/sleeper.h"
#include "xdrsync/http/transport.h"
#include "xdrsync/store/writer_lock.h"

namespace xdrsync::cli {

// Every string that reaches a terminal goes through this: text from the services or the state file
// (titles, owners, quarantine errors, conflict values) must not carry escape sequences through.
inline std::string Printable(std::string_view text) { return EscapeForTerminal(text); }

// One line of JSON for a terminal: invalid UTF-8 replaced, and DEL and the C1 controls escaped the
// JSON way (\u007f, \u009b), which a dump leaves raw; C0 controls are escaped by every dump.
std::string DumpForTerminal(const nlohmann::json& j);

// Prints the one-line error to stderr and returns nullopt when the file is bad.
std::optional<app::Config> LoadConfigOrReport(const std::string& path);

// Everything a command needs to talk to the services.
struct Process {
  SystemClock clock;
  InterruptibleSleeper sleeper;
  Metrics metrics;
  std::unique_ptr<Logger> log;
  std::unique_ptr<http::Transport> transport;
  std::unique_ptr<store::WriterLock> lock;  // held by commands that write
  // The configuration with only the links of its `shard`; the runtime points into it.
  app::Config served;
  std::unique_ptr<app::Runtime> runtime;
};

// Says why `run` waits at start ("" once it goes on): a reason for /readyz. Thread-safe.
using WaitReport = std::function<void(const std::string& why)>;

// Builds the process for `config` (logger per its `log` settings unless `quiet`, which logs only
// warnings and above), with only the links of the configuration's `shard` (docs/scaling.md), so no
// command writes a link another process serves. On error prints it and returns nullptr.
// A command that writes passes `keep_waiting`: the process first takes the state file's writer
// lock, and while another instance holds it logs that once and calls keep_waiting() between tries
// (it waits about half a second, and returns false to give up, e.g. on SIGTERM or after a bound:
// BoundedWait). Giving up returns nullptr, printing nothing unless `waiting` (the daemon) was
// given: the caller says why. With `waiting`
// (the daemon), a state that cannot be written (a full disk, a read-only mount: the lock file or
// the database cannot be opened for writing) is waited for the same way, logged once as
// `state.unwritable`, and each wait is reported to `waiting`; without it, that ends the command
// with one line on stderr.
std::unique_ptr<Process> StartProcess(const app::Config& config, bool quiet, std::FILE* log_out,
                                      const std::function<bool()>& keep_waiting = nullptr,
                                      const WaitReport& waiting = nullptr);
// StartProcess in two steps, for `run`, which serves /readyz while it waits: NewProcess makes the
// logger, clock and metrics; FinishProcess the rest (false after printing why it failed).
std::unique_ptr<Process> NewProcess(const app::Config& config, bool quiet, std::FILE* log_out);
bool FinishProcess(Process& p, const app::Config& config, const std::function<bool()>& keep_waiting,
                   const WaitReport& waiting);
// The same for a command that has taken the writer lock already (TakeWriterLock, state_lock.h).
std::unique_ptr<Process> StartProcess(const app::Config& config, bool quiet, std::FILE* log_out,
                                      std::unique_ptr<store::WriterLock> lock);

// A plan as JSON lines on stdout, each with "link" and "op" (`plan`, `resync --dry-run`, `remap`).
void PrintPlan(const std::string& link, const reconcile::Plan& plan);

}  // namespace xdrsync::cli
