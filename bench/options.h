// Command line of xdrsync-bench: which measurements to run and at what size. `--reduced` picks
// sizes that finish in under 3 minutes on a 2-core machine; every size can be set on its own.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace xdrsync::bench {

struct Sizes {
  std::vector<int> polls = {2, 5, 15};  // poll intervals of the latency runs, seconds
  int latency_pairs = 60;               // pairs the latency runs change
  int latency_changes = 30;             // changes per direction and poll interval
  int backlog_incidents = 2000;         // cold start under the default budgets
  int backlog_changes = 10;             // analyst changes made while it drains
  int backlog_poll = 5;
  int backlog_limit_seconds = 3600;     // a change still not across by then is a harness error
  int cold_incidents = 10000;           // unlimited cold start, two tenants
  int cold_alerts = 10;                 // alerts per incident
  std::string cold_way = "both";        // both: two tenants, one per way; arm or defender-alert: one tenant
  int steady_pairs = 100000;
  double steady_minutes = 5;            // length of the changing window
  int steady_poll = 15;
  // The daemon's overlap_seconds in the latency and steady-state runs. Every cycle re-reads what
  // changed within it, so idle is measured only once this long has passed since the last write.
  int overlap_seconds = 120;
  int links_tenants = 500;
  int links_workspaces = 20;
  int links_incidents = 100;            // per tenant
  int links_changes = 100;              // changes (both directions) during the measured window
  int links_poll = 5;
};

struct Options {
  bool reduced = false;
  std::string json_path;  // empty: no JSON
  bool keep = false;      // keep the run directories
  bool help = false;
  std::set<std::string> only;  // empty: every measurement
  Sizes sizes;

  bool Runs(const std::string& name) const { return only.empty() || only.count(name) > 0; }
};

Sizes ReducedSizes();
// Parses argv; false with one line in *error on a bad argument.
bool ParseOptions(int argc, char** argv, Options* out, std::string* error);
std::string Usage();

}  // namespace xdrsync::bench
