#include <unistd.h>

#include <fstream>

#include "report.h"

namespace xdrsync::bench {

using nlohmann::json;

namespace {

json Proc(const ProcSample& p) {
  return {{"cpu_seconds", p.cpu_seconds()}, {"user_seconds", p.user_seconds}, {"system_seconds", p.system_seconds},
          {"peak_rss_mb", static_cast<double>(p.peak_rss_kb) / 1024.0}};
}

double Per(double n, double d) { return d > 0 ? n / d : 0; }

}  // namespace

json MachineJson() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model;
  while (model.empty() && std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) model = line.substr(line.find(':') + 2);
  }
  return {{"nproc", ::sysconf(_SC_NPROCESSORS_ONLN)}, {"cpu_model", model}};
}

json RunCost::ToJson() const {
  json out = Proc(proc);
  out["wall_seconds"] = wall_seconds;
  out["cpu_share"] = Per(proc.cpu_seconds(), wall_seconds);
  out["db_bytes"] = db_bytes;
  out["twins"] = twins;
  out["calls_total"] = calls.Total();
  out["calls_by_kind"] = calls.ToJson();
  out["calls_per_twin"] = Per(static_cast<double>(calls.Total()), static_cast<double>(twins));
  out["writes_per_twin"] = Per(static_cast<double>(calls.Writes()), static_cast<double>(twins));
  return out;
}

json IdleResult::ToJson() const {
  return {{"seconds", seconds}, {"cpu_seconds", cpu_seconds}, {"cycles", cycles}, {"writes", calls.Writes()}, {"calls", calls.Total()},
          {"calls_per_cycle", Per(static_cast<double>(calls.Total()), static_cast<double>(cycles))},
          {"calls_by_kind", calls.ToJson()}};
}

json BacklogResult::ToJson() const {
  json out = stats.ToJson();
  out["incidents"] = incidents;
  out["poll_seconds"] = poll;
  out["cold_start"] = cold.ToJson();
  return out;
}

json ColdResult::ToJson() const {
  json out = cost.ToJson();
  out["incidents"] = incidents;
  out["alerts"] = incidents * alerts;
  out["way"] = way;
  out["seed_seconds"] = seed_seconds;
  return out;
}

json SteadyResult::ToJson() const {
  const double d = defender_changes, s = sentinel_changes;
  return {{"pairs", pairs}, {"poll_seconds", poll}, {"seed_seconds", seed_seconds}, {"cold_start", cold.ToJson()},
          {"full_sweep", {{"seconds", sweep_seconds}, {"calls", sweep.Total()}, {"calls_by_kind", sweep.ToJson()}}},
          {"idle", idle.ToJson()},
          {"changes", changes}, {"defender_changes", defender_changes}, {"sentinel_changes", sentinel_changes},
          {"window_seconds", window_seconds}, {"window_cpu_seconds", window_cpu_seconds},
          {"window_cycles", window_cycles},
          {"cpu_seconds_per_hour", Per(window_cpu_seconds, window_seconds) * 3600},
          {"cpu_ms_per_change_net_of_idle", Per(window_net_cpu_seconds * 1000, changes)},
          {"writes_per_change", Per(static_cast<double>(window.Writes()), changes)},
          {"arm_calls_per_defender_change", Per(static_cast<double>(window.ApiNonList("arm.")), d)},
          {"graph_calls_per_sentinel_change", Per(static_cast<double>(window.ApiNonList("graph.")), s)},
          {"arm_calls_per_defender_change_net_of_idle", Per(static_cast<double>(window_net.Api("arm.")), d)},
          {"graph_calls_per_sentinel_change_net_of_idle", Per(static_cast<double>(window_net.Api("graph.")), s)},
          {"calls_per_change_net_of_idle", Per(static_cast<double>(window_net.Total()), changes)},
          {"calls_per_change", Per(static_cast<double>(window.Total()), changes)},
          {"window_calls_by_kind", window.ToJson()},
          {"window_calls_by_kind_net_of_idle", window_net.ToJson()},
          {"peak_rss_mb", static_cast<double>(peak_rss_kb) / 1024.0}, {"db_bytes", db_bytes},
          {"db_bytes_per_pair", Per(static_cast<double>(db_bytes), pairs)}};
}

json LinksResult::ToJson() const {
  json out = stats.ToJson();
  out.update({{"tenants", tenants}, {"workspaces", workspaces}, {"incidents_per_tenant", incidents},
              {"poll_seconds", poll}, {"seed_seconds", seed_seconds}, {"cold_start", cold.ToJson()},
              {"startup_seconds", startup_seconds}, {"window_seconds", window_seconds},
              {"window_cpu_seconds", window_cpu_seconds},
              {"cores_used", Per(window_cpu_seconds, window_seconds)},
              {"calls_by_kind", window.ToJson()}, {"calls", window.Total()},
              {"peak_rss_mb", static_cast<double>(peak_rss_kb) / 1024.0}});
  return out;
}

json ResultsJson(const Options& o, const Results& r, double total_seconds) {
  json out = {{"machine", MachineJson()}, {"reduced", o.reduced}, {"total_seconds", total_seconds}};
  if (r.latency) {
    json latency = json::object();
    for (const auto& run : r.latency->runs) latency[std::to_string(run.poll)] = run.stats.ToJson();
    out["latency"] = latency;
    out["latency_pairs"] = r.latency->pairs;
    out["idle"] = r.latency->idle.ToJson();
  }
  if (r.latency || r.steady) {
    out["idle_writes"] = (r.latency ? r.latency->idle.calls.Writes() : 0) + (r.steady ? r.steady->idle.calls.Writes() : 0);
  }
  if (r.backlog) out["backlog_latency"] = r.backlog->ToJson();
  if (r.cold) out["cold_start"] = r.cold->ToJson();
  if (r.steady) out["steady_state"] = r.steady->ToJson();
  if (r.links) out["many_links"] = r.links->ToJson();
  return out;
}

}  // namespace xdrsync::bench
