// Command line of xdrsync-chaos.
#pragma once

#include <cstdint>
#include <string>

namespace xdrsync::chaos {

struct Options {
  uint64_t seed = 1;
  int steps = 60;
  double fault_rate = 0.05;
  int kills = -1;            // -1: steps / 20
  int settle_seconds = 120;  // bound on waiting for the daemon to drain after the last step
  bool keep = false;         // keep the run directory even when the run passes
  bool verbose = false;      // one line per step
};

// Parses argv; false (with the message in *error) on a bad argument.
bool ParseOptions(int argc, char** argv, Options* out, std::string* error);
std::string ReplayCommand(const Options& o);

}  // namespace xdrsync::chaos
