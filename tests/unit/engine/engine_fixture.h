// A link wired to in-memory Defender and Sentinel services and a real SQLite state file.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>

#include "fakes/fake_clients.h"
#include "xdrsync/engine/link_runner.h"

namespace xdrsync::engine::testing {

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : clock(Timestamp::FromUnixSeconds(1'780'000'000)), defender(clock, kTenant), sentinel(clock) {
    dir = std::filesystem::temp_directory_path() / ("xdrsync-engine-" + std::to_string(::getpid()) + "-" +
                                                    std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    policy = reconcile::LinkPolicy::Defaults(reconcile::LinkMode::kMirror);
    policy.name = "contoso";
    policy.defender_tenant_id = kTenant;
    policy.digest_min_interval_seconds = 0;
    Reopen();
  }
  ~EngineTest() override { std::filesystem::remove_all(dir); }

  // A new process on the same state file (a restart).
  void Reopen() {
    runner.reset();
    wrapped.reset();
    store.reset();
    auto s = store::OpenStateStore((dir / "state.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(*s);
    creator = MakeArmTwinCreator(sentinel);
    LinkContext ctx;
    ctx.policy = &policy;
    ctx.defender = &defender;
    ctx.sentinel = &sentinel;
    ctx.creator = creator.get();
    ctx.store = store.get();
    if (wrap_store) {
      wrapped = wrap_store(*store);
      ctx.store = wrapped.get();
    }
    ctx.clock = &clock;
    ctx.log = &log;
    ctx.metrics = &metrics;
    ctx.options.max_attempts = max_attempts;
    ctx.options.drain_seconds = drain_seconds;
    runner = std::make_unique<LinkRunner>(ctx);
  }

  CycleReport Cycle(CycleOptions o = {}) {
    clock.Advance(5);
    return runner->RunCycle(o);
  }

  // Cycles until one plans nothing; returns how many it took.
  int Settle(int max = 4) {
    for (int i = 1; i <= max; ++i) {
      auto r = Cycle();
      EXPECT_TRUE(r.status.ok()) << r.status.ToString();
      if (r.settled()) return i;
    }
    ADD_FAILURE() << "not settled";
    return max;
  }

  // An analyst closes the twin as a true positive.
  void CloseTwinAsTruePositive(const std::string& twin) {
    sentinel.Edit(twin, [](domain::SentinelIncident& s) {
      s.status = domain::ParseSStatus("Closed");
      s.classification = domain::ParseSClassification("TruePositive");
      s.classification_reason = domain::ParseSReason("SuspiciousActivity");
    });
  }

  std::string TwinName(const std::string& defender_id) {
    auto p = store->PairByDefenderId("contoso", defender_id);
    return p.ok() && *p ? (*p)->sentinel_id : "";
  }

  static constexpr const char* kTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  FakeClock clock;
  xdrsync::testing::FakeDefender defender;
  xdrsync::testing::FakeSentinel sentinel;
  reconcile::LinkPolicy policy;
  MemoryLogger log;
  Metrics metrics;
  std::filesystem::path dir;
  int max_attempts = 8;
  int64_t drain_seconds = 0;
  std::unique_ptr<store::StateStore> store;
  // When set, the runner sees the store through what this makes of it (a counting decorator).
  std::function<std::unique_ptr<store::StateStore>(store::StateStore&)> wrap_store;
  std::unique_ptr<store::StateStore> wrapped;
  std::unique_ptr<TwinCreator> creator;
  std::unique_ptr<LinkRunner> runner;
};

}  // namespace xdrsync::engine::testing
