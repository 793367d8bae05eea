// The shipped example must stay valid: operators start from it.
#include <gtest/gtest.h>

#include "xdrsync/app/config.h"

namespace xdrsync::app {
namespace {

TEST(ConfigExampleTest, ExampleFileParses) {
  auto r = LoadConfig(std::string(XDRSYNC_SOURCE_DIR) + "/config/xdrsync.example.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_GE(r->defender_tenants.size(), 2u);
  EXPECT_GE(r->sentinel_workspaces.size(), 1u);
  EXPECT_GE(r->links.size(), 2u);
  for (const auto& link : r->links) {
    EXPECT_NE(r->FindTenant(link.defender), nullptr);
    EXPECT_NE(r->FindWorkspace(link.sentinel), nullptr);
  }
}

}  // namespace
}  // namespace xdrsync::app
