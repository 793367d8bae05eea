// Tokens from the Entra ID v2.0 token endpoint with the client credentials grant: the part every
// confidential-client credential shares (secret, certificate, workload identity federation).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "auth/encoding.h"
#include "auth/secret_files.h"
#include "auth/token_cache.h"
#include "xdrsync/auth/environment.h"
#include "xdrsync/auth/token_provider.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::auth {

inline constexpr std::string_view kJwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// "{login_url}/{tenant}/oauth2/v2.0/token"; also the `aud` of a client assertion.
std::string TokenEndpointUrl(std::string_view login_url, std::string_view tenant_id);

// How the application proves its identity in a token request.
class ClientCredential {
 public:
  virtual ~ClientCredential() = default;
  // The proof form fields (client_secret, or client_assertion_type and client_assertion), built
  // afresh on each call so rotated material is picked up. Thread-safe.
  virtual Result<FormFields> Proof(Timestamp now) const = 0;
};

// The secret from its source (environment, file, systemd credential), read on every call.
std::unique_ptr<ClientCredential> MakeSecretCredential(ClientSecretSource source);
// The federated token (e.g. a Kubernetes service account token) read from `path`, or from
// $AZURE_FEDERATED_TOKEN_FILE when `path` is empty, on every call: the kubelet rotates it.
std::unique_ptr<ClientCredential> MakeFederatedCredential(std::string path, const Environment& env);

class LoginTokenSource final : public TokenSource {
 public:
  LoginTokenSource(const AuthConfig& config, std::unique_ptr<ClientCredential> credential,
                   http::Transport& transport, const Clock& clock);
  Result<AccessToken> Fetch(std::string_view scope) override;

 private:
  std::string tenant_id_;
  std::string client_id_;
  std::string token_url_;
  std::chrono::milliseconds deadline_;
  std::unique_ptr<ClientCredential> credential_;
  http::Transport& transport_;
  const Clock& clock_;
};

}  // namespace xdrsync::auth
