// One Kubernetes Lease (coordination.k8s.io/v1) per link, so that when a link changes owner (the
// StatefulSet scales) the new owner never writes it before the old one has stopped (docs/scaling.md).
//
// The API server is the lock: a lease is taken or renewed with a PUT carrying the resourceVersion
// last read, so two processes cannot both succeed. Another holder's lease counts as expired only
// after this process has seen the same record unchanged for leaseDurationSeconds on its own steady
// clock (client-go's rule), so clocks of different nodes never need to agree. A released lease keeps
// its holder and gets a duration of 1 s, which tells the next owner where the link came from.
//
// Thread safety: every method may be called from any thread; calls are serialised.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "xdrsync/core/clock.h"
#include "xdrsync/core/log.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::cli {

struct LeaseSettings {
  std::string api_url;          // https://kubernetes.default.svc:443, or http:// on loopback (tests)
  std::string lease_namespace;
  std::string identity;         // the pod name
  std::string token_file;       // re-read for every request (projected tokens rotate); "" = none
  int64_t duration_seconds = 30;
};

// The Lease object name for a link: a DNS-1123 name that is unique per link name.
std::string LeaseName(const std::string& link);

class LeaseKeeper {
 public:
  using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;
  // `transport` and the rest are borrowed. `steady_now` is injectable for tests.
  LeaseKeeper(LeaseSettings settings, http::Transport& transport, const Clock& clock, Logger& log,
              SteadyNow steady_now = &std::chrono::steady_clock::now);

  // Before a cycle of `link`: acquires the lease or renews it when a third of its duration has
  // passed. True when this process holds it now. `*taken_over` is set when it just came from
  // another holder: this process's state of the link is stale then.
  bool Hold(const std::string& link, bool* taken_over);
  // Renews every held lease that is due. False when one was lost (another holder took it, or it
  // could not be renewed within two thirds of its duration): a cycle of that link may be in flight,
  // so the caller must stop writing at once (the process exits). Hold() finding a lease lost between
  // cycles just answers false: no cycle of the link runs then.
  bool RenewDue();
  // On stop, after the last cycle: hands every held lease on (duration 1 s).
  void ReleaseAll();

 private:
  struct State {
    bool held = false;
    std::string resource_version;
    std::chrono::steady_clock::time_point renewed{};
    std::string observed_version;  // of another holder's record
    std::chrono::steady_clock::time_point observed_at{};
  };
  bool HoldLocked(const std::string& link, State& st, bool* taken_over);
  Result<http::Response> Call(const std::string& method, const std::string& url, const std::string& body);
  std::string CollectionUrl() const;

  LeaseSettings settings_;
  http::Transport& transport_;
  const Clock& clock_;
  Logger& log_;
  SteadyNow steady_now_;
  std::mutex mu_;
  std::map<std::string, State> leases_;
};

}  // namespace xdrsync::cli
