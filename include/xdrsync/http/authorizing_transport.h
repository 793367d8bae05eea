// Adds `Authorization: Bearer <token>` for one scope. On a 401 the token is refreshed once and the
// request sent once more: tokens can be revoked or rotated before their expiry.
#pragma once

#include <string>

#include "xdrsync/auth/token_provider.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::http {

// Thread-safe when the provider is (TokenProvider's contract). The token never appears in a
// Status, a log line or a metric produced here.
class AuthorizingTransport final : public Transport {
 public:
  AuthorizingTransport(Transport& inner, auth::TokenProvider& tokens, std::string scope);

  // A token failure is returned as the provider's Status (kUnauthenticated for a revoked secret)
  // and nothing is sent. A second 401 is returned as a Response for the caller to map.
  Result<Response> Send(const Request& request) override;

 private:
  Result<Response> SendWith(Request& request, bool force_refresh);

  Transport& inner_;
  auth::TokenProvider& tokens_;
  const std::string scope_;
};

}  // namespace xdrsync::http
