// The daemon loop around a real LinkRunner (in-memory services, a real state file) with a sleeper
// that moves the fake clock: the waits it chose between cycles are the poll schedule.
#include <functional>

#include "engine_fixture.h"
#include "xdrsync/engine/daemon.h"

namespace xdrsync::engine::testing {
namespace {

// Records each wait, moves the clock by it, runs `during` inside the wait (an analyst's change
// made while the link sleeps) and stops the daemon after `limit` waits.
class ScriptedSleeper final : public Sleeper {
 public:
  ScriptedSleeper(FakeClock& clock, size_t limit) : clock_(clock), limit_(limit) {}
  bool Sleep(int64_t millis) override {
    delays.push_back(millis);
    clock_.Set(clock_.Now().PlusTicks(millis * (Timestamp::kTicksPerSecond / 1000)));
    if (during) during(delays.size() - 1);
    stopping_ = delays.size() >= limit_;
    return !stopping_;
  }
  bool stopping() const override { return stopping_; }

  std::vector<int64_t> delays;
  std::function<void(size_t wait)> during;

 private:
  FakeClock& clock_;
  size_t limit_;
  bool stopping_ = false;
};

class DaemonTest : public EngineTest {
 protected:
  // Runs the daemon over this link for `waits` waits; a Defender status change is made during
  // wait number `change_at`.
  std::vector<int64_t> Run(size_t waits, size_t change_at, std::function<bool(const std::string&)> may_hurry = {}) {
    ScriptedSleeper sleeper(clock, waits);
    sleeper.during = [&](size_t wait) {
      if (wait != change_at) return;
      defender.Edit("1", [](domain::DefenderIncident& d) { d.status = domain::ParseDStatus("inProgress"); });
    };
    DaemonOptions options;
    options.poll_interval_seconds = 8;
    options.min_poll_seconds = 1;
    options.may_hurry = std::move(may_hurry);
    Daemon daemon({runner.get()}, options, sleeper, clock, log, {});
    daemon.Run();
    return sleeper.delays;
  }
};

TEST_F(DaemonTest, ALinkPollsFasterWhileItsChangesFlowAndSlowsBackToTheInterval) {
  defender.Add("1").assigned_to = "alice@contoso.com";
  const std::vector<int64_t> delays = Run(14, 8);
  ASSERT_EQ(delays.size(), 14u);
  EXPECT_EQ(delays[0], 1'000) << "the first cycle made a twin: the next comes after the floor";
  for (int64_t d : delays) EXPECT_LE(d, 8'000) << "never slower than the interval";
  EXPECT_EQ(delays[7], 8'000) << "settled: back at the interval before the change";
  // The change made during wait 8 is found by the cycle after it: the floor, then doubling.
  EXPECT_EQ(std::vector<int64_t>(delays.begin() + 9, delays.end()),
            (std::vector<int64_t>{1'000, 2'000, 4'000, 8'000, 8'000}));
  EXPECT_EQ(WireText(sentinel.Peek(TwinName("1")).status), "Active");
}

TEST_F(DaemonTest, WithoutRoomInTheReadBudgetsTheLinkKeepsTheInterval) {
  defender.Add("1").assigned_to = "alice@contoso.com";
  size_t asked = 0;
  const std::vector<int64_t> delays = Run(6, 2, [&](const std::string& link) {
    EXPECT_EQ(link, "contoso");
    ++asked;
    return false;
  });
  EXPECT_EQ(delays, (std::vector<int64_t>(6, 8'000)));
  EXPECT_EQ(asked, 6u);
  EXPECT_EQ(WireText(sentinel.Peek(TwinName("1")).status), "Active");
}

}  // namespace
}  // namespace xdrsync::engine::testing
