#include "xdrsync/engine/daemon.h"

#include <thread>

#include "xdrsync/engine/poll_schedule.h"

namespace xdrsync::engine {
namespace {

// Every error of the state store names it ("state store <path>: <step>: <what>", store/sqlite_handle.h).
bool IsStateError(const Status& s) { return !s.ok() && s.message().find("state store ") != std::string::npos; }

}  // namespace

Daemon::Daemon(std::vector<LinkRunner*> runners, DaemonOptions options, Sleeper& sleeper, const Clock& clock,
               Logger& log, std::function<void()> on_progress)
    : runners_(std::move(runners)),
      options_(options),
      sleeper_(sleeper),
      clock_(clock),
      log_(log),
      on_progress_(std::move(on_progress)) {
  for (auto* r : runners_) health_[r->name()] = {r->name(), {}, {}, "no cycle yet", false};
}

void Daemon::Run() {
  std::vector<std::thread> threads;
  threads.reserve(runners_.size());
  for (auto* r : runners_) threads.emplace_back([this, r] { RunLink(*r); });
  for (auto& t : threads) t.join();
}

void Daemon::RunLink(LinkRunner& runner) {
  Timestamp last_sweep;  // zero: the first cycle is a full sweep
  PollSchedule schedule(options_.poll_interval_seconds, options_.min_poll_seconds);
  while (!sleeper_.stopping()) {
    if (options_.may_run && !options_.may_run(runner.name())) {
      {
        std::lock_guard lock(mu_);
        health_[runner.name()].waiting = true;
      }
      if (!sleeper_.Sleep(schedule.Idle())) break;
      continue;
    }
    CycleOptions options;
    const Timestamp now = clock_.Now();
    options.full_sweep = last_sweep.is_zero() ||
                         now.TicksSince(last_sweep) >= options_.full_sweep_interval_seconds * Timestamp::kTicksPerSecond;
    CycleReport report = runner.RunCycle(options);
    {
      std::lock_guard lock(mu_);
      LinkHealth& h = health_[runner.name()];
      h.last_attempt = now;
      h.held = report.held;
      h.waiting = false;
      h.state_failed = IsStateError(report.status);
      if (report.status.ok()) {
        h.last_success = now;
        h.last_error.clear();
        if (options.full_sweep) last_sweep = now;
      } else {
        h.last_error = report.status.ToString();
      }
      NoteStateHealth(report.status);
    }
    if (on_progress_) on_progress_();
    const bool may_hurry = !options_.may_hurry || options_.may_hurry(runner.name());
    if (!sleeper_.Sleep(schedule.After(report, may_hurry))) break;
  }
  log_.Info("link.stopped", {{"link", runner.name()}});
}

void Daemon::NoteStateHealth(const Status& cycle) {
  // One line when the state stops taking writes and one when it takes them again, whichever
  // link sees it first: all links share the one state file.
  if (IsStateError(cycle) && !state_failing_) {
    state_failing_ = true;
    log_.Error("state.unwritable", {{"error", cycle.ToString()},
                                    {"detail", "nothing is synced until the state can be written; "
                                               "captured changes are read again then"}});
  } else if (cycle.ok() && state_failing_) {
    state_failing_ = false;
    log_.Info("state.writable", {});
  }
}

std::vector<std::pair<std::string, std::string>> Daemon::NotReady() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  const Timestamp now = clock_.Now();
  for (const auto& [name, h] : health_) {
    if (h.waiting) {
      out.emplace_back(name, "waiting for the link's lease: another process holds it");
    } else if (h.state_failed) {
      // Not a service's trouble that passes by itself: not ready at once.
      out.emplace_back(name, "state not writable: " + h.last_error);
    } else if (h.last_success.is_zero()) {
      out.emplace_back(name, h.last_error.empty() ? "no successful cycle yet" : h.last_error);
    } else if (now.TicksSince(h.last_success) > options_.ready_window_seconds * Timestamp::kTicksPerSecond) {
      out.emplace_back(name, "last success " + h.last_success.ToSecondsString() + ": " + h.last_error);
    } else if (h.held) {
      out.emplace_back(name, "held by the mass-change valve; run `xdrsync plan` and `xdrsync approve " + name + "`");
    }
  }
  return out;
}

std::vector<LinkHealth> Daemon::Health() const {
  std::lock_guard lock(mu_);
  std::vector<LinkHealth> out;
  for (const auto& [name, h] : health_) out.push_back(h);
  return out;
}

}  // namespace xdrsync::engine
