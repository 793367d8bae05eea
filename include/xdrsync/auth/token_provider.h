// Access tokens for Microsoft Graph and Azure Resource Manager. One provider per credential; it
// caches per scope, refreshes before expiry and lets one caller fetch while others wait.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/auth/environment.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/core/status.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::auth {

struct AccessToken {
  std::string value;  // the bearer token: never logged, never stored
  Timestamp expires_on;
  std::vector<std::string> roles;  // the token's `roles` claim, when it is a readable JWT
  std::string tenant_id;           // `tid` claim, when readable
};

// True when the token carries at least one of `roles` (exact, case-sensitive, as Entra ID issues
// them), e.g. HasAnyRole(t, {"SecurityAlert.Create.All", "SecurityAlert.ReadWrite.All"}). False
// for an opaque token, whose roles cannot be read.
bool HasAnyRole(const AccessToken& token, std::initializer_list<std::string_view> roles);

class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  // A token for `scope` (e.g. "https://graph.microsoft.com/.default"), from the cache when it is
  // valid for at least five more minutes (AuthConfig::refresh_margin_seconds); `force_refresh`
  // after a 401. Concurrent callers for one scope share a single request. kUnauthenticated or
  // kPermissionDenied when the identity platform refuses the credential (a revoked secret), with
  // its error code in the message and never the secret; kUnavailable or kResourceExhausted for
  // passing trouble (5xx, 429, the transport), which the caller retries. kFailedPrecondition when
  // the credential cannot be read (a deleted secret file). Thread-safe.
  virtual Result<AccessToken> Token(std::string_view scope, bool force_refresh = false) = 0;
};

// How a tenant or workspace authenticates (the `auth` object of the configuration).
struct AuthConfig {
  enum class Kind { kClientSecret, kCertificate, kManagedIdentity, kWorkloadIdentity };
  Kind kind = Kind::kClientSecret;
  std::string tenant_id;
  std::string client_id;
  std::string login_url = "https://login.microsoftonline.com";
  // client_secret: exactly one source. `client_secret_credential` names a file in systemd's
  // $CREDENTIALS_DIRECTORY.
  std::string client_secret_env;
  std::string client_secret_file;
  std::string client_secret_credential;
  // certificate: PEM files (the key may be in the certificate file).
  std::string certificate_file;
  std::string private_key_file;
  // managed_identity: user-assigned identity client id (empty = system-assigned); endpoints come
  // from IDENTITY_ENDPOINT/IDENTITY_HEADER when set, else IMDS.
  std::string managed_identity_client_id;
  std::string imds_url = "http://169.254.169.254/metadata/identity/oauth2/token";
  // workload_identity: the federated token file (default $AZURE_FEDERATED_TOKEN_FILE); an empty
  // client_id or tenant_id falls back to $AZURE_CLIENT_ID / $AZURE_TENANT_ID, as AKS injects them.
  std::string federated_token_file;
  // A cached token is replaced once fewer than this many seconds remain (or half its lifetime,
  // whichever is shorter, so a short-lived token is not fetched on every call).
  int64_t refresh_margin_seconds = 300;
  // Whole-request deadline of each call to the identity platform.
  int64_t request_timeout_seconds = 30;
};

// Builds the provider for a credential. Fails with a one-line message naming what is missing
// (an unset environment variable, an unreadable file) — never the secret itself.
// Environment variables are read from the process.
Result<std::unique_ptr<TokenProvider>> MakeTokenProvider(const AuthConfig& config, http::Transport& transport,
                                                         const Clock& clock);
// The same, reading environment variables ($CREDENTIALS_DIRECTORY, IDENTITY_ENDPOINT, ...) through
// `env`, which must outlive the provider (as must `transport` and `clock`).
Result<std::unique_ptr<TokenProvider>> MakeTokenProvider(const AuthConfig& config, http::Transport& transport,
                                                         const Clock& clock, const Environment& env);

// Warnings about the files a credential is read from that are read anyway: a symbolic link, or a
// mode that lets group or others in. Each names the configuration key, never a path or a value.
std::vector<std::string> CredentialFileWarnings(const AuthConfig& config, const Environment& env);

}  // namespace xdrsync::auth
