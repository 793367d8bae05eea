#include "xdrsync/core/host.h"

#include <gtest/gtest.h>

namespace xdrsync {
namespace {

TEST(HostTest, LoopbackIsReadAsAnAddressNotAsText) {
  for (const char* yes : {"localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.255.1.2", "::1", "[::1]",
                          "0:0:0:0:0:0:0:1", "0::1", "[0:0::0:1]"}) {
    EXPECT_TRUE(IsLoopbackHost(yes)) << yes;
  }
  for (const char* no : {"127.evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "127.1",
                         "127.0.0.256", "127.0.0.1:80", "1270.0.0.1", "::2", "::", "1::1", "::ffff:127.0.0.1",
                         "[::1", "::1::", "0:0:0:0:0:0:0:0:1", "", "10.0.0.1", "evil-localhost"}) {
    EXPECT_FALSE(IsLoopbackHost(no)) << no;
  }
}

}  // namespace
}  // namespace xdrsync
