// Many links in one process: hundreds of Defender tenants into a few workspaces, each in a tenant
// and subscription of its own, at a short poll interval with the emulator's rate limits on.
#include <algorithm>

#include "measures.h"

namespace xdrsync::bench {

using std::chrono::seconds;

LinksResult MeasureManyLinks(const Options& o) {
  const Sizes& z = o.sizes;
  LinksResult r;
  r.tenants = z.links_tenants;
  r.workspaces = std::min(z.links_workspaces, z.links_tenants);
  r.incidents = z.links_incidents;
  r.poll = z.links_poll;
  Session s("links", Topology(r.tenants, r.workspaces, 0), false, o.keep);
  const auto seeding = Clock::now();
  const std::vector<Seeded> incidents = s.Seed(r.incidents, {2, 200});
  r.seed_seconds = SecondsSince(seeding);
  // Reaching the starting point fast (the emulator's limits off, the daemon's budgets lifted) is
  // not what is measured: the restart below, with the default budgets and the limits on, is.
  r.cold = ColdStart(s, static_cast<int64_t>(incidents.size()), 2);
  s.StopDaemon();

  s.SetEmulatorRateLimits(true);
  s.ResetCounters();
  chaos::RequestLog log(s.emulator());
  const auto restart = Clock::now();
  s.StartDaemon({z.links_poll, false, 21600});
  s.WaitCycles(0, 1, seconds(3600));
  r.startup_seconds = SecondsSince(restart);
  log.Harvest();

  const CallCounts before = s.Counters();
  const double cpu_before = s.Sample().cpu_seconds();
  const auto window = Clock::now();
  const int count = std::min(z.links_changes, static_cast<int>(incidents.size()));
  // The first `count` incidents lie in as many different tenants (Seed goes round the tenants).
  const double spacing = std::max(2.0 * z.links_poll, 10.0) / count;
  std::vector<Change> changes = DriveChanges(s, log, incidents, count, spacing, 4.0 * z.links_poll + 120, 0);
  r.stats = Summarize(changes);
  r.window_seconds = SecondsSince(window);
  r.window_cpu_seconds = s.Sample().cpu_seconds() - cpu_before;
  r.window = s.Counters().Minus(before);
  if (s.StopDaemon() != 0) throw HarnessError("xdrsync run did not stop cleanly on SIGTERM");
  r.peak_rss_kb = s.last_sample().peak_rss_kb;
  return r;
}

}  // namespace xdrsync::bench
