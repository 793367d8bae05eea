#include "xdrsync/http/transport.h"

#include <gtest/gtest.h>

#include <set>

#include "xdrsync/core/uuid.h"

namespace xdrsync::http {
namespace {

TEST(Transport, LoopbackUrls) {
  struct Case {
    const char* url;
    bool loopback;
  };
  const Case cases[] = {
      {"http://127.0.0.1:8080/x", true},
      {"http://127.45.3.2/", true},
      {"http://localhost:9/", true},
      {"http://LOCALHOST/", true},
      {"http://[::1]:8080/x", true},
      {"http://user@127.0.0.1/", true},
      {"https://graph.microsoft.com/v1.0", false},
      {"http://128.0.0.1/", false},
      {"http://127.0.0.1.evil.com/", false},
      {"http://localhost.evil.com/", false},
      {"http://[::2]/", false},
      {"http://127.0.0.1@evil.com/", false},
      {"not a url", false},
      {"", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    EXPECT_EQ(IsLoopbackUrl(c.url), c.loopback);
  }
}

TEST(Transport, HostOf) {
  EXPECT_EQ(HostOf("https://Graph.Microsoft.com/v1.0/security?x=1"), "graph.microsoft.com");
  EXPECT_EQ(HostOf("https://management.azure.com:443"), "management.azure.com");
  EXPECT_EQ(HostOf("http://[::1]:9/x"), "::1");
  EXPECT_EQ(HostOf("https://user:pw@host.example/"), "host.example");
  EXPECT_EQ(HostOf("/relative"), "");
  EXPECT_EQ(HostOf("https://host:99999/"), "");
  EXPECT_EQ(HostOf("https:///path"), "");
}

TEST(Transport, HeaderLookupIsCaseInsensitiveAndFirstWins) {
  Response r;
  r.headers = {{"retry-after", "5"}, {"Retry-After", "9"}, {"request-id", "graph-1"}};
  EXPECT_EQ(r.Header("RETRY-AFTER"), "5");
  EXPECT_EQ(r.Header("missing"), "");
  EXPECT_EQ(r.RequestId(), "graph-1");
  r.headers.emplace_back("x-ms-request-id", "arm-1");
  EXPECT_EQ(r.RequestId(), "arm-1");
}

TEST(Transport, ClientRequestIdsAreDistinctVersion4Uuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewClientRequestId();
    auto uuid = Uuid::Parse(id);
    ASSERT_TRUE(uuid.ok()) << id;
    EXPECT_EQ(uuid->bytes()[6] >> 4, 4);
    EXPECT_EQ(uuid->bytes()[8] >> 6, 2);
    EXPECT_EQ(uuid->ToString(), id);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Request, OnlyGetIsARead) {
  Request r;
  r.method = "GET";
  EXPECT_FALSE(r.is_write());
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE"}) {
    r.method = m;
    EXPECT_TRUE(r.is_write()) << m;
  }
}

}  // namespace
}  // namespace xdrsync::http
