// Cold start at unlimited budgets, and the steady state of a large set of pairs.
#include <algorithm>
#include <thread>

#include "measures.h"

namespace xdrsync::bench {

using std::chrono::seconds;

ColdResult MeasureColdStart(const Options& o) {
  const Sizes& z = o.sizes;
  ColdResult result;
  result.alerts = z.cold_alerts;
  // Both ways: two tenants, one into an Azure-portal workspace (`arm` twins), one into an onboarded
  // workspace (`defender-alert` twins). One way: one tenant, so the calls per twin are that way's.
  const int tenants = z.cold_way == "both" ? 2 : 1;
  const int per_tenant = std::max(1, z.cold_incidents / tenants);
  result.incidents = tenants * per_tenant;
  result.way = z.cold_way;
  Session s("cold", Topology(tenants, tenants, z.cold_way == "arm" ? 0 : 1), false, o.keep);
  const auto seeding = Clock::now();
  s.SeedBulk(per_tenant, {z.cold_alerts, 500});
  result.seed_seconds = SecondsSince(seeding);
  result.cost = ColdStart(s, result.incidents, 2);
  s.StopDaemon();
  result.cost.proc = s.last_sample();
  result.cost.db_bytes = s.DbBytes();
  return result;
}

namespace {

// 1 % of the pairs per minute, alternating sides, each change on an incident of its own.
std::vector<Change> SteadyChanges(const Session& s, const std::vector<Seeded>& incidents, const Sizes& z) {
  const double per_second = std::max(1e-3, z.steady_pairs * 0.01 / 60.0);
  const int count = std::min(static_cast<int>(incidents.size()),
                             std::max(2, static_cast<int>(per_second * z.steady_minutes * 60.0)));
  std::vector<Change> changes;
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(static_cast<int64_t>(i * 1000.0 / per_second)));
    s.CheckAlive();
    // Spread over the whole set, not the first few incidents.
    const size_t at = (static_cast<size_t>(i) * 7919u) % incidents.size();
    changes.push_back(MakeChange(s, incidents[at], i % 2 == 0, i));
  }
  return changes;
}

}  // namespace

SteadyResult MeasureSteadyState(const Options& o) {
  const Sizes& z = o.sizes;
  SteadyResult r;
  r.pairs = z.steady_pairs;
  r.poll = z.steady_poll;
  Session s("steady", Topology(1, 1, 0), false, o.keep);
  const auto seeding = Clock::now();
  const std::vector<Seeded> incidents = s.Seed(z.steady_pairs, {5, 500});
  r.seed_seconds = SecondsSince(seeding);
  r.cold = ColdStart(s, z.steady_pairs, 2);
  s.StopDaemon();
  r.cold.proc = s.last_sample();

  s.ResetCounters();
  const auto restart = Clock::now();
  s.StartDaemon({z.steady_poll, true, 21600, z.overlap_seconds});
  s.WaitCycles(0, 1, seconds(3600));
  r.sweep_seconds = SecondsSince(restart);
  r.sweep = s.Counters();
  WaitQuiet(s, seconds(z.overlap_seconds + 2 * z.steady_poll + 2), seconds(z.overlap_seconds + 600));
  r.idle = MeasureIdle(s, 3, seconds(3600));

  const CallCounts before = s.Counters();
  const double cpu_before = s.Sample().cpu_seconds();
  const int64_t cycles_before = s.CyclesDone();
  const auto window = Clock::now();
  const std::vector<Change> changes = SteadyChanges(s, incidents, z);
  WaitQuiet(s, seconds(2 * z.steady_poll + 2), seconds(4 * z.steady_poll + 120));
  r.window_seconds = SecondsSince(window);
  r.window_cpu_seconds = s.Sample().cpu_seconds() - cpu_before;
  r.window = s.Counters().Minus(before);
  r.window_cycles = s.CyclesDone() - cycles_before;
  // What as many idle cycles would have cost: today a cycle's cost does not depend on the changes.
  const double idle_share = static_cast<double>(r.window_cycles) / static_cast<double>(std::max<int64_t>(r.idle.cycles, 1));
  r.window_net = r.window.Minus(r.idle.calls.Scaled(idle_share));
  r.window_net_cpu_seconds = std::max(0.0, r.window_cpu_seconds - r.idle.cpu_seconds * idle_share);
  r.changes = static_cast<int>(changes.size());
  for (const auto& c : changes) (c.from_defender ? r.defender_changes : r.sentinel_changes) += 1;
  if (s.StopDaemon() != 0) throw HarnessError("xdrsync run did not stop cleanly on SIGTERM");
  r.peak_rss_kb = s.last_sample().peak_rss_kb;
  r.db_bytes = s.DbBytes();
  return r;
}

}  // namespace xdrsync::bench
