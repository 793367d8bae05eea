#include "xdrsync/http/transport.h"

#include <cstring>

#include "http/url.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::http {
namespace {

std::optional<int> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + (c - '0');
  }
  if (port == 0 || port > 65535) return std::nullopt;
  return port;
}

}  // namespace

std::optional<UrlParts> ParseUrl(std::string_view url) {
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  UrlParts parts;
  parts.scheme = AsciiLower(url.substr(0, colon));
  for (char c : parts.scheme) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
      return std::nullopt;
    }
  }
  const std::string_view rest = url.substr(colon + 3);
  const size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  parts.resource = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (!parts.resource.empty() && parts.resource.front() != '/') parts.resource.insert(0, "/");
  // Userinfo never reaches the origin: credentials in URLs are not something we send.
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);

  std::string_view host = authority;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
    }
  } else if (const size_t c = authority.rfind(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port_text = authority.substr(c + 1);
  }
  if (host.empty()) return std::nullopt;
  parts.host = AsciiLower(host);
  if (!port_text.empty()) {
    const auto port = ParsePort(port_text);
    if (!port) return std::nullopt;
    parts.port = *port;
    parts.explicit_port = true;
  } else if (parts.scheme == "https") {
    parts.port = 443;
  } else if (parts.scheme == "http") {
    parts.port = 80;
  }
  const bool v6 = parts.host.find(':') != std::string::npos;
  parts.origin = parts.scheme + "://" + (v6 ? "[" + parts.host + "]" : parts.host);
  if (!port_text.empty()) parts.origin += ":" + std::to_string(parts.port);
  return parts;
}

bool IsLoopbackUrl(std::string_view url) {
  const auto parts = ParseUrl(url);
  return parts && IsLoopbackHost(parts->host);
}

std::string HostOf(std::string_view url) {
  const auto parts = ParseUrl(url);
  return parts ? parts->host : std::string();
}

std::string Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

std::string Response::RequestId() const {
  std::string id = Header("x-ms-request-id");
  return id.empty() ? Header("request-id") : id;
}

}  // namespace xdrsync::http
