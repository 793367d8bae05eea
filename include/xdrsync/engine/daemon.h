// The daemon loop: every link on its own thread, a cycle every poll interval (sooner while the
// link's changes flow: PollSchedule), a full sweep at start-up and every full_sweep_interval, all
// waits interruptible by shutdown. Links are independent: one failing tenant never stalls another.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "xdrsync/core/clock.h"
#include "xdrsync/core/log.h"
#include "xdrsync/core/sleeper.h"
#include "xdrsync/engine/link_runner.h"

namespace xdrsync::engine {

struct DaemonOptions {
  int64_t poll_interval_seconds = 15;
  // The floor of adaptive polling (PollSchedule): while a link's cycles find changes, its next
  // cycle comes this soon. Above the interval or 0: the interval (no adaptation).
  int64_t min_poll_seconds = 5;
  int64_t full_sweep_interval_seconds = 6 * 3600;
  // A link whose last successful cycle is older than this is not ready (/readyz).
  int64_t ready_window_seconds = 600;
  // Asked before every cycle of a link (sharding: does this process hold the link's lease?). A link
  // it refuses reads and writes nothing and asks again after a poll interval. Thread-safe; empty:
  // every link runs.
  std::function<bool(const std::string& link)> may_run;
  // Asked after a cycle that found changes: do the link's read budgets have room for a faster
  // poll now? Thread-safe; empty: always.
  std::function<bool(const std::string& link)> may_hurry;
};

struct LinkHealth {
  std::string link;
  Timestamp last_success;
  Timestamp last_attempt;
  std::string last_error;
  bool held = false;
  bool waiting = false;  // DaemonOptions::may_run refused its last cycle (another process holds it)
  bool state_failed = false;  // its last cycle failed on the state store (a full disk, a read-only mount)
};

class Daemon {
 public:
  // `runners` are borrowed. `on_progress` is called after every finished cycle (watchdog pings,
  // the health heartbeat); it must be thread-safe.
  Daemon(std::vector<LinkRunner*> runners, DaemonOptions options, Sleeper& sleeper, const Clock& clock,
         Logger& log, std::function<void()> on_progress);

  // Runs until the sleeper is interrupted (SIGTERM/SIGINT), finishing the cycles in flight.
  void Run();
  // Links that are not ready, with the reason. Thread-safe.
  std::vector<std::pair<std::string, std::string>> NotReady() const;
  std::vector<LinkHealth> Health() const;

 private:
  void RunLink(LinkRunner& runner);
  // Logs the state store's failing and recovering, once each way. Called under mu_.
  void NoteStateHealth(const Status& cycle);
  std::vector<LinkRunner*> runners_;
  DaemonOptions options_;
  Sleeper& sleeper_;
  const Clock& clock_;
  Logger& log_;
  std::function<void()> on_progress_;
  mutable std::mutex mu_;
  std::map<std::string, LinkHealth> health_;
  bool state_failing_ = false;
};

}  // namespace xdrsync::engine
