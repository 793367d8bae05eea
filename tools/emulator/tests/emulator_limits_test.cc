// Rate limits: the per-tenant Graph budget and the ARM token bucket, with their headers,
// refilled by the emulator clock rather than by sleeping.
#include "emulator_fixture.h"

namespace xdrsync::emulator::testing {
namespace {

using nlohmann::json;

class EmulatorLimits : public EmulatorFixture {
 protected:
  EmulatorOptions MakeOptions() override {
    EmulatorOptions o = EmulatorFixture::MakeOptions();
    o.limits.enabled = true;
    o.limits.graph = {3, 0.5};
    o.limits.arm_reads = {4, 2};
    o.limits.arm_writes = {2, 1};
    return o;
  }
  void SetUp() override {
    EmulatorFixture::SetUp();
    emu_->clock().Freeze(true);
  }
};

TEST_F(EmulatorLimits, GraphBudgetIsPerTenantAndAnswers429WithDecimalRetryAfter) {
  std::string t1 = GraphToken("t1");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(http_->Get("/v1.0/security/incidents", t1).status, 200);
  auto throttled = http_->Get("/v1.0/security/incidents", t1);
  ASSERT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.Header("retry-after"), "2.000");
  EXPECT_EQ(throttled.Json()["error"]["code"], "TooManyRequests");
  EXPECT_EQ(http_->Get("/v1.0/security/incidents", GraphToken("t2")).status, 200);
  emu_->clock().Advance(std::chrono::seconds(2));
  EXPECT_EQ(http_->Get("/v1.0/security/incidents", t1).status, 200);
}

TEST_F(EmulatorLimits, ArmBucketsForReadsAndWritesWithRemainingHeaders) {
  std::string arm = ArmToken();
  auto first = http_->Get(Incidents() + "?" + kApi, arm);
  EXPECT_EQ(first.Header("x-ms-ratelimit-remaining-subscription-reads"), "3");
  EXPECT_EQ(first.Header("x-ms-ratelimit-remaining-subscription-global-reads"), "59");
  for (int i = 0; i < 3; ++i) http_->Get(Incidents() + "?" + kApi, arm);
  auto throttled = http_->Get(Incidents() + "?" + kApi, arm);
  ASSERT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.Header("retry-after"), "1");
  auto put = http_->SendJson("PUT", Incidents() + "/a?" + kApi, ArmBody("a"), arm);
  EXPECT_EQ(put.status, 201);
  EXPECT_EQ(put.Header("x-ms-ratelimit-remaining-subscription-writes"), "1");
  http_->SendJson("PUT", Incidents() + "/b?" + kApi, ArmBody("b"), arm);
  EXPECT_EQ(http_->SendJson("PUT", Incidents() + "/c?" + kApi, ArmBody("c"), arm).status, 429);
  emu_->clock().Advance(std::chrono::milliseconds(500));
  EXPECT_EQ(http_->Get(Incidents() + "?" + kApi, arm).status, 200);
}

}  // namespace
}  // namespace xdrsync::emulator::testing
