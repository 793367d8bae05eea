// Outbound proxy settings. cpprestsdk ignores https_proxy/no_proxy, so we read and apply them
// ourselves: one http:// proxy for https:// origins, bypassed per host by the no_proxy list.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/core/status.h"

namespace xdrsync::http {

struct ProxySettings {
  // "http://host:port", or "" for direct connections. A proxy given without a port gets 8080,
  // cpprestsdk's own assumption, made explicit here.
  std::string url;
  // Lower-case no_proxy entries: "*", "host", ".suffix", "host:port", or an IP address.
  std::vector<std::string> no_proxy;

  bool direct() const { return url.empty(); }
};

// Parses a proxy URL (scheme optional, http:// assumed) and a comma-separated no_proxy list.
// kInvalidArgument for an https:// proxy (cpprestsdk cannot speak TLS to a proxy), a proxy URL with
// credentials (cpprestsdk leaks them in memory), another scheme, or no host. Messages name the
// environment variable and the proxy host, never credentials.
Result<ProxySettings> ParseProxySettings(std::string_view proxy_url, std::string_view no_proxy);

// From https_proxy (else HTTPS_PROXY) and no_proxy (else NO_PROXY).
Result<ProxySettings> ProxySettingsFromEnvironment();

// True when a connection to host:port goes direct. Matching follows curl: "*" matches everything;
// "example.com" and ".example.com" both match example.com and any subdomain, on a label boundary;
// an entry with ":port" matches that port only; IP addresses match exactly (no CIDR ranges).
// Loopback hosts always go direct.
bool BypassesProxy(const ProxySettings& settings, std::string_view host, int port);

}  // namespace xdrsync::http
