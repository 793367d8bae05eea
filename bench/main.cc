// xdrsync-bench: the real `xdrsync run` against the real emulator, measured from outside: how fast
// an analyst's change reaches the other side, what a cold start and a steady state cost in calls,
// CPU, memory and disk, and how one process copes with many links. Prints a table; `--json FILE`
// writes the figures. Not a test: timing never fails it. Exit 0 when every measurement was taken,
// 1 when the harness could not take one (a process died, a change never propagated), 2 on usage.
#include <cstdio>
#include <fstream>
#include <future>

#include "report.h"

namespace xdrsync::bench {
namespace {

template <typename F>
void Run(const char* name, const Options& o, F measure) {
  if (!o.Runs(name)) return;
  std::printf("running %s ...\n", name);
  std::fflush(stdout);
  const auto start = Clock::now();
  measure();
  std::printf("  %s done in %.0f s\n", name, SecondsSince(start));
  std::fflush(stdout);
}

int Main(const Options& o) {
  const nlohmann::json machine = MachineJson();
  std::printf("xdrsync-bench%s on %lld CPUs (%s)\n", o.reduced ? " --reduced" : "",
              static_cast<long long>(machine["nproc"].get<long>()), machine["cpu_model"].get<std::string>().c_str());
  Results r;
  const auto start = Clock::now();
  try {
    // The backlog is bound by the API budgets, not by CPU: it runs beside the latency runs.
    std::future<void> backlog = std::async(std::launch::async, [&] { Run("backlog", o, [&] { r.backlog = MeasureBacklog(o); }); });
    Run("latency", o, [&] { r.latency = MeasureLatency(o); });
    backlog.get();
    Run("cold", o, [&] { r.cold = MeasureColdStart(o); });
    Run("steady", o, [&] { r.steady = MeasureSteadyState(o); });
    Run("links", o, [&] { r.links = MeasureManyLinks(o); });
  } catch (const HarnessError& e) {
    std::printf("%s", Table(r).c_str());
    std::fprintf(stderr, "xdrsync-bench: %s\n", e.what());
    return 1;
  }
  const double total = SecondsSince(start);
  std::printf("\n%s\ntotal %.0f s\n", Table(r).c_str(), total);
  if (!o.json_path.empty()) {
    std::ofstream out(o.json_path);
    out << ResultsJson(o, r, total).dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "xdrsync-bench: cannot write %s\n", o.json_path.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace xdrsync::bench

int main(int argc, char** argv) {
  xdrsync::bench::Options o;
  std::string error;
  if (!xdrsync::bench::ParseOptions(argc, argv, &o, &error)) {
    std::fprintf(stderr, "xdrsync-bench: %s\n%s", error.c_str(), xdrsync::bench::Usage().c_str());
    return 2;
  }
  if (o.help) {
    std::printf("%s", xdrsync::bench::Usage().c_str());
    return 0;
  }
  return xdrsync::bench::Main(o);
}
