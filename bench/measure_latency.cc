// Propagation latency at each poll interval, idle writes, and latency during a cold-start backlog.
#include <algorithm>
#include <future>
#include <set>
#include <thread>

#include "measures.h"

namespace xdrsync::bench {

using nlohmann::json;
using std::chrono::seconds;

RunCost ColdStart(Session& s, int64_t twins, int poll_seconds) {
  const auto start = Clock::now();
  s.StartDaemon({poll_seconds, true, 21600});
  RunCost cost;
  const auto limit = seconds(std::max<int64_t>(600, twins / 2));
  cost.wall_seconds = s.WaitSettled(twins, start, seconds(std::max(3, 2 * poll_seconds + 1)), limit);
  cost.proc = s.Sample();
  cost.calls = s.Counters();
  cost.twins = s.TwinsCreated();
  cost.db_bytes = s.DbBytes();
  return cost;
}

void WaitQuiet(const Session& s, seconds quiet, seconds limit) {
  const auto start = Clock::now();
  int64_t writes = -1;
  auto last = Clock::now();
  while (Clock::now() - last < quiet) {
    s.CheckAlive();
    if (SecondsSince(start) > static_cast<double>(limit.count())) {
      throw HarnessError("the daemon kept writing for " + std::to_string(limit.count()) + " s after the last change");
    }
    if (const int64_t w = s.Counters().Writes(); w != writes) {
      writes = w;
      last = Clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

IdleResult MeasureIdle(const Session& s, int cycles, seconds limit) {
  // From the end of one cycle to the end of the `cycles`-th after it: the counters are read in the
  // pause between cycles, so no cycle is counted in part.
  s.WaitCycles(s.CyclesDone(), 1, limit);
  const CallCounts before = s.Counters();
  const int64_t done = s.CyclesDone();
  const double cpu = s.Sample().cpu_seconds();
  const auto start = Clock::now();
  s.WaitCycles(done, cycles, limit);
  IdleResult r;
  r.seconds = SecondsSince(start);
  r.cpu_seconds = s.Sample().cpu_seconds() - cpu;
  r.calls = s.Counters().Minus(before);
  r.cycles = s.CyclesDone() - done;
  return r;
}

PollRun MeasureOnePoll(const Options& o, int poll, int pairs, bool with_idle) {
  Session s("latency" + std::to_string(poll), Topology(1, 1, 0), false, o.keep);
  const std::vector<Seeded> incidents = s.Seed(pairs, {2, 200});
  ColdStart(s, pairs, 1);
  s.StopDaemon();
  s.SetEmulatorRateLimits(true);
  s.ResetCounters();
  chaos::RequestLog log(s.emulator());
  s.StartDaemon({poll, false, 21600, o.sizes.overlap_seconds});
  s.WaitCycles(0, 1, seconds(120 + 2 * poll));  // the start-up sweep is over
  const int count = 2 * o.sizes.latency_changes;
  // Spread over at least two poll intervals, so the changes fall at every point of a cycle, and
  // at most one a second: the Sentinel -> Defender half then costs 0.5 Graph writes and 0.5 reads a
  // second, within the default budgets (60 writes and 120 reads a minute), so the figure is latency,
  // not a queue behind the budget.
  const double spacing = std::max(1.0, std::max(2.0 * poll, 10.0) / count);
  PollRun r;
  r.run = {poll, Summarize(DriveChanges(s, log, incidents, count, spacing, 4.0 * poll + 60, 0))};
  if (with_idle) {
    WaitQuiet(s, seconds(o.sizes.overlap_seconds + 2 * poll + 2), seconds(o.sizes.overlap_seconds + 300));
    r.idle = MeasureIdle(s, 3, seconds(600));
  }
  if (s.StopDaemon() != 0) throw HarnessError("xdrsync run did not stop cleanly on SIGTERM");
  return r;
}

// The poll intervals run side by side, each with its own emulator and daemon: they mostly wait,
// and the whole measurement takes as long as the slowest interval instead of their sum.
LatencyResult MeasureLatency(const Options& o) {
  const Sizes& z = o.sizes;
  LatencyResult result;
  result.pairs = std::max(z.latency_pairs, 2 * z.latency_changes);
  std::vector<std::future<PollRun>> runs;
  for (const int poll : z.polls) {
    runs.push_back(std::async(std::launch::async, MeasureOnePoll, std::cref(o), poll, result.pairs,
                              poll == z.polls.front()));
  }
  std::string error;
  for (auto& f : runs) {
    try {
      PollRun r = f.get();
      if (result.runs.empty()) result.idle = r.idle;
      result.runs.push_back(r.run);
    } catch (const HarnessError& e) {
      if (error.empty()) error = e.what();
    }
  }
  if (!error.empty()) throw HarnessError(error);
  return result;
}

namespace {

// Changes during the backlog: a Sentinel-side change needs a twin, so it goes to the newest twin
// already made; before the first, and on the other turns, a Defender change to the last incident
// not yet twinned. No incident is changed twice: a later change on the other side would win as the
// newer one, and the first would rightly never cross.
Change BacklogChange(const Session& s, chaos::RequestLog& log, const std::vector<Seeded>& incidents,
                     std::set<std::string>& changed, int i) {
  log.Harvest();
  if (i % 2 == 1) {
    for (auto w = log.writes().rbegin(); w != log.writes().rend(); ++w) {
      if (w->method != "PUT" || w->status != 201) continue;
      for (const auto& inc : incidents) {
        const size_t at = w->path.rfind("/incidents/" + inc.twin);
        if (at == std::string::npos || at + inc.twin.size() + 11 != w->path.size() || changed.count(inc.id)) continue;
        changed.insert(inc.id);
        return MakeChange(s, inc, false, i);
      }
    }
  }
  for (auto inc = incidents.rbegin(); inc != incidents.rend(); ++inc) {
    if (changed.insert(inc->id).second) return MakeChange(s, *inc, true, i);
  }
  throw HarnessError("every incident of the backlog was changed already");
}

}  // namespace

BacklogResult MeasureBacklog(const Options& o) {
  const Sizes& z = o.sizes;
  BacklogResult result;
  result.incidents = std::max(z.backlog_incidents, 2 * z.backlog_changes);
  result.poll = z.backlog_poll;
  Session s("backlog", Topology(1, 1, 0), true, o.keep);
  const std::vector<Seeded> incidents = s.Seed(result.incidents, {5, 500});
  chaos::RequestLog log(s.emulator());
  const auto start = Clock::now();
  s.StartDaemon({z.backlog_poll, false, 21600});
  // The first change once the daemon is busy with the backlog, the others spread behind it.
  const double first = std::min(20.0, 2.0 * z.backlog_poll), spacing = std::max(10.0, 2.0 * z.backlog_poll);
  std::vector<Change> changes;
  std::set<std::string> changed;
  for (int i = 0; i < 2 * z.backlog_changes; ++i) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(static_cast<int64_t>((first + i * spacing) * 1000)));
    s.CheckAlive();
    changes.push_back(BacklogChange(s, log, incidents, changed, i));
  }
  WaitAcross(s, log, changes, z.backlog_limit_seconds);
  result.stats = Summarize(changes);
  result.cold.wall_seconds =
      s.WaitSettled(result.incidents, start, seconds(2 * z.backlog_poll + 2), seconds(z.backlog_limit_seconds));
  result.cold.proc = s.Sample();
  result.cold.calls = s.Counters();
  result.cold.twins = s.TwinsCreated();
  s.StopDaemon();
  result.cold.db_bytes = s.DbBytes();
  return result;
}

}  // namespace xdrsync::bench
