// The daemon's memory over a run of fixed length: after a warm-up, a fixed number of cycles over a
// fixed set of incidents that keep changing must not grow its resident set beyond noise. Counted in
// cycles, not seconds, so a slow machine does the same work; every cycle is a full sweep, so each
// one lists and parses every incident with its alerts, and a leak of what a cycle reads adds up.
#include <signal.h>

#include <cstdlib>
#include <fstream>

#include "resources_fixture.h"

namespace xdrsync::integration {
namespace {

constexpr int kIncidents = 60;
constexpr size_t kWarmupCycles = 8;
constexpr size_t kMeasuredCycles = 24;  // XDRSYNC_MEMORY_CYCLES for a longer run
constexpr long kSlackKb = 4 * 1024;  // allocator noise: arenas, a page cache of SQLite

size_t MeasuredCycles() {
  const char* v = std::getenv("XDRSYNC_MEMORY_CYCLES");
  return v != nullptr && std::atol(v) > 0 ? static_cast<size_t>(std::atol(v)) : kMeasuredCycles;
}

// VmRSS of `pid` in kB, 0 when it cannot be read.
long ResidentKb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

class MemoryTest : public SyncTest {
 protected:
  // Runs `cycles` cycles of the daemon, changing one incident on each side before each.
  void RunCycles(ChildProcess& daemon, size_t cycles) {
    for (size_t i = 0; i < cycles; ++i, ++round_) {
      const std::string& id = ids_[round_ % ids_.size()];
      emu_->UpdateIncident(kContoso, id, {{"severity", round_ % 2 ? "high" : "low"}, {"author", "alice@contoso.com"}});
      const std::string& other = ids_[(round_ + kIncidents / 2) % ids_.size()];
      emu_->UpdateArm(kWorkspace, Twin(other).value("name", ""),
                      {{"status", round_ % 2 ? "Active" : "New"}, {"author", "sam@soc.example"}});
      const size_t done = Events(daemon.Stdout(), "cycle.done");
      ASSERT_TRUE(WaitFor([&] { return Events(daemon.Stdout(), "cycle.done") > done; })) << daemon.Stderr();
    }
  }

  std::vector<std::string> ids_;
  size_t round_ = 0;
};

TEST_F(MemoryTest, TheResidentSetStaysFlatOverAFixedNumberOfCyclesWithChanges) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  config_["full_sweep_interval_seconds"] = 1;
  for (int i = 0; i < kIncidents; ++i) {
    ids_.push_back(emu_->CreateIncident(kContoso, {{"displayName", "Steady " + std::to_string(i)},
                                                   {"severity", "low"},
                                                   {"description", std::string(1500, 'd')},
                                                   {"alertCount", 5}}));
  }
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return emu_->ArmIncidents(kWorkspace).size() == ids_.size(); }, std::chrono::seconds(120)))
      << daemon->Stdout().substr(0, 4000) << daemon->Stderr();

  ASSERT_NO_FATAL_FAILURE(RunCycles(*daemon, kWarmupCycles));
  const long warm = ResidentKb(daemon->pid());
  ASSERT_GT(warm, 0);
  ASSERT_NO_FATAL_FAILURE(RunCycles(*daemon, MeasuredCycles()));
  const long end = ResidentKb(daemon->pid());
  std::printf("VmRSS after %zu warm-up cycles: %ld kB; after %zu more: %ld kB\n", kWarmupCycles, warm,
              MeasuredCycles(), end);
  EXPECT_LE(end, warm + warm / 10 + kSlackKb) << "the daemon grew from " << warm << " kB to " << end << " kB";

  // The cycles did the work: the last changes arrived, and none failed.
  const std::string& last = ids_[(round_ - 1) % ids_.size()];
  EXPECT_TRUE(WaitFor([&] { return Twin(last)["properties"].value("severity", "") == ((round_ - 1) % 2 ? "High" : "Low"); }));
  EXPECT_EQ(FailedCycles(daemon->Stdout()), 0u) << daemon->Stdout().substr(0, 4000);
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(std::chrono::seconds(12)).exit_code, 0);
}

}  // namespace
}  // namespace xdrsync::integration
