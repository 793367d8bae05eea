// Absolute-URL splitting shared by the adapter and the decorators. Deliberately small: it reads the
// scheme and authority only, and leaves path and query to the caller untouched.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "xdrsync/core/host.h"

namespace xdrsync::http {

struct UrlParts {
  std::string scheme;  // lower-case
  std::string host;    // lower-case, without IPv6 brackets
  int port = 0;        // explicit or the scheme's default
  bool explicit_port = false;
  std::string origin;  // scheme://authority, as cpprest's base URI (userinfo dropped)
  std::string resource;  // path, query and fragment; "/" when empty
};

// nullopt when the text is not an absolute http(s)-style URL with a host and a valid port.
std::optional<UrlParts> ParseUrl(std::string_view url);


}  // namespace xdrsync::http
