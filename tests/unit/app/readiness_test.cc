#include "xdrsync/app/readiness.h"

#include <gtest/gtest.h>

namespace xdrsync::app {
namespace {

TEST(ReadinessTest, PublicReasonKeepsTheCategoryAndDropsTheServiceText) {
  EXPECT_EQ(PublicReadinessReason("unauthenticated: tenant 8a3c2b1e-0d4f: AADSTS7000215 invalid secret (request "
                                  "id 1b2c)"),
            "unauthenticated");
  EXPECT_EQ(PublicReadinessReason("last success 2026-12-06T10:00:00Z: unavailable: GET graph.example: reset"),
            "last success 2026-12-06T10:00:00Z: unavailable");
  EXPECT_EQ(PublicReadinessReason("no successful cycle yet"), "no successful cycle yet");
  EXPECT_EQ(PublicReadinessReason("held by the mass-change valve; run `xdrsync plan`"),
            "held by the mass-change valve; run `xdrsync plan`");
  EXPECT_EQ(PublicReadinessReason(""), "");
}

TEST(ReadinessTest, AStateThatCannotBeWrittenIsNamedWithoutItsPath) {
  EXPECT_EQ(PublicReadinessReason("state not writable: resource_exhausted: state store /var/lib/xdrsync/state.db: "
                                  "RecordDecision: database or disk is full (No space left on device)"),
            "state not writable");
}

}  // namespace
}  // namespace xdrsync::app
