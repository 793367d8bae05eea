#include "xdrsync/engine/poll_schedule.h"

#include <algorithm>

namespace xdrsync::engine {
namespace {

// Failed writes come back after this (their backoff decides whether they are attempted then).
constexpr int64_t kRetryMs = 1000;

}  // namespace

PollSchedule::PollSchedule(int64_t interval_seconds, int64_t floor_seconds)
    : interval_ms_(std::max<int64_t>(interval_seconds, 0) * 1000),
      floor_ms_(floor_seconds <= 0 ? interval_ms_ : std::min(floor_seconds * 1000, interval_ms_)),
      pace_ms_(interval_ms_) {}

int64_t PollSchedule::After(const CycleReport& report, bool may_hurry) {
  // A failing link or a held mass change gains nothing from a faster poll.
  if (!report.status.ok() || report.held) {
    pace_ms_ = interval_ms_;
    return interval_ms_;
  }
  const bool busy = report.writes_planned > 0 || report.carried > 0 || report.writes_failed > 0;
  if (busy) {
    pace_ms_ = may_hurry ? floor_ms_ : interval_ms_;
  } else {
    pace_ms_ = may_hurry ? std::min(interval_ms_, pace_ms_ * 2) : interval_ms_;
  }
  // Carried writes go on at once (each cycle captures first, so new changes overtake them); failed
  // writes bring the next cycle forward. Neither is polling faster: they were today's behaviour.
  if (report.carried > 0) return 0;
  if (report.writes_failed > 0) return std::min(kRetryMs, interval_ms_);
  return pace_ms_;
}

int64_t PollSchedule::Idle() {
  pace_ms_ = interval_ms_;
  return interval_ms_;
}

}  // namespace xdrsync::engine
