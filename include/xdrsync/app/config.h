// The configuration file (JSON), as plain data. Parsing and validation live in src/app/config.cc;
// every key is documented in docs/configuration.md and shown in config/xdrsync.example.json.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/auth/token_provider.h"
#include "xdrsync/core/status.h"
#include "xdrsync/reconcile/policy.h"

namespace xdrsync::app {

// National clouds preset the login, Graph and ARM endpoints and the token scopes.
enum class Cloud { kPublic, kUsGov, kUsGovDod, kChina };

struct Endpoints {
  std::string login_url;   // e.g. https://login.microsoftonline.com
  std::string graph_url;   // e.g. https://graph.microsoft.com
  std::string arm_url;     // e.g. https://management.azure.com
  std::string graph_scope; // e.g. https://graph.microsoft.com/.default
  std::string arm_scope;   // e.g. https://management.azure.com/.default
};
Endpoints CloudEndpoints(Cloud cloud);
std::string_view CloudName(Cloud cloud);  // "public", "usgov", "usgov-dod", "china"

struct DefenderTenant {
  std::string name;
  std::string tenant_id;
  Cloud cloud = Cloud::kPublic;
  Endpoints endpoints;  // cloud presets with graph_url/login_url/graph_scope overrides applied
  auth::AuthConfig auth;
  // Rate budget (requests per minute), below Graph's published 150/min per app per tenant.
  int reads_per_minute = 120;
  int writes_per_minute = 60;
};

enum class Portal { kAuto, kAzure, kDefender };
std::string_view PortalName(Portal portal);  // "auto", "azure", "defender"

struct SentinelWorkspace {
  std::string name;
  std::string subscription_id;
  std::string resource_group;
  std::string workspace;
  std::string tenant_id;
  Cloud cloud = Cloud::kPublic;
  Endpoints endpoints;  // arm_url/login_url/graph_url/arm_scope/graph_scope overrides applied
  Portal portal = Portal::kAuto;
  std::string api_version = "2025-09-01";
  auth::AuthConfig auth;
  // ARM token bucket, per second, below the published 25 reads/s and 10 writes/s.
  double reads_per_second = 10;
  double writes_per_second = 4;
};

struct LinkConfig {
  std::string name;
  std::string defender;   // DefenderTenant::name
  std::string sentinel;   // SentinelWorkspace::name
  bool paused = false;
  bool connector_sync_disabled = false;  // link mode: allow field directions other than none
  reconcile::LinkPolicy policy;          // mode, mapping, directions, conflicts, scope, caps
};

struct LogConfig {
  std::string format = "json";  // json | text
  std::string level = "info";   // trace, debug, info, warning, error, critical, off
};

// Kubernetes Leases, one per link (docs/scaling.md): a process syncs a link only while it holds
// the link's Lease, so a link that changes owner is never written by two processes at once.
struct LeaseConfig {
  bool enabled = false;          // the `leases` section is present
  std::string api_url;           // "" = https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
  std::string lease_namespace;   // "" = the service account's namespace file
  std::string identity;          // "" = $HOSTNAME (the pod name)
  int64_t duration_seconds = 30;
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";  // "" = system CAs
};

inline constexpr int64_t kDefaultMinPollSeconds = 5;

struct Config {
  std::string source_path;  // where it was read from, for messages
  std::string state_path = "/var/lib/xdrsync/state.db";
  int64_t poll_interval_seconds = 15;
  // Adaptive polling's floor: while a link's cycles find changes its next cycle comes this soon
  // (engine::PollSchedule). Unset: kDefaultMinPollSeconds, or the interval when that is shorter.
  int64_t min_poll_seconds = kDefaultMinPollSeconds;
  int64_t full_sweep_interval_seconds = 6 * 3600;
  int64_t sweep_overlap_seconds = 24 * 3600;
  int64_t initial_lookback_hours = 168;
  int64_t overlap_seconds = 120;
  int max_attempts = 8;  // per write, before it is quarantined
  // After a createAlert with an unknown outcome: how long until its alert is looked for.
  int64_t create_recheck_seconds = 60;
  LogConfig log;
  std::string listen = "127.0.0.1:9464";  // metrics and health; "" = off
  std::string shard;  // "ORDINAL/COUNT" (ParseShard); "" = this process serves every link
  LeaseConfig leases;
  std::vector<DefenderTenant> defender_tenants;
  std::vector<SentinelWorkspace> sentinel_workspaces;
  std::vector<LinkConfig> links;

  const DefenderTenant* FindTenant(const std::string& name) const;
  const SentinelWorkspace* FindWorkspace(const std::string& name) const;
};

// The `listen` address: "127.0.0.1:9464", "[::1]:9464", "localhost:0" (port 0 = any free port).
struct ListenAddress {
  std::string host;  // without brackets
  uint16_t port = 0;
};
Result<ListenAddress> ParseListenAddress(std::string_view text);

// Parses and validates a configuration document. On error the Status (kInvalidArgument) is one line
// `<source_path>: <key path>: <problem>`, e.g. `xdrsync.json: links[0].conflicts.owner: unknown
// policy 'oldest' (expected newest, defender-wins, sentinel-wins or manual)`. Unknown keys are
// refused (typo protection). No secret value ever appears in a message: the file names where
// secrets live, never the secrets.
Result<Config> ParseConfig(std::string_view json_text, std::string_view source_path);
Result<Config> LoadConfig(const std::string& path);

}  // namespace xdrsync::app
