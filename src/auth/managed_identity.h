// Managed identities: the App Service / Container Apps identity endpoint when the platform
// announces one (IDENTITY_ENDPOINT and IDENTITY_HEADER), the VM instance metadata service (IMDS)
// otherwise. No secret of ours is involved; the platform vouches for the workload.
#pragma once

#include <string>
#include <string_view>

#include "auth/token_cache.h"
#include "xdrsync/auth/environment.h"
#include "xdrsync/auth/token_provider.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::auth {

// The v1 `resource` the identity endpoints want for a v2 scope: "https://graph.microsoft.com/.default"
// → "https://graph.microsoft.com". A scope without "/.default" is passed through.
std::string ResourceOfScope(std::string_view scope);

class ManagedIdentitySource final : public TokenSource {
 public:
  ManagedIdentitySource(const AuthConfig& config, http::Transport& transport, const Clock& clock,
                        const Environment& env);
  // Reads IDENTITY_ENDPOINT and IDENTITY_HEADER on every call: the platform rotates the header.
  Result<AccessToken> Fetch(std::string_view scope) override;

 private:
  std::string tenant_id_;
  std::string client_id_;
  std::string imds_url_;
  std::chrono::milliseconds deadline_;
  http::Transport& transport_;
  const Clock& clock_;
  const Environment& env_;
};

}  // namespace xdrsync::auth
