// `run`: the daemon. SIGTERM/SIGINT interrupt every wait at once; the cycles in flight finish
// (their writes are confirmed or stay in the outbox) and the process exits within 10 s, abandoning
// a request still hanging by then — safe, because every decision is already durable.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "args.h"
#include "cluster.h"
#include "commands.h"
#include "common.h"
#include "xdrsync/app/health_server.h"
#include "xdrsync/app/readiness.h"
#include "xdrsync/app/systemd_notify.h"
#include "xdrsync/core/host.h"
#include "xdrsync/engine/daemon.h"

namespace xdrsync::cli {

namespace {

// Why `run` waits before its daemon exists (the writer lock, a state not writable), for /readyz.
struct StartupWait {
  std::mutex mu;
  std::string why;
};

// Starts the health server on `listen` unless it is off or already up: kExitOk, or the exit code
// after printing why not. /readyz asks `daemon` once it exists, `waiting` until then.
int StartHealth(const app::Config& config, Process& p, const std::unique_ptr<engine::Daemon>& daemon,
                StartupWait& waiting, std::unique_ptr<app::HealthServer>& health) {
  if (config.listen.empty() || health) return kExitOk;
  auto addr = app::ParseListenAddress(config.listen);
  if (!addr.ok()) {
    std::fprintf(stderr, "xdrsync: listen: %s\n", Printable(addr.status().ToString()).c_str());
    return kExitConfig;
  }
  app::HealthOptions ho;
  ho.host = addr->host;
  ho.port = addr->port;
  // Alive means the loops keep finishing cycles; allow a few slow ones before calling it stuck.
  ho.stall_seconds = std::max<int64_t>(300, 10 * config.poll_interval_seconds);
  // Off loopback, /readyz answers anyone who can reach the port: categories only (docs/security.md).
  const bool detailed = IsLoopbackHost(addr->host);
  auto started = app::HealthServer::Start(ho, p.metrics, p.clock, [&daemon, &waiting, detailed] {
    std::vector<app::NotReadyLink> out;
    if (!daemon) {
      std::lock_guard lock(waiting.mu);
      const std::string why = waiting.why.empty() ? "starting" : waiting.why;
      return std::vector<app::NotReadyLink>{{"*", detailed ? why : app::PublicReadinessReason(why)}};
    }
    for (auto& [link, reason] : daemon->NotReady()) {
      out.push_back({link, detailed ? reason : app::PublicReadinessReason(reason)});
    }
    return out;
  });
  if (!started.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(started.status().ToString()).c_str());
    return kExitLinkFailed;
  }
  health = std::move(*started);
  return kExitOk;
}

// Signals go to one thread that waits for them; every other thread inherits the mask.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// While another instance holds the state, or the state cannot be written, wait; SIGTERM (blocked,
// so collected here) ends the wait. The health server starts during the wait only for a state
// that cannot be written, not for the writer lock, whose holder may be serving the same port.
// kExitOk once the process may run, else the exit code.
int WaitForState(const app::Config& config, Process& p, const sigset_t& set, StartupWait& waiting,
                 const std::unique_ptr<app::HealthServer>& health, const std::function<int()>& start_health) {
  int health_failed = kExitOk;
  const bool ready_to_run = FinishProcess(p, config, [&] {
    const timespec half_second{0, 500'000'000};
    if (health) health->Beat();  // waiting on purpose: a restart would not help
    return health_failed == kExitOk && sigtimedwait(&set, nullptr, &half_second) < 0;
  }, [&](const std::string& why) {
    if (why.rfind("state not writable", 0) == 0 && health_failed == kExitOk) health_failed = start_health();
    std::lock_guard lock(waiting.mu);
    waiting.why = why;
  });
  if (health_failed != kExitOk) return health_failed;
  return ready_to_run ? kExitOk : kExitLinkFailed;
}

// The daemon's options from the config, and with leases on, the gate that holds them (`leases`):
// kExitOk, or kExitConfig after printing why not.
int ConfigureDaemon(const app::Config& config, Process& p, engine::DaemonOptions& options,
                    std::unique_ptr<LeaseGate>& leases) {
  options.poll_interval_seconds = config.poll_interval_seconds;
  options.full_sweep_interval_seconds = config.full_sweep_interval_seconds;
  options.min_poll_seconds = config.min_poll_seconds;
  options.may_hurry = p.runtime->MayHurry();
  if (!config.leases.enabled) return kExitOk;
  auto gate = LeaseGate::Start(config.leases, p);
  if (!gate.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(gate.status().ToString()).c_str());
    return kExitConfig;
  }
  leases = std::move(*gate);
  options.may_run = leases->MayRun();
  return kExitOk;
}

// After every finished cycle: the health heartbeat, a watchdog ping at most every half watchdog
// timeout, and the status line systemd shows. The arguments must outlive the daemon.
std::function<void()> ReportProgress(const std::unique_ptr<app::HealthServer>& health, app::SystemdNotifier& notifier,
                                     std::atomic<int64_t>& last_ping, const std::unique_ptr<engine::Daemon>& daemon) {
  const auto ping_every = std::chrono::duration_cast<std::chrono::milliseconds>(notifier.watchdog_ping_interval());
  return [&health, &notifier, &last_ping, &daemon, ping_every] {
    if (health) health->Beat();
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    if (ping_every.count() > 0 && now - last_ping.load() >= ping_every.count()) {
      last_ping = now;
      notifier.Watchdog();  // only after real progress: a stalled loop gets restarted
    }
    if (daemon) {
      const auto not_ready = daemon->NotReady();
      notifier.Status(not_ready.empty() ? "all links in sync"
                                        : std::to_string(not_ready.size()) + " link(s) not ready: " +
                                              not_ready.front().first + ": " + not_ready.front().second);
    }
  };
}

// The thread that waits for SIGTERM/SIGINT: it interrupts every wait, then leaves after 9 s if a
// request still hangs. The arguments must live until the process exits.
void StartSignalThread(const sigset_t& set, Process& p, app::SystemdNotifier& notifier) {
  std::thread signals([&set, &p, &notifier] {
    int sig = 0;
    sigwait(&set, &sig);
    p.log->Info("shutdown.requested", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    notifier.Stopping();
    p.sleeper.Interrupt();
    std::this_thread::sleep_for(std::chrono::seconds(9));
    // Still here: a request hangs past its deadline. Everything decided is durable; leave.
    p.log->Warn("shutdown.abandoned", {{"reason", "in-flight request did not finish within 9 s"}});
    std::_Exit(kExitOk);
  });
  signals.detach();
}

}  // namespace

int Run(const Args& args) {
  const sigset_t set = BlockShutdownSignals();
  auto config = LoadConfigOrReport(args.config_path);
  if (!config) return kExitConfig;
  auto shard = SelectShard(args, *config);
  if (!shard.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(shard.status().message()).c_str());
    return Option(args, "--shard") ? kExitUsage : kExitConfig;
  }
  auto p = NewProcess(*config, false, stdout);
  // Declared before the health server, whose thread reads them until it stops.
  StartupWait waiting;
  std::unique_ptr<engine::Daemon> daemon;
  std::unique_ptr<app::HealthServer> health;
  auto start_health = [&] { return StartHealth(*config, *p, daemon, waiting, health); };
  if (int rc = WaitForState(*config, *p, set, waiting, health, start_health); rc != kExitOk) return rc;
  if (int rc = start_health(); rc != kExitOk) return rc;
  app::SystemdNotifier notifier;
  engine::DaemonOptions options;
  std::unique_ptr<LeaseGate> leases;
  if (int rc = ConfigureDaemon(*config, *p, options, leases); rc != kExitOk) return rc;

  std::atomic<int64_t> last_ping{0};
  daemon = std::make_unique<engine::Daemon>(p->runtime->runners(), options, p->sleeper, p->clock, *p->log,
                                            ReportProgress(health, notifier, last_ping, daemon));
  StartSignalThread(set, *p, notifier);
  notifier.Ready("syncing " + std::to_string(p->runtime->runners().size()) + " link(s)");
  p->log->Info("daemon.started", {{"links", std::to_string(p->runtime->runners().size())},
                                  {"listen", config->listen}, {"state_path", config->state_path},
                                  {"shard", *shard ? (*shard)->ToString() : "all"}});
  daemon->Run();
  if (leases) leases->Stop();
  if (health) health->Stop();
  p->log->Info("daemon.stopped", {});
  return kExitOk;
}

}  // namespace xdrsync::cli
