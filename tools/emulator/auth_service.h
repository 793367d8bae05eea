// Entra ID as the emulator sees it: registered clients and managed identities, the v2.0 token
// endpoint (secret, certificate assertion, federated assertion), both managed-identity token
// endpoints, and validation of the bearer tokens it issued. Socket-free; thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emu_clock.h"
#include "id_source.h"

namespace xdrsync::emulator {

inline constexpr char kGraphAudience[] = "https://graph.microsoft.com";
inline constexpr char kArmAudience[] = "https://management.azure.com";

struct ClientConfig {
  std::string tenant;
  std::string client_id;
  std::string display_name = "xdrsync";
  std::string secret;                   // "" = secret grant refused
  std::string certificate_pem;          // "" = assertion shape/aud/exp checked, signature not
  std::string federated_issuer;         // workload identity federation
  std::string federated_subject;
  bool managed_identity = false;        // served by the IMDS / App Service endpoints only
  std::vector<std::string> graph_roles = {"SecurityIncident.ReadWrite.All",
                                          "SecurityAlert.ReadWrite.All"};
  std::string arm_role = "responder";   // "", "reader", "responder", "contributor"
  std::string object_id;                // generated when empty
};

struct TokenReply {
  int status = 200;
  nlohmann::json body;
};

struct Principal {
  std::string tenant;
  std::string client_id;
  std::string object_id;
  std::string display_name;
  std::vector<std::string> roles;
  std::string audience;
  long long expires = 0;
};

enum class TokenCheck { kOk, kMissing, kMalformed, kBadSignature, kExpired, kWrongAudience };

class AuthService {
 public:
  AuthService(EmuClock* clock, IdSource* ids, std::string signing_key);

  void AddClient(ClientConfig client);
  bool HasTenant(const std::string& tenant) const;
  void AddTenant(const std::string& tenant);
  void SetTokenLifetime(long long seconds);
  long long token_lifetime() const;
  void SetIdentityHeader(const std::string& value);
  nlohmann::json Describe() const;
  // The ARM role configured for a client ("" when unknown).
  std::string ArmRole(const std::string& tenant, const std::string& client_id) const;

  // POST /{tenant}/oauth2/v2.0/token with the decoded form. `issuer_url` is the emulator's base
  // URL: an assertion's aud may name it or login.microsoftonline.com.
  TokenReply ClientCredentials(const std::string& tenant,
                               const std::map<std::string, std::string>& form,
                               const std::string& basic_auth, const std::string& issuer_url);
  // IMDS: GET /metadata/identity/oauth2/token (query + the Metadata header).
  TokenReply Imds(const std::map<std::string, std::string>& query, const std::string& metadata);
  // App Service / Container Apps: GET /msi/token with X-IDENTITY-HEADER.
  TokenReply AppService(const std::map<std::string, std::string>& query,
                        const std::string& identity_header);

  // Issues a token for a registered client without the token endpoint ("" when unknown).
  std::string Mint(const std::string& tenant, const std::string& client_id,
                   const std::string& audience);

  TokenCheck Validate(const std::string& authorization, const std::string& audience,
                      Principal* out) const;

 private:
  TokenReply AadError(int status, const std::string& error, int code, const std::string& text);
  std::string Issue(const ClientConfig& client, const std::string& audience, long long* exp);
  std::string CheckAssertion(const ClientConfig& client, const std::string& tenant,
                             const std::string& assertion, const std::string& issuer_url,
                             int* code);
  const ClientConfig* FindManaged(const std::map<std::string, std::string>& query) const;

  EmuClock* clock_;
  IdSource* ids_;
  std::string key_;
  mutable std::mutex mu_;
  std::map<std::string, ClientConfig> clients_;  // by "<tenant>|<client id>": one app, many tenants
  std::vector<std::string> tenants_;
  long long lifetime_s_ = 3599;
  std::string identity_header_ = "emulator-identity-header";
};

// "https://graph.microsoft.com/.default" or ".../" -> "https://graph.microsoft.com"; "" if unknown.
std::string AudienceForScope(const std::string& scope_or_resource);

}  // namespace xdrsync::emulator
