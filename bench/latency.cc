#include "latency.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

namespace xdrsync::bench {

using nlohmann::json;

Change MakeChange(const Session& session, const Seeded& incident, bool from_defender, int serial) {
  const Topology& topo = session.topology();
  char token[64];
  std::snprintf(token, sizeof token, "bench-%06d-%c@bench.example", serial, from_defender ? 'd' : 's');
  Change c;
  c.from_defender = from_defender;
  c.token = token;
  chaos::ControlReply r;
  if (from_defender) {
    r = session.emulator().Call("PATCH", "/tenants/" + topo.tenants()[incident.tenant].id + "/incidents/" + incident.id,
                                {{"assignedTo", c.token}, {"author", "analyst@bench.example"}});
    c.write_path = "/incidents/" + incident.twin;
    c.made = ParseEmulatorTime(r.body.value("lastUpdateDateTime", ""));
  } else {
    const json owner = {{"userPrincipalName", c.token}, {"email", c.token}, {"assignedTo", c.token}};
    r = session.emulator().Call("PATCH", "/workspaces/" + topo.WorkspaceOf(incident.tenant).name + "/incidents/" + incident.twin,
                                {{"owner", owner}, {"author", "analyst@bench.example"}});
    c.write_path = "/security/incidents/" + incident.id;
    c.made = r.ok() ? ParseEmulatorTime(r.body["properties"].value("lastModifiedTimeUtc", "")) : -1;
  }
  if (!r.ok() || c.made < 0) {
    throw HarnessError("analyst change on " + std::string(from_defender ? "Defender incident " + incident.id : "twin " + incident.twin) +
                       " refused: " + std::to_string(r.status) + " " + r.body.dump().substr(0, 300));
  }
  return c;
}

void MatchChanges(const chaos::RequestLog& log, std::vector<Change>& changes) {
  for (auto& c : changes) {
    if (c.seen >= 0) continue;
    const std::string method = c.from_defender ? "PUT" : "PATCH";
    for (const auto& w : log.writes()) {
      if (!w.effective() || w.method != method || w.body.find(c.token) == std::string::npos) continue;
      const size_t at = w.path.rfind(c.write_path);
      if (at == std::string::npos || at + c.write_path.size() != w.path.size()) continue;
      c.seen = ParseEmulatorTime(w.time);
      break;
    }
  }
}

size_t Unmatched(const std::vector<Change>& changes) {
  return static_cast<size_t>(std::count_if(changes.begin(), changes.end(), [](const Change& c) { return c.seen < 0; }));
}

json Percentiles::ToJson() const {
  return {{"count", count}, {"p50_seconds", p50}, {"p90_seconds", p90}, {"p99_seconds", p99}, {"max_seconds", max}};
}

json LatencyStats::ToJson() const {
  json out = both.ToJson();
  out["defender_to_sentinel"] = defender_to_sentinel.ToJson();
  out["sentinel_to_defender"] = sentinel_to_defender.ToJson();
  return out;
}

Percentiles Summarize(std::vector<double> seconds) {
  Percentiles p;
  if (seconds.empty()) return p;
  std::sort(seconds.begin(), seconds.end());
  auto rank = [&](double q) {
    const auto i = static_cast<size_t>(std::ceil(q * static_cast<double>(seconds.size())));
    return seconds[std::max<size_t>(i, 1) - 1];
  };
  p.count = static_cast<int>(seconds.size());
  p.p50 = rank(0.50);
  p.p90 = rank(0.90);
  p.p99 = rank(0.99);
  p.max = seconds.back();
  return p;
}

LatencyStats Summarize(const std::vector<Change>& changes) {
  std::vector<double> all, d2s, s2d;
  for (const auto& c : changes) {
    if (c.seen < 0) continue;
    all.push_back(c.seen - c.made);
    (c.from_defender ? d2s : s2d).push_back(c.seen - c.made);
  }
  return {Summarize(all), Summarize(d2s), Summarize(s2d)};
}

void WaitAcross(const Session& session, chaos::RequestLog& log, std::vector<Change>& changes, double limit_seconds) {
  const auto start = Clock::now();
  for (;;) {
    log.Harvest();
    MatchChanges(log, changes);
    if (log.overflowed()) throw HarnessError("the emulator's request log overflowed between harvests");
    if (Unmatched(changes) == 0) return;
    session.CheckAlive();
    if (SecondsSince(start) > limit_seconds) {
      for (const auto& c : changes) {
        if (c.seen >= 0) continue;
        throw HarnessError(std::to_string(Unmatched(changes)) + " change(s) never reached the other side within " +
                           std::to_string(static_cast<int>(limit_seconds)) + " s, e.g. owner " + c.token +
                           " (expected a write to ..." + c.write_path + ")");
      }
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

std::vector<Change> DriveChanges(const Session& session, chaos::RequestLog& log, const std::vector<Seeded>& incidents,
                                 int count, double spacing_seconds, double limit_seconds, int first_serial) {
  if (incidents.size() < static_cast<size_t>(count)) {
    throw HarnessError("asked for " + std::to_string(count) + " changes on " + std::to_string(incidents.size()) + " incidents");
  }
  std::vector<Change> changes;
  auto next = Clock::now();
  for (int i = 0; i < count; ++i) {
    std::this_thread::sleep_until(next);
    session.CheckAlive();
    changes.push_back(MakeChange(session, incidents[static_cast<size_t>(i)], i % 2 == 0, first_serial + i));
    next += std::chrono::milliseconds(static_cast<int64_t>(spacing_seconds * 1000));
    if (i % 10 == 9) log.Harvest();
  }
  WaitAcross(session, log, changes, limit_seconds);
  return changes;
}

}  // namespace xdrsync::bench
