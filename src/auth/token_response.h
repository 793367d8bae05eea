// Reading what the identity platform answers: a token (Entra ID token endpoint, IMDS, the App
// Service identity endpoint) or an error, mapped to one Status line an operator can act on.
// Nothing here ever puts a response body into a message: it may hold a token.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/auth/token_provider.h"
#include "xdrsync/core/status.h"
#include "xdrsync/core/timestamp.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::auth {

enum class Endpoint { kLogin, kImds, kAppService };

// What we sent that must never come back in a message (a secret, an assertion, both as sent on
// the wire and URL-encoded).
using Secrets = std::vector<std::string>;

struct JwtClaims {
  std::vector<std::string> roles;
  std::string tenant_id;
};
// The `roles` and `tid` claims of a JWT's payload, without checking its signature (the token is
// ours, fresh from the issuer; we only read it). Empty for an opaque or malformed token.
JwtClaims ReadUnverifiedClaims(std::string_view jwt);

// Turns a response into a token (2xx) or a Status (anything else). `who` starts every message,
// e.g. "tenant 72f9…" or "managed identity (IMDS)".
// Server text that reaches the message is scrubbed of `sent` before it is shortened, so not even
// a prefix of a secret survives.
Result<AccessToken> ReadTokenResponse(const http::Response& response, Timestamp now, std::string_view who,
                                      Endpoint endpoint, const Secrets& sent = {});

// The Status for a non-2xx answer: kUnauthenticated when the credential is refused
// (invalid_client, unauthorized_client, invalid_grant), kPermissionDenied for consent and role
// problems and 403, kResourceExhausted for 429, kUnavailable for 5xx (and IMDS 404/410, which
// mean "not ready yet").
Status TokenErrorStatus(const http::Response& response, std::string_view who, Endpoint endpoint,
                        const Secrets& sent = {});

// Replaces every occurrence of each secret in the message by "***": a guard for text that came
// from a server (an error description) and could echo what we sent. Secrets shorter than six
// characters are skipped: they would shred the message and are no real credential.
std::string RedactedText(std::string text, const Secrets& secrets);
Status Redacted(const Status& status, const Secrets& secrets);

}  // namespace xdrsync::auth
