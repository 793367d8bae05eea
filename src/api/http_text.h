// Private to src/api: the small pieces of HTTP text both clients need — query and path encoding,
// URL parts, the Date header, reason phrases and the status-to-code table of clients.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "xdrsync/core/status.h"
#include "xdrsync/core/timestamp.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::api::detail {

// Percent-encodes a query parameter value. Unreserved characters and the OData punctuation Graph
// and ARM read literally (' ( ) : , / @ ! $ *) stay; a space becomes %20 and '+' becomes %2B, so a
// "+02:00" offset or a name with '&' survives the trip.
std::string EncodeQueryValue(std::string_view value);
// Percent-encodes one path segment (an incident or comment id): only unreserved characters stay.
std::string EncodePathSegment(std::string_view segment);
// An OData string literal: quotes doubled, then wrapped in quotes ("it's" -> 'it''s').
std::string ODataString(std::string_view value);

// "https://h:1/v1.0/a?b#c" -> "/v1.0/a"; "" when the URL has no path.
std::string UrlPath(std::string_view url);
// "HTTPS://Host:1/x" -> "https://host:1"; "" when the URL is not absolute.
std::string UrlOrigin(std::string_view url);
// The base URL without trailing slashes.
std::string TrimTrailingSlash(std::string_view url);

// An RFC 1123 HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"); nullopt when it is not one.
std::optional<Timestamp> ParseHttpDate(std::string_view text);

// "Forbidden" for 403; "" for a status without a standard phrase.
std::string_view ReasonPhrase(int status);
// clients.h: 401 kUnauthenticated, 403 kPermissionDenied, 404 kNotFound, 409/412 kConflict,
// 429 kResourceExhausted, 5xx kUnavailable, any other non-2xx kInvalidArgument.
Code CodeForHttpStatus(int status);

// First header of that name, case-insensitively ("" when absent). Kept here rather than using
// Response::Header so this target does not depend on the transport's implementation library.
std::string HeaderValue(const http::Headers& headers, std::string_view name);

// Lower-cased `haystack` contains lower-cased `needle`.
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle);

}  // namespace xdrsync::api::detail
