// The xdrsync-emulator binary: prints its port, serves the seeded scenario, stops on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "emulator.h"
#include "emulator_child.h"
#include "test_http_client.h"

namespace xdrsync::emulator::testing {
namespace {

TEST(EmulatorCli, PrintsThePortServesTheSeedFileAndStopsOnSigterm) {
  std::string seed = ::testing::TempDir() + "emulator_cli_seed.json";
  std::ofstream(seed) << R"({"defender_incidents":[{"tenant":"t1","displayName":"seeded"}]})";
  EmulatorChild child({"--port", "0", "--tenants", "t1,t2", "--workspaces", "t1/sub1/rg1/ws1:onboarded",
                       "--seed-file", seed});
  ASSERT_GT(child.pid, 0);
  std::string text = child.Line();
  ASSERT_EQ(text.rfind("listening on http://127.0.0.1:", 0), 0u) << text;
  int port = std::stoi(text.substr(text.rfind(':') + 1));
  TestHttpClient client(port);
  auto state = client.Get("/_control/state");
  ASSERT_EQ(state.status, 200);
  auto world = state.Json()["world"];
  EXPECT_EQ(world["tenants"]["t1"]["incidents"][0]["displayName"], "seeded");
  EXPECT_EQ(world["workspaces"]["ws1"]["incidents"].size(), 1u);
  int status = child.Stop();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(EmulatorCli, ShippedDemoScenarioLoads) {
  std::ifstream in(std::string(XDRSYNC_EMULATOR_SCENARIOS) + "/demo.json");
  nlohmann::json scenario = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(scenario.is_discarded());
  EmulatorOptions options;
  options.scenario = scenario;
  std::string error;
  auto emulator = Emulator::Start(options, &error);
  ASSERT_TRUE(emulator) << error;
  nlohmann::json state = emulator->world().Dump();
  EXPECT_EQ(state["tenants"]["contoso"]["incidents"].size(), 3u);
  // fabrikam is onboarded: its Defender incident plus the analytics-rule one, twinned.
  EXPECT_EQ(state["workspaces"]["fabrikam-sentinel"]["incidents"].size(), 2u);
  EXPECT_EQ(state["tenants"]["fabrikam"]["incidents"].size(), 2u);
  emulator->Stop();
}

}  // namespace
}  // namespace xdrsync::emulator::testing
