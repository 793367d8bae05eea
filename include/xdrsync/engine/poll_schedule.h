// Adaptive polling of one link: how long to wait after a cycle before the next one.
//
// While a link's cycles find something to propagate, the next cycle comes after the floor
// (`min_poll_seconds`): an analyst's follow-up changes (a status, then a classification, then a
// comment) come seconds apart. After an idle cycle the wait doubles, back up to the configured
// interval, which is the upper bound: the schedule never waits longer than the interval. A cycle
// hurries only when the link's read budgets have room (`may_hurry`): a faster poll then never
// makes the link's list calls queue behind the budget (they cannot exceed it in any case: every
// request takes a token of the per-tenant budget first, waiting for one when there is none).
#pragma once

#include <cstdint>

#include "xdrsync/engine/link_runner.h"

namespace xdrsync::engine {

class PollSchedule {
 public:
  // Both in seconds; a floor of 0 or above the interval means the interval (no adaptation).
  PollSchedule(int64_t interval_seconds, int64_t floor_seconds);

  // The wait in milliseconds after a cycle that reported `report`. `may_hurry`: the link's read
  // budgets have room for a faster poll now. Not thread-safe: one schedule per link thread.
  int64_t After(const CycleReport& report, bool may_hurry);
  // The wait after a cycle that did not run (another process holds the link): the interval.
  int64_t Idle();

  int64_t interval_ms() const { return interval_ms_; }
  int64_t floor_ms() const { return floor_ms_; }

 private:
  int64_t interval_ms_;
  int64_t floor_ms_;
  int64_t pace_ms_;  // the wait after an idle cycle; the floor after a busy one
};

}  // namespace xdrsync::engine
