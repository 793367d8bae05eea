#include "xdrsync/engine/poll_schedule.h"

#include <gtest/gtest.h>

#include <vector>

namespace xdrsync::engine {
namespace {

CycleReport Busy() {
  CycleReport r;
  r.writes_planned = 2;
  r.writes_done = 2;
  return r;
}
CycleReport Quiet() { return CycleReport{}; }
CycleReport Carrying() {
  CycleReport r = Busy();
  r.carried = 40;
  return r;
}
CycleReport Failing() {
  CycleReport r;
  r.status = Status(Code::kUnavailable, "graph: 503");
  return r;
}

struct Step {
  CycleReport report;
  bool may_hurry;
  int64_t wait_ms;
};

struct Case {
  const char* name;
  int64_t interval, floor;
  std::vector<Step> steps;
};

TEST(PollScheduleTest, FasterWhileChangesFlowNeverSlowerThanTheInterval) {
  CycleReport held = Busy();
  held.held = true;
  CycleReport failed_writes = Busy();
  failed_writes.writes_failed = 1;
  const std::vector<Case> cases = {
      {"changes bring the floor; idle cycles double the wait back up to the interval", 15, 5,
       {{Quiet(), true, 15'000}, {Busy(), true, 5'000}, {Busy(), true, 5'000}, {Quiet(), true, 10'000},
        {Quiet(), true, 15'000}, {Quiet(), true, 15'000}}},
      {"the doubling stops at the interval, not at a power of two", 7, 2,
       {{Busy(), true, 2'000}, {Quiet(), true, 4'000}, {Quiet(), true, 7'000}, {Quiet(), true, 7'000}}},
      {"a change during the slow-down goes back to the floor", 60, 1,
       {{Busy(), true, 1'000}, {Quiet(), true, 2'000}, {Quiet(), true, 4'000}, {Busy(), true, 1'000},
        {Quiet(), true, 2'000}}},
      {"no room in the read budgets: the interval, busy or not", 15, 5,
       {{Busy(), false, 15'000}, {Busy(), true, 5'000}, {Quiet(), false, 15'000}, {Quiet(), true, 15'000}}},
      {"carried writes go on at once, then the pace of a busy link", 15, 5,
       {{Carrying(), true, 0}, {Quiet(), true, 10'000}, {Carrying(), false, 0}, {Quiet(), true, 15'000}}},
      {"failed writes retry after a second", 15, 5,
       {{failed_writes, true, 1'000}, {Quiet(), true, 10'000}}},
      {"a failing link or a held mass change waits the interval and starts over", 15, 5,
       {{Busy(), true, 5'000}, {Failing(), true, 15'000}, {Quiet(), true, 15'000}, {Busy(), true, 5'000},
        {held, true, 15'000}, {Quiet(), true, 15'000}}},
      {"a floor above the interval is the interval", 10, 30, {{Busy(), true, 10'000}, {Quiet(), true, 10'000}}},
      {"a floor of 0 is no adaptation", 10, 0, {{Busy(), true, 10'000}, {Quiet(), true, 10'000}}},
      {"a floor equal to the interval is no adaptation", 2, 2, {{Busy(), true, 2'000}, {Quiet(), true, 2'000}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PollSchedule schedule(c.interval, c.floor);
    for (size_t i = 0; i < c.steps.size(); ++i) {
      SCOPED_TRACE("step " + std::to_string(i));
      const int64_t wait = schedule.After(c.steps[i].report, c.steps[i].may_hurry);
      EXPECT_EQ(wait, c.steps[i].wait_ms);
      EXPECT_LE(wait, c.interval * 1000) << "never slower than the configured interval";
    }
  }
}

TEST(PollScheduleTest, ALinkThatDidNotRunWaitsTheIntervalAndLosesItsPace) {
  PollSchedule schedule(15, 5);
  EXPECT_EQ(schedule.After(Busy(), true), 5'000);
  EXPECT_EQ(schedule.Idle(), 15'000);
  EXPECT_EQ(schedule.After(Quiet(), true), 15'000);
}

}  // namespace
}  // namespace xdrsync::engine
