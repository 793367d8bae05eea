// `run` beyond one process (docs/scaling.md): which links this process serves (a shard of them),
// and the Kubernetes Lease of each link that it must hold before it syncs the link.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "commands.h"
#include "common.h"
#include "lease_keeper.h"
#include "xdrsync/core/shard.h"

namespace xdrsync::cli {

// The shard of `run --shard`, else the configuration's `shard`; nullopt when neither is set. The
// links this process does not serve are removed from `config`. A bad value: kInvalidArgument naming
// where it came from.
Result<std::optional<Shard>> SelectShard(const Args& args, app::Config& config);

// Holds the leases of the links of one `run`: acquired before each cycle, renewed in the background,
// released on stop. A link taken over from another process starts from a clean state (its old
// state here would be stale). A lease that cannot be renewed in time ends the process: exiting is
// safe (every decision is durable) and is the one way to stop writes already in flight.
class LeaseGate {
 public:
  // kInvalidArgument when the settings cannot be completed from the environment.
  static Result<std::unique_ptr<LeaseGate>> Start(const app::LeaseConfig& config, Process& process);
  ~LeaseGate();
  std::function<bool(const std::string& link)> MayRun();
  // After the daemon stopped: ends the renewals and hands every lease on.
  void Stop();

 private:
  LeaseGate(Process& process, std::unique_ptr<http::Transport> transport, LeaseSettings settings);
  Process& process_;
  std::unique_ptr<http::Transport> transport_;
  LeaseSettings settings_;
  std::unique_ptr<LeaseKeeper> keeper_;
  std::thread renewer_;
};

}  // namespace xdrsync::cli
