// Encodings the identity platform speaks: base64url (JWT segments, thumbprints) and
// application/x-www-form-urlencoded (token request bodies, managed identity query strings).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xdrsync::auth {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// RFC 4648 §5 alphabet, no padding (as JWS requires).
std::string Base64UrlEncode(std::string_view bytes);
// Accepts input with or without '=' padding; nullopt on any character outside the alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Percent-encodes everything but the RFC 3986 unreserved characters, so the result is valid both
// in a form body and in a URL query.
std::string UrlEncode(std::string_view text);
// "k1=v1&k2=v2", names and values encoded.
std::string FormBody(const FormFields& fields);
// Appends the fields to a URL that may already carry a query string.
std::string AppendQuery(std::string_view url, const FormFields& fields);

// The login URL without trailing slashes, so "{login}/{tenant}/..." never has "//".
std::string_view TrimTrailingSlashes(std::string_view url);

}  // namespace xdrsync::auth
