// Shared fixture: an in-process emulator on port 0 with two tenants and two workspaces
// (ws1 in t1, not onboarded; wsx in t2, onboarded to the Defender portal), plus helpers that
// talk to it over HTTP.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "emulator.h"
#include "test_http_client.h"

namespace xdrsync::emulator::testing {

inline constexpr char kApi[] = "api-version=2025-09-01";

class EmulatorFixture : public ::testing::Test {
 protected:
  virtual EmulatorOptions MakeOptions() {
    EmulatorOptions o;
    o.seed = 42;
    o.tenants = {"t1", "t2"};
    o.workspaces = {{"t1", "sub1", "rg1", "ws1", false}, {"t2", "sub2", "rg2", "wsx", true}};
    o.limits.enabled = false;
    return o;
  }

  void SetUp() override {
    std::string error;
    emu_ = Emulator::Start(MakeOptions(), &error);
    ASSERT_TRUE(emu_) << error;
    http_ = std::make_unique<TestHttpClient>(emu_->port());
  }

  void TearDown() override {
    if (emu_) emu_->Stop();
  }

  // A token from the real token endpoint (client secret flow).
  std::string Token(const std::string& tenant, const std::string& scope) {
    auto r = http_->Send("POST", "/" + tenant + "/oauth2/v2.0/token",
                         {{"Content-Type", "application/x-www-form-urlencoded"}},
                         "grant_type=client_credentials&client_id=xdrsync-app&client_secret=xdrsync-secret&scope=" +
                             Encode(scope));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("access_token", "");
  }
  std::string GraphToken(const std::string& tenant = "t1") {
    return Token(tenant, "https://graph.microsoft.com/.default");
  }
  std::string ArmToken(const std::string& tenant = "t1") {
    return Token(tenant, "https://management.azure.com/.default");
  }

  nlohmann::json Control(const std::string& method, const std::string& path,
                         const nlohmann::json& body = nlohmann::json::object()) {
    auto r = http_->SendJson(method, "/_control" + path, body);
    EXPECT_LT(r.status, 300) << method << " " << path << ": " << r.body;
    return r.Json();
  }

  static std::string Incidents(const std::string& ws = "ws1") {
    if (ws == "wsx") {
      return "/subscriptions/sub2/resourceGroups/rg2/providers/Microsoft.OperationalInsights/workspaces/wsx"
             "/providers/Microsoft.SecurityInsights/incidents";
    }
    return "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.OperationalInsights/workspaces/" + ws +
           "/providers/Microsoft.SecurityInsights/incidents";
  }

  static nlohmann::json ArmBody(const std::string& title, const std::string& status = "New",
                                const std::string& etag = "") {
    nlohmann::json b = {{"properties", {{"title", title}, {"severity", "Medium"}, {"status", status}}}};
    if (!etag.empty()) b["etag"] = etag;
    return b;
  }

  std::unique_ptr<Emulator> emu_;
  std::unique_ptr<TestHttpClient> http_;
};

}  // namespace xdrsync::emulator::testing
