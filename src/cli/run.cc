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

int Run(const Args& args) {
  // Signals go to one thread that waits for them; every other thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto config = LoadConfigOrReport(args.config_path);
  if (!config) return kExitConfig;
  auto shard = SelectShard(args, *config);
  if (!shard.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(shard.status().message()).c_str());
    return Option(args, "--shard") ? kExitUsage : kExitConfig;
  }
  // While another instance holds the state, wait for it; SIGTERM (blocked, so collected here)
  // ends the wait.
  bool stopped = false;
  auto p = StartProcess(*config, false, stdout, [&set, &stopped] {
    const timespec half_second{0, 500'000'000};
    stopped = sigtimedwait(&set, nullptr, &half_second) >= 0;
    return !stopped;
  });
  if (!p) {
    if (stopped) {
      std::fprintf(stderr, "xdrsync: stopped before it could take the writer lock of %s\n",
                   Printable(config->state_path).c_str());
    }
    return kExitLinkFailed;
  }
  app::SystemdNotifier notifier;
  engine::DaemonOptions options;
  options.poll_interval_seconds = config->poll_interval_seconds;
  options.full_sweep_interval_seconds = config->full_sweep_interval_seconds;
  std::unique_ptr<LeaseGate> leases;
  if (config->leases.enabled) {
    auto gate = LeaseGate::Start(config->leases, *p);
    if (!gate.ok()) {
      std::fprintf(stderr, "xdrsync: %s\n", Printable(gate.status().ToString()).c_str());
      return kExitConfig;
    }
    leases = std::move(*gate);
    options.may_run = leases->MayRun();
  }

  std::unique_ptr<engine::Daemon> daemon;
  std::unique_ptr<app::HealthServer> health;
  if (!config->listen.empty()) {
    auto addr = app::ParseListenAddress(config->listen);
    if (!addr.ok()) {
      std::fprintf(stderr, "xdrsync: listen: %s\n", Printable(addr.status().ToString()).c_str());
      return kExitConfig;
    }
    app::HealthOptions ho;
    ho.host = addr->host;
    ho.port = addr->port;
    // Alive means the loops keep finishing cycles; allow a few slow ones before calling it stuck.
    ho.stall_seconds = std::max<int64_t>(300, 10 * config->poll_interval_seconds);
    // Off loopback, /readyz answers anyone who can reach the port: categories only (docs/security.md).
    const bool detailed = IsLoopbackHost(addr->host);
    auto started = app::HealthServer::Start(ho, p->metrics, p->clock, [&daemon, detailed] {
      std::vector<app::NotReadyLink> out;
      if (!daemon) return std::vector<app::NotReadyLink>{{"*", "starting"}};
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
  }
  std::atomic<int64_t> last_ping{0};
  const auto ping_every = std::chrono::duration_cast<std::chrono::milliseconds>(notifier.watchdog_ping_interval());
  daemon = std::make_unique<engine::Daemon>(p->runtime->runners(), options, p->sleeper, p->clock, *p->log, [&] {
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
  });
  std::thread signals([&] {
    int sig = 0;
    sigwait(&set, &sig);
    p->log->Info("shutdown.requested", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    notifier.Stopping();
    p->sleeper.Interrupt();
    std::this_thread::sleep_for(std::chrono::seconds(9));
    // Still here: a request hangs past its deadline. Everything decided is durable; leave.
    p->log->Warn("shutdown.abandoned", {{"reason", "in-flight request did not finish within 9 s"}});
    std::_Exit(kExitOk);
  });
  signals.detach();
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
