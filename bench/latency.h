// Analyst changes with a unique owner on one side, and the daemon's write that carries it to the
// other side, found in the emulator's request log. Latency is measured on the emulator clock:
// from the change's own timestamp (lastUpdateDateTime / lastModifiedTimeUtc in the control
// reply) to the answered write (the request log's time).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaos/request_log.h"
#include "session.h"

namespace xdrsync::bench {

struct Change {
  bool from_defender = true;
  std::string token;       // the owner set, unique in the run
  std::string write_path;  // the request that carries it: ARM PUT of the twin, or Graph PATCH
  double made = 0;         // emulator clock, seconds
  double seen = -1;        // when the matching write was answered; -1 while not yet
};

// Sets a new owner on `incident` (Defender side) or on its `arm` twin (Sentinel side).
Change MakeChange(const Session& session, const Seeded& incident, bool from_defender, int serial);

// Marks every change whose write is in the log (first 2xx write after the change).
void MatchChanges(const chaos::RequestLog& log, std::vector<Change>& changes);
size_t Unmatched(const std::vector<Change>& changes);

struct Percentiles {
  int count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
  nlohmann::json ToJson() const;
};

struct LatencyStats {
  Percentiles both, defender_to_sentinel, sentinel_to_defender;
  nlohmann::json ToJson() const;  // both's keys plus the two directions
};

Percentiles Summarize(std::vector<double> seconds);  // nearest-rank percentiles
LatencyStats Summarize(const std::vector<Change>& changes);

// Harvests the log until every change is across; throws when one is not by `limit_seconds`.
void WaitAcross(const Session& session, chaos::RequestLog& log, std::vector<Change>& changes, double limit_seconds);

// Makes changes on `incidents` (alternating sides, each incident once, in order) every `spacing`,
// harvesting the log, then waits until all are across (WaitAcross).
std::vector<Change> DriveChanges(const Session& session, chaos::RequestLog& log, const std::vector<Seeded>& incidents,
                                 int count, double spacing_seconds, double limit_seconds, int first_serial);

}  // namespace xdrsync::bench
