#include "xdrsync/http/proxy.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace xdrsync::http {
namespace {

TEST(ParseProxySettings, AcceptsHttpProxiesAndDefaultsThePort) {
  auto p = ParseProxySettings("http://proxy.corp:3128", "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->url, "http://proxy.corp:3128");
  EXPECT_EQ(ParseProxySettings("proxy.corp:3128", "")->url, "http://proxy.corp:3128");
  EXPECT_EQ(ParseProxySettings("http://proxy.corp/", "")->url, "http://proxy.corp:8080");
  EXPECT_TRUE(ParseProxySettings("", "")->direct());
  EXPECT_TRUE(ParseProxySettings("  ", "")->direct());
}

TEST(ParseProxySettings, RefusesHttpsProxiesCredentialsAndOtherSchemes) {
  auto https = ParseProxySettings("https://proxy.corp:443", "");
  ASSERT_FALSE(https.ok());
  EXPECT_EQ(https.status().code(), Code::kInvalidArgument);
  EXPECT_NE(https.status().message().find("https://"), std::string::npos);
  EXPECT_NE(https.status().message().find("proxy.corp"), std::string::npos);

  auto creds = ParseProxySettings("http://alice:hunter2@proxy.corp:3128", "");
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().message().find("hunter2"), std::string::npos);

  EXPECT_FALSE(ParseProxySettings("socks5://proxy.corp:1080", "").ok());
  EXPECT_FALSE(ParseProxySettings("http://:3128", "").ok());
}

TEST(BypassesProxy, NoProxyMatching) {
  const auto p = ParseProxySettings("http://proxy:3128", " Example.com, .corp.local ,10.1.2.3,api.internal:8443,,").value();
  struct Case {
    const char* host;
    int port;
    bool direct;
  };
  const Case cases[] = {
      {"example.com", 443, true},
      {"www.example.com", 443, true},
      {"notexample.com", 443, false},
      {"example.com.evil", 443, false},
      {"corp.local", 443, true},
      {"a.b.corp.local", 443, true},
      {"10.1.2.3", 443, true},
      {"10.1.2.30", 443, false},
      {"api.internal", 8443, true},
      {"api.internal", 443, false},
      {"graph.microsoft.com", 443, false},
      {"127.0.0.1", 443, true},
      {"localhost", 80, true},
      {"169.254.169.254", 80, true},  // the instance metadata service refuses proxies
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.host + std::string(":") + std::to_string(c.port));
    EXPECT_EQ(BypassesProxy(p, c.host, c.port), c.direct);
  }
  EXPECT_TRUE(BypassesProxy(ParseProxySettings("http://proxy:3128", "*").value(), "graph.microsoft.com", 443));
  EXPECT_TRUE(BypassesProxy(ProxySettings{}, "graph.microsoft.com", 443));
}

TEST(ProxySettingsFromEnvironment, ReadsLowerCaseFirst) {
  const char* names[] = {"https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"};
  std::vector<std::pair<std::string, std::string>> saved;
  for (const char* n : names) {
    if (const char* v = std::getenv(n)) saved.emplace_back(n, v);
    ::unsetenv(n);
  }
  ::setenv("HTTPS_PROXY", "http://upper:1", 1);
  ::setenv("https_proxy", "http://lower:2", 1);
  ::setenv("NO_PROXY", "internal.example", 1);
  auto p = ProxySettingsFromEnvironment();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->url, "http://lower:2");
  EXPECT_TRUE(BypassesProxy(*p, "svc.internal.example", 443));

  ::setenv("https_proxy", "https://secure-proxy:443", 1);
  EXPECT_EQ(ProxySettingsFromEnvironment().status().code(), Code::kInvalidArgument);

  for (const char* n : names) ::unsetenv(n);
  for (const auto& [n, v] : saved) ::setenv(n.c_str(), v.c_str(), 1);
}

}  // namespace
}  // namespace xdrsync::http
