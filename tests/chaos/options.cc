#include "options.h"

#include <cstdlib>
#include <sstream>

namespace xdrsync::chaos {

bool ParseOptions(int argc, char** argv, Options* out, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        *error = std::string(name) + " needs a value";
        return nullptr;
      }
      return argv[++i];
    };
    const char* v = nullptr;
    if (a == "--seed") {
      if (!(v = value("--seed"))) return false;
      out->seed = std::strtoull(v, nullptr, 10);
    } else if (a == "--steps") {
      if (!(v = value("--steps"))) return false;
      out->steps = std::atoi(v);
    } else if (a == "--fault-rate") {
      if (!(v = value("--fault-rate"))) return false;
      out->fault_rate = std::atof(v);
    } else if (a == "--kills") {
      if (!(v = value("--kills"))) return false;
      out->kills = std::atoi(v);
    } else if (a == "--settle-seconds") {
      if (!(v = value("--settle-seconds"))) return false;
      out->settle_seconds = std::atoi(v);
    } else if (a == "--api-variance") {
      if (!(v = value("--api-variance"))) return false;
      out->api_variance = v;
      if (out->api_variance != "none" && out->api_variance != "rotate" && ApiVarianceArgs(out->api_variance).empty()) {
        *error = "--api-variance must be none, orderby-ignored, orderby-refused, live-skip or rotate";
        return false;
      }
    } else if (a == "--state-losses") {
      if (!(v = value("--state-losses"))) return false;
      out->state_losses = std::atoi(v);
    } else if (a == "--open-incidents") {
      if (!(v = value("--open-incidents"))) return false;
      out->open_incidents = std::atoi(v);
    } else if (a == "--disk-full") {
      if (!(v = value("--disk-full"))) return false;
      out->disk_full = std::atoi(v);
    } else if (a == "--lose-first-create-alert") {
      out->lose_first_create_alert = true;
    } else if (a == "--keep") {
      out->keep = true;
    } else if (a == "--verbose") {
      out->verbose = true;
    } else {
      *error = "unknown argument '" + a +
               "'; usage: xdrsync-chaos --seed N --steps M [--fault-rate 0.05] [--kills K] [--settle-seconds S] "
               "[--api-variance none|orderby-ignored|orderby-refused|live-skip|rotate] [--state-losses L] "
               "[--open-incidents N] [--disk-full D] [--lose-first-create-alert] [--keep] [--verbose]";
      return false;
    }
  }
  if (out->steps < 1 || out->fault_rate < 0 || out->fault_rate > 1 || out->settle_seconds < 1) {
    *error = "--steps must be >= 1, --fault-rate within [0, 1], --settle-seconds >= 1";
    return false;
  }
  if (out->kills < 0) out->kills = out->steps / 20;
  if (out->state_losses < 0 || out->state_losses > out->kills || out->open_incidents < 0 ||
      out->open_incidents > 500) {
    *error = "--state-losses must be within [0, kills], --open-incidents within [0, 500]";
    return false;
  }
  if (out->disk_full < 0 || out->disk_full > out->steps) {
    *error = "--disk-full must be within [0, steps]";
    return false;
  }
  return true;
}

std::string ReplayCommand(const Options& o) {
  std::ostringstream s;
  s << "xdrsync-chaos --seed " << o.seed << " --steps " << o.steps << " --fault-rate " << o.fault_rate << " --kills "
    << o.kills;
  if (o.api_variance != "none") s << " --api-variance " << o.api_variance;
  if (o.state_losses > 0) s << " --state-losses " << o.state_losses;
  if (o.open_incidents != 3) s << " --open-incidents " << o.open_incidents;
  if (o.disk_full > 0) s << " --disk-full " << o.disk_full;
  if (o.lose_first_create_alert) s << " --lose-first-create-alert";
  return s.str();
}

std::vector<std::string> ApiVarianceArgs(const std::string& mode) {
  if (mode == "orderby-ignored") return {"--graph-orderby", "ignored"};
  if (mode == "orderby-refused") return {"--graph-orderby", "refused"};
  if (mode == "live-skip") return {"--graph-paging", "live-skip"};
  return {};
}

nlohmann::json ApiVarianceSettings(const std::string& mode) {
  return {{"graph_orderby", mode == "orderby-ignored" ? "ignored" : mode == "orderby-refused" ? "refused" : "honoured"},
          {"graph_paging", mode == "live-skip" ? "live-skip" : "snapshot"}};
}

const std::vector<std::string>& RotatedModes() {
  static const std::vector<std::string> modes = {"none", "orderby-ignored", "orderby-refused", "live-skip"};
  return modes;
}

}  // namespace xdrsync::chaos
