// Command line of xdrsync-chaos.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xdrsync::chaos {

struct Options {
  uint64_t seed = 1;
  int steps = 60;
  double fault_rate = 0.05;
  int kills = -1;            // -1: steps / 20
  int settle_seconds = 120;  // bound on waiting for the daemon to drain after the last step
  bool keep = false;         // keep the run directory even when the run passes
  bool verbose = false;      // one line per step
  // How the emulator's Graph listing varies from the documented API: none, orderby-ignored,
  // orderby-refused, live-skip (docs/emulator.md, "Graph listing variance").
  // "rotate" switches among all four every quarter of the steps (the emulator's settings).
  std::string api_variance = "none";
  int state_losses = 0;    // kills after which the state database is lost (moved aside) too
  int open_incidents = 3;  // incidents per link an analyst opens before the first step
  // Times the state's file system fills up (for 1 to 4 steps each): the state directory is a
  // small tmpfs in a private mount namespace (state_disk.h), so this needs root.
  int disk_full = 0;
  // The first createAlert is applied and its answer lost (a drop_after_apply rule in place before
  // the daemon starts): the planted-bug run needs one such outcome, not a chance of one.
  bool lose_first_create_alert = false;
};

// Parses argv; false (with the message in *error) on a bad argument.
bool ParseOptions(int argc, char** argv, Options* out, std::string* error);
std::string ReplayCommand(const Options& o);
// The emulator flags of o.api_variance (none for "none" and "rotate").
std::vector<std::string> ApiVarianceArgs(const std::string& mode);
// The emulator settings (POST /_control/settings) of one mode; "none" restores the documented API.
nlohmann::json ApiVarianceSettings(const std::string& mode);
// The modes "rotate" goes through, in order.
const std::vector<std::string>& RotatedModes();

}  // namespace xdrsync::chaos
