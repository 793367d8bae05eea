#include <cstdio>

#include "report.h"

namespace xdrsync::bench {

namespace {

std::string Fmt(const char* format, double a, double b = 0, double c = 0, double d = 0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, format, a, b, c, d);
  return buf;
}

std::string Row(const std::string& what, const std::string& value) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "| %-52s | %s |\n", what.c_str(), value.c_str());
  return buf;
}

std::string Latency(const Percentiles& p) {
  return Fmt("p50 %.1f s, p90 %.1f s, p99 %.1f s, max %.1f s", p.p50, p.p90, p.p99, p.max) +
         " (n=" + std::to_string(p.count) + ")";
}

std::string Cost(const RunCost& c) {
  return Fmt("%.1f s wall, %.1f s CPU (%.0f %%), peak RSS %.0f MB", c.wall_seconds, c.proc.cpu_seconds(),
             100.0 * c.proc.cpu_seconds() / std::max(c.wall_seconds, 1e-9), static_cast<double>(c.proc.peak_rss_kb) / 1024) +
         Fmt(", %.0f calls (%.1f per twin), DB %.1f MB", static_cast<double>(c.calls.Total()),
             static_cast<double>(c.calls.Total()) / std::max<double>(1, static_cast<double>(c.twins)),
             static_cast<double>(c.db_bytes) / 1e6);
}

std::string Kinds(const CallCounts& c) {
  std::string out;
  for (const auto& [route, n] : c.by_route) {
    if (n != 0) out += (out.empty() ? "" : ", ") + route + " " + std::to_string(n);
  }
  return out.empty() ? "none" : out;
}

void Steady(const SteadyResult& s, std::string& t) {
  const std::string n = std::to_string(s.pairs);
  t += Row("steady " + n + ": reaching it (cold start, unlimited)", Cost(s.cold));
  t += Row("steady " + n + ": full sweep at restart", Fmt("%.1f s, %.0f calls", s.sweep_seconds, static_cast<double>(s.sweep.Total())) + ": " + Kinds(s.sweep));
  t += Row("steady " + n + ": idle cycle", Fmt("%.1f calls per cycle, %.0f writes", static_cast<double>(s.idle.calls.Total()) / std::max<double>(1, static_cast<double>(s.idle.cycles)), static_cast<double>(s.idle.calls.Writes())));
  t += Row("steady " + n + ": " + std::to_string(s.changes) + " changes (1 %/min)",
           Fmt("%.2f writes/change; %.1f ARM calls per Defender change, %.1f Graph calls per Sentinel change",
               static_cast<double>(s.window.Writes()) / std::max(1, s.changes),
               static_cast<double>(s.window.ApiNonList("arm.")) / std::max(1, s.defender_changes),
               static_cast<double>(s.window.ApiNonList("graph.")) / std::max(1, s.sentinel_changes)) +
               " (list pages left out)");
  t += Row("steady " + n + ": CPU, memory, database",
           Fmt("%.0f CPU s/hour, peak RSS %.0f MB, DB %.1f MB (%.0f bytes a pair)",
               s.window_cpu_seconds / std::max(s.window_seconds, 1e-9) * 3600, static_cast<double>(s.peak_rss_kb) / 1024,
               static_cast<double>(s.db_bytes) / 1e6, static_cast<double>(s.db_bytes) / std::max(1, s.pairs)));
}

}  // namespace

std::string Table(const Results& r) {
  std::string t = Row("measurement", "result");
  t += Row("---", "---");
  if (r.latency) {
    for (const auto& run : r.latency->runs) {
      const std::string poll = "poll " + std::to_string(run.poll) + " s";
      t += Row("latency, " + poll + ", both ways", Latency(run.stats.both));
      t += Row("latency, " + poll + ", Defender -> Sentinel", Latency(run.stats.defender_to_sentinel));
      t += Row("latency, " + poll + ", Sentinel -> Defender", Latency(run.stats.sentinel_to_defender));
    }
    const IdleResult& i = r.latency->idle;
    t += Row("idle (" + std::to_string(r.latency->pairs) + " pairs)",
             Fmt("%.0f writes, %.1f calls per cycle over %.0f cycles", static_cast<double>(i.calls.Writes()),
                 static_cast<double>(i.calls.Total()) / std::max<double>(1, static_cast<double>(i.cycles)), static_cast<double>(i.cycles)));
  }
  if (r.backlog) {
    const std::string n = std::to_string(r.backlog->incidents);
    t += Row("latency during a cold start of " + n + " (poll " + std::to_string(r.backlog->poll) + " s)", Latency(r.backlog->stats.both));
    t += Row("cold start " + n + ", default budgets", Cost(r.backlog->cold));
  }
  if (r.cold) {
    t += Row("cold start " + std::to_string(r.cold->incidents) + " / " + std::to_string(r.cold->incidents * r.cold->alerts) + " alerts, " + r.cold->way + ", unlimited", Cost(r.cold->cost));
    t += Row("  calls by kind", Kinds(r.cold->cost.calls));
  }
  if (r.steady) Steady(*r.steady, t);
  if (r.links) {
    const LinksResult& l = *r.links;
    const std::string what = std::to_string(l.tenants) + " links, " + std::to_string(l.workspaces) + " workspaces, poll " + std::to_string(l.poll) + " s";
    t += Row(what + ": start-up", Fmt("%.1f s until every link finished a cycle", l.startup_seconds));
    t += Row(what + ": latency", Latency(l.stats.both));
    t += Row(what + ": CPU, memory", Fmt("%.2f cores, peak RSS %.0f MB, %.0f calls/s", l.window_cpu_seconds / std::max(l.window_seconds, 1e-9),
                                          static_cast<double>(l.peak_rss_kb) / 1024, static_cast<double>(l.window.Total()) / std::max(l.window_seconds, 1e-9)));
  }
  return t;
}

}  // namespace xdrsync::bench
