#include "xdrsync/http/authorizing_transport.h"

#include <algorithm>

#include "xdrsync/core/strings.h"

namespace xdrsync::http {

AuthorizingTransport::AuthorizingTransport(Transport& inner, auth::TokenProvider& tokens, std::string scope)
    : inner_(inner), tokens_(tokens), scope_(std::move(scope)) {}

Result<Response> AuthorizingTransport::SendWith(Request& request, bool force_refresh) {
  Result<auth::AccessToken> token = tokens_.Token(scope_, force_refresh);
  if (!token.ok()) return token.status();
  // Replace, never add: a caller's stale header must not travel next to the fresh one.
  std::erase_if(request.headers, [](const auto& h) { return EqualsIgnoreCase(h.first, "authorization"); });
  request.headers.emplace_back("Authorization", "Bearer " + token->value);
  return inner_.Send(request);
}

Result<Response> AuthorizingTransport::Send(const Request& original) {
  Request request = original;
  Result<Response> first = SendWith(request, false);
  if (!first.ok() || first->status != 401) return first;
  return SendWith(request, true);
}

}  // namespace xdrsync::http
