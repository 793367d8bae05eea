// The public face of the emulator: start one in-process (tests, demo, benchmark) or from the
// xdrsync-emulator binary. It serves on 127.0.0.1 only:
//   POST /{tenant}/oauth2/v2.0/token, GET /metadata/identity/oauth2/token, GET /msi/token
//   /v1.0|beta/security/incidents..., /v1.0|beta/security/alerts_v2...   (Graph)
//   /subscriptions/.../providers/Microsoft.SecurityInsights/incidents...  (ARM)
//   /_control/...                                                        (tests; no auth)
// See docs/emulator.md for the full list and the known differences from the real services.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth_service.h"
#include "services.h"
#include "tls_setup.h"
#include "world.h"

namespace xdrsync::emulator {

struct TlsOptions {
  bool enabled = false;
  // Both empty: a CA and a certificate for 127.0.0.1 and localhost are made for this run (and
  // removed when the emulator is destroyed). Both set: PEM files to serve as they are.
  std::string cert_file;
  std::string key_file;
};

struct EmulatorOptions {
  int port = 0;         // 0 = any free port
  uint64_t seed = 1;    // ids, fault draws and token keys derive from it
  std::vector<std::string> tenants;
  std::vector<WorkspaceConfig> workspaces;
  // Empty: every tenant gets client "xdrsync-app" with secret "xdrsync-secret" (both Graph
  // roles, ARM responder), and the first tenant a managed identity "xdrsync-managed-identity".
  std::vector<ClientConfig> clients;
  long long token_lifetime_s = 3599;
  std::string identity_header = "emulator-identity-header";
  WorldSettings world;
  RateLimitSettings limits;
  nlohmann::json scenario;  // optional scenario document, loaded after the above
  TlsOptions tls;           // https instead of http
  EmuClock::Source clock_source = [] { return std::chrono::system_clock::now(); };
};

inline constexpr char kDefaultClientId[] = "xdrsync-app";
inline constexpr char kDefaultClientSecret[] = "xdrsync-secret";
inline constexpr char kDefaultManagedIdentity[] = "xdrsync-managed-identity";

class Emulator {
 public:
  // nullptr (and *error) when the port cannot be bound or the scenario is invalid.
  static std::unique_ptr<Emulator> Start(EmulatorOptions options, std::string* error = nullptr);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  int port() const { return services_->port; }
  std::string base_url() const { return services_->BaseUrl(); }  // https://… with TLS
  // The PEM file a client must trust to reach the TLS listener ("" without TLS).
  const std::string& ca_file() const { return tls_files_.ca_file; }
  // Closes every connection, hung ones included. Idempotent.
  void Stop();

  // Direct access for in-process tests: seed or inspect state without HTTP.
  Services& services() { return *services_; }
  World& world() { return services_->world; }
  EmuClock& clock() { return services_->clock; }
  FaultInjector& faults() { return services_->faults; }
  Journal& journal() { return services_->journal; }
  // An access token for a registered client, skipping the token endpoint ("" if unknown).
  std::string MintToken(const std::string& tenant, const std::string& client_id,
                        const std::string& audience);

  // The whole request pipeline without sockets (what the server calls per request).
  HttpResponse Handle(const HttpRequest& request);

 private:
  Emulator();
  std::unique_ptr<Services> services_;
  std::unique_ptr<class HttpServer> server_;
  TlsFiles tls_files_;
  bool generated_tls_files_ = false;
};

// Applies a scenario document (tenants, workspaces, clients, incidents, settings, faults).
bool LoadScenario(Services& s, const nlohmann::json& scenario, std::string* error);
// Registers client xdrsync-app / xdrsync-secret in `tenant` (and, when asked, the managed
// identity xdrsync-managed-identity), so a tenant without configured clients is usable.
void AddDefaultClients(Services& s, const std::string& tenant, bool managed_identity);
nlohmann::json SettingsToJson(Services& s);
bool ApplySettings(Services& s, const nlohmann::json& settings, std::string* error);

}  // namespace xdrsync::emulator
