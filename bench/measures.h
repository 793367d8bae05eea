// The measurements of xdrsync-bench, each on a world of its own, and what each returns.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "calls.h"
#include "latency.h"
#include "options.h"

namespace xdrsync::bench {

// What one daemon run cost: wall time, the process's CPU and peak RSS, the state database, calls.
struct RunCost {
  double wall_seconds = 0;
  ProcSample proc;
  int64_t db_bytes = 0;
  int64_t twins = 0;
  CallCounts calls;
  nlohmann::json ToJson() const;
};

struct LatencyRun {
  int poll = 0;
  LatencyStats stats;
};

struct IdleResult {
  double seconds = 0;
  double cpu_seconds = 0;  // the daemon's, over the window
  int64_t cycles = 0;  // cycle.done lines (one per link and cycle)
  CallCounts calls;
  nlohmann::json ToJson() const;
};

struct LatencyResult {
  int pairs = 0;
  std::vector<LatencyRun> runs;
  IdleResult idle;  // measured after the first poll interval's changes
};

struct PollRun {
  LatencyRun run;
  IdleResult idle;  // when asked for
};

struct BacklogResult {
  int incidents = 0, poll = 0;
  LatencyStats stats;
  RunCost cold;  // the cold start under the default budgets it ran in
  nlohmann::json ToJson() const;
};

struct ColdResult {
  int incidents = 0, alerts = 0;
  std::string way;
  double seed_seconds = 0;
  RunCost cost;
  nlohmann::json ToJson() const;
};

struct SteadyResult {
  int pairs = 0, poll = 0, changes = 0;
  double seed_seconds = 0;
  RunCost cold;                 // reaching the steady state: cold start at unlimited budgets
  double sweep_seconds = 0;     // the start-up full sweep of a restarted daemon
  CallCounts sweep;
  IdleResult idle;
  double window_seconds = 0;    // the changing window, until the last write settled
  double window_cpu_seconds = 0;
  CallCounts window;
  int64_t window_cycles = 0;
  CallCounts window_net;        // less what as many idle cycles cost
  double window_net_cpu_seconds = 0;
  int defender_changes = 0, sentinel_changes = 0;
  long peak_rss_kb = 0;
  int64_t db_bytes = 0;
  nlohmann::json ToJson() const;
};

struct LinksResult {
  int tenants = 0, workspaces = 0, incidents = 0, poll = 0;
  double seed_seconds = 0;
  RunCost cold;
  double startup_seconds = 0;  // restart with the default budgets until every link finished a cycle
  LatencyStats stats;
  double window_seconds = 0, window_cpu_seconds = 0;
  CallCounts window;
  long peak_rss_kb = 0;
  nlohmann::json ToJson() const;
};

struct Results {
  std::optional<LatencyResult> latency;
  std::optional<BacklogResult> backlog;
  std::optional<ColdResult> cold;
  std::optional<SteadyResult> steady;
  std::optional<LinksResult> links;
};

LatencyResult MeasureLatency(const Options& o);
BacklogResult MeasureBacklog(const Options& o);
ColdResult MeasureColdStart(const Options& o);
SteadyResult MeasureSteadyState(const Options& o);
LinksResult MeasureManyLinks(const Options& o);

// Cold start of the session's seeded world at unlimited budgets; the daemon is left running.
RunCost ColdStart(Session& s, int64_t twins, int poll_seconds);
// Waits until no write was counted for `quiet` (bounded by `limit`).
void WaitQuiet(const Session& s, std::chrono::seconds quiet, std::chrono::seconds limit);
// Three (or `cycles`) whole idle cycles of every link.
IdleResult MeasureIdle(const Session& s, int cycles, std::chrono::seconds limit);
// One poll interval's latency on a world of its own (`pairs` incidents), and idle when asked.
PollRun MeasureOnePoll(const Options& o, int poll, int pairs, bool with_idle);

}  // namespace xdrsync::bench
