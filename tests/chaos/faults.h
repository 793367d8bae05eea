// Fault injection for a run: every fault kind of the emulator (fault_injector.h) as a background
// rule on every service path at a share of --fault-rate, plus, at the same rate, one-shot rules
// aimed at the writes where exactly-once matters (createAlert, comment POSTs and PUTs, incident
// PUT and PATCH), among them drop_after_apply on a reused keep-alive connection.
#pragma once

#include <random>
#include <string>

#include "emulator.h"

namespace xdrsync::chaos {

class Faults {
 public:
  Faults(const Emulator& emu, std::mt19937_64& rng, double rate, uint64_t seed)
      : emu_(emu), rng_(rng), rate_(rate), seed_(seed) {}
  void Enable();             // installs the background rules
  void LoseFirstCreateAlert();  // the next createAlert is applied, then its connection closed
  std::string Step();        // maybe adds one aimed rule; returns what it added ("" when none)
  void Disable();            // counts what fired, then removes every rule
  int64_t fired() const { return fired_; }
  std::string Describe() const;  // fired per kind

 private:
  const Emulator& emu_;
  std::mt19937_64& rng_;
  double rate_;
  uint64_t seed_;
  int64_t fired_ = 0;
  std::map<std::string, int64_t> by_kind_;
};

}  // namespace xdrsync::chaos
