// Random analysts on both sides, through the emulator's control API (as people in the portals):
// status, owner, classification, tags, comments, reopening, the same field on both sides at once,
// merges, and new incidents with 0-400 alerts. Every effective change is written to the History.
#pragma once

#include <random>
#include <string>

#include "emulator.h"
#include "history.h"
#include "world_index.h"

namespace xdrsync::chaos {

class Analyst {
 public:
  Analyst(const Emulator& emu, std::mt19937_64& rng, History& history, uint64_t seed)
      : emu_(emu), rng_(rng), history_(history), seed_(seed) {}

  void CreateIncident(const ChaosLink& link);
  // One random action against the world as it is now; returns what it did, for the run log.
  std::string Step(const WorldIndex& world);
  int64_t failed_calls() const { return failed_calls_; }

 private:
  struct Target {
    const ChaosLink* link = nullptr;
    std::string id;
    const nlohmann::json* defender = nullptr;
    const nlohmann::json* twin = nullptr;  // null when it has no (single) twin yet
  };
  bool PickTarget(const WorldIndex& world, bool need_twin, Target* out);
  std::string Act(const Target& t, Side side, double roll);  // one change to a picked incident
  std::string Status(const Target& t, Side side, bool classify, bool reopen);
  std::string Owner(const Target& t, Side side);
  std::string Tag(const Target& t, Side side);
  std::string Comment(const Target& t, Side side);
  std::string Merge(const WorldIndex& world);
  bool PatchDefender(const Target& t, nlohmann::json spec);
  bool PatchSentinel(const Target& t, nlohmann::json properties);
  void RecordField(const Target& t, Side side, const std::string& field, const std::string& before,
                   const std::string& after, int64_t seq);
  // A write the daemon sees as a change on its side: its raw value (with a classification's
  // determination or reason) changed, even when the canon did not. Recorded as the canon.
  void RecordChange(const Target& t, Side side, const std::string& field, const std::string& before_raw,
                    const std::string& after_raw, const std::string& canon, int64_t seq);

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::string Token();

  const Emulator& emu_;
  std::mt19937_64& rng_;
  History& history_;
  uint64_t seed_;
  int64_t tokens_ = 0;
  int64_t incidents_ = 0;
  int64_t failed_calls_ = 0;
  int big_incidents_ = 0;
  std::map<std::string, int> comments_per_pair_;
};

}  // namespace xdrsync::chaos
