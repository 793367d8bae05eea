// One measurement's world: a run directory, the real emulator process seeded with a topology, and
// the real `xdrsync run` process started (and restarted) on it with a given configuration.
// Anything that keeps the measurement from being taken (the emulator or the daemon dying, a
// control call failing, a bound exceeded) is thrown as a HarnessError.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "calls.h"
#include "chaos/daemon.h"
#include "chaos/emulator.h"
#include "proc_stats.h"
#include "topology.h"

namespace xdrsync::bench {

struct HarnessError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point t);

// A Defender incident the bench made, and the name of its `arm` twin (for arm-way links).
struct Seeded {
  size_t tenant = 0;
  std::string id, twin;
};

struct IncidentShape {
  int alerts = 5;
  int description_chars = 500;
};

class Session {
 public:
  Session(const std::string& label, const Topology& topology, bool emulator_rate_limits, bool keep);
  ~Session();  // stops the daemon and the emulator; removes the directory unless kept
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const chaos::Emulator& emulator() const { return *emu_; }
  const Topology& topology() const { return topology_; }
  const std::string& dir() const { return dir_; }
  std::string state_path() const { return dir_ + "/state.db"; }

  void SetEmulatorRateLimits(bool on) const;
  // Creates `per_tenant` incidents in every tenant through the control API, four calls at a time.
  std::vector<Seeded> Seed(int per_tenant, const IncidentShape& shape) const;
  // The same in one scenario document: much faster, but the ids are not learnt.
  void SeedBulk(int per_tenant, const IncidentShape& shape) const;

  void StartDaemon(const DaemonSettings& settings);
  int StopDaemon();  // the exit code; the last /proc sample is kept in last_sample()
  void CheckAlive() const;  // throws when the daemon or the emulator has died
  ProcSample Sample() const;
  const ProcSample& last_sample() const { return last_sample_; }
  int64_t CyclesDone() const;  // `cycle.done` log lines of the current daemon process

  CallCounts Counters() const;
  void ResetCounters() const;  // also empties the request log
  int64_t TwinsCreated() const;  // ARM PUTs and createAlerts answered 201 since the last reset
  long OutboxRows() const;     // -1 when unreadable
  int64_t DbBytes() const;     // the state database and its WAL

  // Waits until `creates` twins were made, the outbox is empty and no write was counted for
  // `quiet` and two cycles of every link; returns the seconds from `since` to the last write seen.
  // Throws past `limit`.
  double WaitSettled(int64_t creates, Clock::time_point since, std::chrono::seconds quiet,
                     std::chrono::seconds limit) const;
  // Waits until the links logged `cycles` × links more cycle.done lines than `base` (with one link:
  // exactly `cycles` more cycles).
  void WaitCycles(int64_t base, int64_t cycles, std::chrono::seconds limit) const;

 private:
  std::string dir_;
  Topology topology_;
  bool keep_;
  std::unique_ptr<chaos::Emulator> emu_;
  std::unique_ptr<chaos::Daemon> daemon_;
  ProcSample last_sample_;
};

}  // namespace xdrsync::bench
