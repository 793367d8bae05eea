// The fixture every end-to-end test shares: a temp dir, the emulator binary on port 0 seeded with
// the tenants, workspace and app registrations below, a JSON config pointing the daemon at it, and
// a way to run the real `xdrsync` binary on that config.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "emulator_process.h"

namespace xdrsync::integration {

inline constexpr const char* kContoso = "8a3c2b1e-0d4f-4c6a-9b7e-1f2a3b4c5d6e";   // Defender tenant
inline constexpr const char* kFabrikam = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";  // second Defender tenant
inline constexpr const char* kSoc = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";       // the workspace's tenant
inline constexpr const char* kSubscription = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
inline constexpr const char* kClientId = "3f4e5d6c-7b8a-4901-a2b3-c4d5e6f7a8b9";
inline constexpr const char* kSecret = "integration-secret-5b1f0c";
inline constexpr const char* kSecretEnv = "XDRSYNC_IT_SECRET";
inline constexpr const char* kWorkspace = "soc-ws";

class SyncTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Polls `done` every 100 ms for up to `limit`; its last answer.
  template <typename Pred>
  static bool WaitFor(Pred done, std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }

  // The default scenario: tenants contoso, fabrikam and soc, the azure-portal workspace soc-ws in
  // soc, one app per tenant (kClientId / kSecret). Tests may edit it before StartEmulator.
  static nlohmann::json DefaultScenario();
  // The time of day, in seconds, of an emulator timestamp ("2026-12-07T15:03:09.2266019Z").
  static double SecondsOfDay(const std::string& t) {
    if (t.size() < 19) return 0;
    return std::stoi(t.substr(11, 2)) * 3600.0 + std::stoi(t.substr(14, 2)) * 60.0 + std::stod(t.substr(17));
  }
  // The default scenario with soc-ws onboarded to the Defender portal, owned by `tenant`, and the
  // soc tenant's app holding `soc_roles` on Graph.
  static nlohmann::json OnboardedScenario(const std::string& tenant, const nlohmann::json& soc_roles);
  // Starts the emulator (rate limits off unless asked) and builds the default config.
  void StartEmulator(const nlohmann::json& scenario = DefaultScenario(), bool rate_limits = false);

  // Config pieces: a Defender tenant / workspace / mirror link pointed at the emulator.
  nlohmann::json Tenant(const std::string& name, const std::string& tenant_id) const;
  nlohmann::json Workspace(const std::string& name, const std::string& workspace, const std::string& tenant_id,
                           const std::string& portal) const;
  static nlohmann::json Link(const std::string& name, const std::string& defender, const std::string& sentinel);

  // Runs `xdrsync --config <config_> <args...>` (the config written fresh to the temp dir).
  ProcessResult Xdrsync(const std::vector<std::string>& args,
                        std::chrono::milliseconds timeout = std::chrono::seconds(90));
  // `once`, expecting exit 0; returns the result for further checks.
  ProcessResult Once();
  // Starts `xdrsync run` in the background.
  std::unique_ptr<ChildProcess> StartDaemon();
  std::string WriteConfig() const;

  // The twin of Defender incident `id` of `tenant` in the workspace, by its deterministic name.
  nlohmann::json Twin(const std::string& id, const std::string& tenant = kContoso) const;
  // Non-GET, non-token requests made since the request log was last cleared.
  std::vector<nlohmann::json> WritesSinceClear() const;

  std::string dir_;
  nlohmann::json config_;
  std::unique_ptr<EmulatorProcess> emu_;
  int runs_ = 0;
};

// Helpers over the emulator's JSON.
// The string at a JSON pointer, "" when absent or null (other types as their JSON text).
std::string Str(const nlohmann::json& j, const std::string& pointer);
std::vector<std::string> LabelNames(const nlohmann::json& arm_incident);
bool HasLabel(const nlohmann::json& arm_incident, const std::string& label);
std::vector<std::string> CommentTexts(const nlohmann::json& graph_incident);   // Defender comments
std::vector<std::string> ArmCommentTexts(const nlohmann::json& arm_incident);  // from the world dump
size_t CountContaining(const std::vector<std::string>& texts, const std::string& needle);
std::string FreePort();

}  // namespace xdrsync::integration
