#include "xdrsync/http/proxy.h"

#include <cstdlib>

#include "http/url.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::http {
namespace {

const char* GetEnv(const char* lower, const char* upper) {
  const char* v = std::getenv(lower);
  if (v == nullptr || *v == '\0') v = std::getenv(upper);
  return v == nullptr ? "" : v;
}

// "host:port" → port; "host", "[::1]" or a bare IPv6 address → 0 (any port).
int SplitEntryPort(std::string& entry) {
  if (!entry.empty() && entry.front() == '[') {
    const size_t close = entry.find(']');
    if (close == std::string::npos) return 0;
    const std::string port = close + 1 < entry.size() && entry[close + 1] == ':' ? entry.substr(close + 2) : "";
    entry = entry.substr(1, close - 1);
    return port.empty() ? 0 : std::atoi(port.c_str());
  }
  const size_t colon = entry.find(':');
  if (colon == std::string::npos || entry.find(':', colon + 1) != std::string::npos) return 0;
  const std::string port = entry.substr(colon + 1);
  entry.resize(colon);
  return std::atoi(port.c_str());
}

bool HostMatches(std::string_view pattern, std::string_view host) {
  if (!pattern.empty() && pattern.front() == '.') pattern.remove_prefix(1);
  if (pattern.empty()) return false;
  if (host == pattern) return true;
  return host.size() > pattern.size() && EndsWith(host, pattern) && host[host.size() - pattern.size() - 1] == '.';
}

}  // namespace

Result<ProxySettings> ParseProxySettings(std::string_view proxy_url, std::string_view no_proxy) {
  ProxySettings settings;
  for (const std::string& raw : Split(no_proxy, ',')) {
    const std::string entry = AsciiLower(Trim(raw));
    if (!entry.empty()) settings.no_proxy.push_back(entry);
  }
  const std::string_view text = Trim(proxy_url);
  if (text.empty()) return settings;
  const std::string with_scheme =
      text.find("://") == std::string_view::npos ? "http://" + std::string(text) : std::string(text);
  const auto parts = ParseUrl(with_scheme);
  if (!parts) return InvalidArgument("https_proxy: not a proxy URL (expected http://host:port)");
  if (parts->scheme == "https") {
    return InvalidArgument("https_proxy: an https:// proxy (" + parts->host +
                           ") is not supported; give the proxy as http://host:port (the tunnel to the "
                           "service is still TLS)");
  }
  if (parts->scheme != "http") {
    return InvalidArgument("https_proxy: unsupported proxy scheme '" + parts->scheme + "' for " + parts->host);
  }
  const std::string_view authority = std::string_view(with_scheme).substr(with_scheme.find("://") + 3);
  if (authority.substr(0, authority.find_first_of("/?#")).find('@') != std::string_view::npos) {
    return InvalidArgument("https_proxy: credentials in the proxy URL for " + parts->host +
                           " are not supported");
  }
  settings.url = parts->origin;
  if (!parts->explicit_port) settings.url += ":8080";
  return settings;
}

Result<ProxySettings> ProxySettingsFromEnvironment() {
  return ParseProxySettings(GetEnv("https_proxy", "HTTPS_PROXY"), GetEnv("no_proxy", "NO_PROXY"));
}

bool BypassesProxy(const ProxySettings& settings, std::string_view host, int port) {
  // Loopback and the instance metadata service never go through a proxy (IMDS refuses proxies).
  if (settings.direct() || IsLoopbackHost(host) || host == "169.254.169.254") return true;
  const std::string h = AsciiLower(host);
  for (std::string entry : settings.no_proxy) {
    if (entry == "*") return true;
    const int entry_port = SplitEntryPort(entry);
    if (entry_port != 0 && entry_port != port) continue;
    if (HostMatches(entry, h)) return true;
  }
  return false;
}

}  // namespace xdrsync::http
