// The xdrsync-emulator binary: prints its port, serves the seeded scenario, stops on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "emulator.h"
#include "test_http_client.h"

namespace xdrsync::emulator::testing {
namespace {

TEST(EmulatorCli, PrintsThePortServesTheSeedFileAndStopsOnSigterm) {
  std::string seed = ::testing::TempDir() + "emulator_cli_seed.json";
  std::ofstream(seed) << R"({"defender_incidents":[{"tenant":"t1","displayName":"seeded"}]})";
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl(XDRSYNC_EMULATOR_BINARY, XDRSYNC_EMULATOR_BINARY, "--port", "0", "--tenants", "t1,t2",
          "--workspaces", "t1/sub1/rg1/ws1:onboarded", "--seed-file", seed.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  FILE* stream = fdopen(out[0], "r");
  char line[256] = {0};
  ASSERT_NE(fgets(line, sizeof(line), stream), nullptr);
  std::string text(line);
  ASSERT_EQ(text.rfind("listening on http://127.0.0.1:", 0), 0u) << text;
  int port = std::stoi(text.substr(text.rfind(':') + 1));
  TestHttpClient client(port);
  auto state = client.Get("/_control/state");
  ASSERT_EQ(state.status, 200);
  auto world = state.Json()["world"];
  EXPECT_EQ(world["tenants"]["t1"]["incidents"][0]["displayName"], "seeded");
  EXPECT_EQ(world["workspaces"]["ws1"]["incidents"].size(), 1u);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  fclose(stream);
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
