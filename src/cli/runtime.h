// The composition root's object graph for one configuration: one HTTP transport, a token provider
// per credential, per tenant and workspace a decorated transport (token -> retry -> budget ->
// metrics -> cpprest) and a client, the twin-creation way of each workspace, the state store and
// one LinkRunner per link. Only main and the CLI build it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "xdrsync/app/config.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/core/log.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/core/sleeper.h"
#include "xdrsync/engine/link_runner.h"
#include "xdrsync/http/transport.h"
#include "xdrsync/store/state_store.h"

namespace xdrsync::app {

struct LinkInfo {
  std::string name, defender, sentinel, mode;
  std::string way;         // "arm", "defender-alert" or "link"
  std::string way_reason;  // why, for `status` and the start-up log
  bool paused = false;
  std::string error;       // set when the link cannot run (e.g. createAlert not permitted)
};

// Warnings about the credential files of every tenant and workspace (a symbolic link, a mode that
// lets others read), one line each, naming the tenant or workspace and the key, never a path.
std::vector<std::string> CredentialWarnings(const Config& config);

class Runtime {
 public:
  // `base` is the transport everything goes through (cpprest in production, a test double or
  // the in-process emulator's loopback in the demo); borrowed, like the other references.
  static Result<std::unique_ptr<Runtime>> Build(const Config& config, http::Transport& base, Logger& log,
                                                Metrics& metrics, Sleeper& sleeper, const Clock& clock);
  ~Runtime();

  std::vector<engine::LinkRunner*> runners();
  engine::LinkRunner* runner(const std::string& link);
  const std::vector<LinkInfo>& links() const { return links_; }
  store::StateStore& store() { return *store_; }
  // For engine::DaemonOptions::may_hurry: whether a link's read budgets (its Defender tenant's
  // Graph reads and its workspace tenant's ARM reads) are at least half full. Thread-safe; valid
  // while the runtime lives.
  std::function<bool(const std::string& link)> MayHurry();

  struct Parts;  // the owned object graph (runtime.cc)

 private:
  Runtime();
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<store::StateStore> store_;
  std::vector<LinkInfo> links_;
  struct LinkTenants {
    std::string graph, arm;  // tenant ids
  };
  std::map<std::string, LinkTenants> link_tenants_;  // by link name
};

}  // namespace xdrsync::app
