// xdrsync-chaos: the real daemon against the real emulator under random analysts, faults and
// kills, then an oracle over the end state (oracle.h). Its last line is the summary
// `steps=M analyst_changes=… faults=… kills=… writes=… lost=0 duplicates=0 echoes=0`, printed on
// failure too, and the line before it the command that replays the run. Exit 0 only when every
// check passes; 1 on a violation; 2 when the run itself could not be set up.
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "analyst.h"
#include "daemon.h"
#include "emulator.h"
#include "faults.h"
#include "options.h"
#include "oracle.h"
#include "request_log.h"
#include "state_db.h"
#include "topology.h"
#include "state_disk.h"
#include "world_index.h"

namespace xdrsync::chaos {
namespace {

using Clock = std::chrono::steady_clock;

struct Summary {
  int64_t analyst_changes = 0, faults = 0, kills = 0;
  std::vector<std::string> lost_states;  // where each lost state database was moved
  std::vector<std::string> setup_problems;
  Verdict verdict;
};

// After a SIGKILL chosen for it: the state is lost, and every second time an operator runs
// `rebuild-state` before the restart (the other times the daemon recovers on its own).
void LoseState(Daemon& daemon, const std::string& state_path, Summary& summary) {
  summary.lost_states.push_back(daemon.LoseState(state_path));
  if (summary.lost_states.size() % 2 == 1) {
    // Under the run's faults a listing can fail: the operator reads the one line and runs it again.
    std::string output;
    int rc = 1;
    for (int attempt = 0; attempt < 3 && rc != 0; ++attempt) rc = daemon.RebuildState(&output);
    if (rc != 0) {
      summary.setup_problems.push_back("rebuild-state exited " + std::to_string(rc) + " three times: " +
                                       output.substr(output.size() > 400 ? output.size() - 400 : 0));
    }
  }
}

// --api-variance rotate: the emulator's Graph listing changes behaviour every quarter of the run.
std::string RotateVariance(const Options& o, int step, Emulator& emu) {
  const int quarter = std::max(1, o.steps / 4);
  if (o.api_variance != "rotate" || step % quarter != 0) return "";
  const std::string& mode = RotatedModes()[static_cast<size_t>(step / quarter) % RotatedModes().size()];
  return emu.Call("POST", "/settings", ApiVarianceSettings(mode)).ok() ? "api-variance " + mode
                                                                         : "api-variance " + mode + " (not set)";
}

void PrintSummary(const Options& o, const Summary& s) {
  std::printf("replay: %s\n", ReplayCommand(o).c_str());
  std::printf("steps=%d analyst_changes=%lld faults=%lld kills=%lld writes=%lld lost=%lld duplicates=%lld echoes=%lld\n",
              o.steps, static_cast<long long>(s.analyst_changes), static_cast<long long>(s.faults),
              static_cast<long long>(s.kills), static_cast<long long>(s.verdict.writes),
              static_cast<long long>(s.verdict.lost), static_cast<long long>(s.verdict.duplicates),
              static_cast<long long>(s.verdict.echoes));
  std::fflush(stdout);
}

// Waits until the outbox is empty and no effective write was seen for `quiet`; false at `limit`.
bool Settle(RequestLog& log, const std::string& state_path, Clock::duration quiet, Clock::duration limit) {
  const auto deadline = Clock::now() + limit;
  int64_t writes = -1;
  auto last_change = Clock::now();
  while (Clock::now() < deadline) {
    log.Harvest();
    const int64_t now_writes = log.EffectiveWritesAfter(-1);
    if (now_writes != writes) {
      writes = now_writes;
      last_change = Clock::now();
    }
    if (Clock::now() - last_change >= quiet && ReadState(state_path, false).outbox == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

// --disk-full: at the chosen steps the state's file system fills up, and is freed 1 to 4 steps later.
class DiskFaults {
 public:
  DiskFaults(const Options& o, std::mt19937_64& rng, StateDisk* disk) : disk_(disk), rng_(&rng) {
    for (int k = 0; k < o.disk_full; ++k) fill_steps_.insert(std::uniform_int_distribution<int>(0, o.steps - 1)(rng));
  }
  // What this step did to the disk ("" when nothing).
  std::string Step(int step) {
    if (!disk_) return "";
    if (disk_->full() && step >= free_at_) {
      disk_->Free();
      return "disk freed";
    }
    if (disk_->full() || !fill_steps_.count(step)) return "";
    const long long bytes = disk_->Fill();
    free_at_ = step + std::uniform_int_distribution<int>(1, 4)(*rng_);
    ++episodes_;
    return "disk full (" + std::to_string(bytes >> 10) + " KiB of ballast)";
  }
  // A state loss is an operator's restore: it needs room.
  void FreeNow() {
    if (disk_ && disk_->full()) disk_->Free();
  }
  int episodes() const { return episodes_; }

 private:
  StateDisk* disk_;
  std::mt19937_64* rng_;
  std::set<int> fill_steps_;
  int free_at_ = 0;
  int episodes_ = 0;
};

// The M steps: an analyst change, the faults' next move, and at the chosen steps a SIGKILL with a
// restart one to three steps later. Returns how each daemon that ended on its own ended.
std::vector<std::string> DriveSteps(const Options& o, std::mt19937_64& rng, Emulator& emu, Analyst& analyst,
                                    Faults& faults, Daemon& daemon, RequestLog& log, Summary& summary,
                                    const std::string& state_path, DiskFaults& disk) {
  std::multiset<int> kill_steps;
  for (int k = 0; k < o.kills; ++k) kill_steps.insert(std::uniform_int_distribution<int>(0, o.steps - 1)(rng));
  // Which kills (by their order) also lose the state.
  std::vector<int> order(static_cast<size_t>(o.kills));
  for (int k = 0; k < o.kills; ++k) order[static_cast<size_t>(k)] = k;
  std::shuffle(order.begin(), order.end(), rng);
  const std::set<int> losing(order.begin(), order.begin() + o.state_losses);
  int down_until = -1;
  std::vector<std::string> crashes;
  for (int step = 0; step < o.steps; ++step) {
    const WorldIndex world(emu.World());
    const std::string variance = RotateVariance(o, step, emu);
    const std::string did = analyst.Step(world);
    const std::string fault = faults.Step();
    const std::string disk_fault = disk.Step(step);
    bool killed = false, lost = false;
    for (size_t n = kill_steps.count(step); n > 0; --n) {
      if (!daemon.running()) continue;
      // A random moment inside the next poll interval, not always right after our own change.
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 900)(rng)));
      daemon.Kill();
      if (losing.count(static_cast<int>(summary.kills))) {
        disk.FreeNow();
        LoseState(daemon, state_path, summary);
        lost = true;
      }
      ++summary.kills;
      killed = true;
      down_until = step + std::uniform_int_distribution<int>(0, 2)(rng);
    }
    if (!killed && !daemon.running() && step > down_until) {
      if (down_until < step - 1 || summary.kills == 0) crashes.push_back(daemon.HowItEnded());
      daemon.Start();
    }
    if (o.verbose) {
      // Wall-clock time (UTC, as the daemon's log lines carry it) so steps line up with its log.
      const auto wall = std::chrono::system_clock::now();
      const std::time_t secs = std::chrono::system_clock::to_time_t(wall);
      const int ms = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count() % 1000);
      std::tm utc{};
      ::gmtime_r(&secs, &utc);
      std::printf("step %d at %02d:%02d:%02d.%03d: %s%s%s%s%s%s\n", step, utc.tm_hour, utc.tm_min, utc.tm_sec, ms,
                  did.c_str(), fault.empty() ? "" : (" | " + fault).c_str(), killed ? " | SIGKILL" : "",
                  lost ? " | state lost" : "", variance.empty() ? "" : (" | " + variance).c_str(),
                  disk_fault.empty() ? "" : (" | " + disk_fault).c_str());
    }
    if (step % 8 == 7) log.Harvest();
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 450)(rng)));
  }
  return crashes;
}

// The run cannot be made on this machine (--disk-full without root): ctest reports it skipped.
constexpr int kCannotRun = 77;

// Where the run lives: its directory (kept when the run fails), the daemon's config, and its state,
// on a file system of its own under --disk-full.
struct RunDir {
  std::string dir, config_path, state_path;
  StateDisk disk;
};

// The run directory, the state's file system and the emulator, before anything else starts:
// 0, or the exit code after printing why not (and, once the directory exists, an all-zero summary).
int SetUpRun(const Options& o, RunDir& run, std::unique_ptr<Emulator>& emu) {
  run.dir = (std::filesystem::temp_directory_path() / "xdrsync-chaos-XXXXXX").string();
  if (::mkdtemp(run.dir.data()) == nullptr) {
    std::fprintf(stderr, "cannot create a run directory\n");
    return 2;
  }
  const std::string& dir = run.dir;
  std::printf("run directory: %s\n", dir.c_str());
  std::string error;
  // The state on a file system of its own that can fill up (--disk-full), before anything starts.
  const std::string state_dir = o.disk_full > 0 ? dir + "/state" : dir;
  if (o.disk_full > 0 && !run.disk.Mount(state_dir, 64, &error)) {
    std::printf("%s\n", error.c_str());
    PrintSummary(o, Summary{});
    return kCannotRun;
  }
  emu = Emulator::Start(dir, Scenario(), o.seed, ApiVarianceArgs(o.api_variance), &error);
  if (!emu) {
    std::printf("%s\n", error.c_str());
    PrintSummary(o, Summary{});
    return 2;
  }
  run.config_path = dir + "/xdrsync.json";
  run.state_path = state_dir + "/state.db";
  std::ofstream(run.config_path) << DaemonConfig(run.state_path, emu->base_url()).dump(2);
  return 0;
}

// Who acts during a run, all drawing on the one random generator seeded by --seed.
struct Actors {
  // Opens the analysts' incidents, turns the faults on and starts the daemon, in that order (so
  // that the daemon's first requests meet them too).
  Actors(const Options& o, Emulator& emu, const RunDir& run)
      : rng(o.seed),
        analyst(emu, rng, history, o.seed),
        daemon(run.dir, run.config_path),
        faults(emu, rng, o.fault_rate, o.seed),
        log(emu) {
    for (const auto& link : Links()) {
      for (int i = 0; i < o.open_incidents; ++i) analyst.CreateIncident(link);
    }
    faults.Enable();
    if (o.lose_first_create_alert) faults.LoseFirstCreateAlert();
    daemon.Start();
  }
  std::mt19937_64 rng;
  History history;
  Analyst analyst;
  Daemon daemon;
  Faults faults;
  RequestLog log;
};

// What the run's end looked like, for the verdict and the report.
struct Ending {
  std::vector<std::string> crashes;  // how each daemon that ended on its own ended
  bool settled = false;
  Clock::duration steps_time{}, settle_time{};
  int64_t idle_mark = 0, idle_writes = 0;
  int stop_code = 0;  // of the last daemon, on SIGTERM
};

// The steps, then with faults off and the daemon up, the wait for it to settle.
Ending DriveAndSettle(const Options& o, Emulator& emu, Actors& a, DiskFaults& disk_faults,
                      const std::string& state_path, Clock::time_point started, Summary& summary) {
  Ending e;
  e.crashes = DriveSteps(o, a.rng, emu, a.analyst, a.faults, a.daemon, a.log, summary, state_path, disk_faults);
  a.faults.Disable();
  disk_faults.FreeNow();
  summary.faults = a.faults.fired();
  if (!a.daemon.running()) a.daemon.Start();
  const auto steps_done = Clock::now();
  e.settled = Settle(a.log, state_path, std::chrono::seconds(4), std::chrono::seconds(o.settle_seconds));
  const auto settle_done = Clock::now();
  e.steps_time = steps_done - started;
  e.settle_time = settle_done - steps_done;
  return e;
}

// Idle: a few poll intervals with nothing to do must write nothing.
void MeasureIdle(RequestLog& log, Ending& e) {
  log.Harvest();
  e.idle_mark = log.last_seq();
  std::this_thread::sleep_for(std::chrono::seconds(5));
  log.Harvest();
  e.idle_writes = log.EffectiveWritesAfter(e.idle_mark);
}

// The daemon's final state, with the conflict journals of lost states: an operator keeps the moved file.
StateSnapshot FinalState(const std::string& state_path, const std::vector<std::string>& lost_states) {
  StateSnapshot state = ReadState(state_path, true);
  for (const auto& lost : lost_states) {
    const StateSnapshot old = ReadState(lost, false);
    state.conflicts.insert(old.conflicts.begin(), old.conflicts.end());
  }
  return state;
}

// The oracle's verdict over the end state, then what went wrong with the run itself.
void Judge(const Options& o, const nlohmann::json& world_dump, const Actors& a, const StateSnapshot& state,
           const Ending& e, Summary& summary) {
  const WorldIndex final_world(world_dump);
  summary.analyst_changes = a.history.analyst_changes;
  OracleInput in{&final_world, &a.history, &a.log, &state, e.idle_writes, e.idle_mark, !summary.lost_states.empty()};
  summary.verdict = Check(in);
  Verdict& v = summary.verdict;
  for (const auto& p : summary.setup_problems) v.problems.push_back(p);
  if (!e.settled) v.problems.push_back("did not settle within " + std::to_string(o.settle_seconds) + " s");
  if (e.stop_code != 0) v.problems.push_back("xdrsync run exited " + std::to_string(e.stop_code) + " on SIGTERM");
  for (const auto& c : e.crashes) v.problems.push_back("xdrsync run exited on its own: " + c.substr(0, 600));
  if (a.log.overflowed()) v.problems.push_back("note: the request journal overflowed between harvests");
}

bool Failed(const Summary& s, const Ending& e) {
  const Verdict& v = s.verdict;
  return v.lost > 0 || v.duplicates > 0 || v.echoes > 0 || v.state_errors > 0 || v.unguarded > 0 || !e.settled || e.stop_code != 0 ||
         !e.crashes.empty() || !s.setup_problems.empty();
}

// The run's counters and timings, then the first 40 problems.
void PrintReport(const Actors& a, const DiskFaults& disk_faults, const Summary& summary, const Ending& e,
                 const StateSnapshot& state) {
  const Verdict& v = summary.verdict;
  const auto secs = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  std::printf("daemon starts=%d state_losses=%zu disk_full=%d faults_by_kind: %s\n", a.daemon.starts(),
              summary.lost_states.size(), disk_faults.episodes(), a.faults.Describe().c_str());
  std::printf("steps %.1f s, settle %.1f s; requests=%lld idle_writes=%lld ambiguous=%lld quarantined=%ld "
              "conflicts_journaled=%zu left_to_operator=%lld analyst_call_failures=%lld unguarded_patches=%lld\n",
              secs(e.steps_time), secs(e.settle_time), static_cast<long long>(a.log.requests()),
              static_cast<long long>(e.idle_writes), static_cast<long long>(v.ambiguous), state.quarantined,
              state.conflicts.size(), static_cast<long long>(v.left_to_operator),
              static_cast<long long>(a.analyst.failed_calls()), static_cast<long long>(v.unguarded));
  const size_t shown = std::min<size_t>(v.problems.size(), 40);
  for (size_t i = 0; i < shown; ++i) std::printf("problem: %s\n", v.problems[i].c_str());
  if (v.problems.size() > shown) std::printf("problem: ... and %zu more\n", v.problems.size() - shown);
}

// The emulator's journal as it ends: its request log (the last 20,000 requests, reads included) and
// its history of changes.
nlohmann::json Journal(const Emulator& emu) {
  nlohmann::json j = nlohmann::json::object();
  for (const char* what : {"requests", "history"}) {
    const ControlReply r = emu.Call("GET", std::string("/") + what);
    j[what] = r.ok() ? r.body.value(what, nlohmann::json::array()) : nlohmann::json::array();
  }
  return j;
}

// A passed run leaves nothing behind (unless --keep); a failed one keeps its directory, with the
// final world, the emulator's request journal and history (every read and write of the daemon and
// every analyst change, with the emulator's times), and a copy of the state, for the diagnosis.
void KeepOrRemove(const Options& o, bool failed, const nlohmann::json& world_dump, const nlohmann::json& journal,
                  RunDir& run) {
  if (!failed && !o.keep) {
    if (o.disk_full > 0) run.disk.Unmount();
    std::error_code ec;
    std::filesystem::remove_all(run.dir, ec);
  } else {
    std::ofstream(run.dir + "/world.json") << world_dump.dump(1);
    std::ofstream(run.dir + "/journal.json") << journal.dump(1);
    if (o.disk_full > 0) run.disk.CopyOut(run.dir + "/state.kept");  // the tmpfs ends with this process
    std::printf("kept %s (daemonN.out, world.json, journal.json, %s)\n", run.dir.c_str(),
                o.disk_full > 0 ? "state.kept/state.db" : "state.db");
  }
}

int RunChaos(const Options& o) {
  RunDir run;
  std::unique_ptr<Emulator> emu;
  if (const int rc = SetUpRun(o, run, emu); rc != 0) return rc;
  Summary summary;
  Actors a(o, *emu, run);
  const auto started = Clock::now();
  DiskFaults disk_faults(o, a.rng, o.disk_full > 0 ? &run.disk : nullptr);
  Ending ending = DriveAndSettle(o, *emu, a, disk_faults, run.state_path, started, summary);
  MeasureIdle(a.log, ending);
  ending.stop_code = a.daemon.Stop();

  const nlohmann::json world_dump = emu->World();
  const nlohmann::json journal = Journal(*emu);
  const StateSnapshot state = FinalState(run.state_path, summary.lost_states);
  Judge(o, world_dump, a, state, ending, summary);
  PrintReport(a, disk_faults, summary, ending, state);
  const bool failed = Failed(summary, ending);
  emu.reset();
  KeepOrRemove(o, failed, world_dump, journal, run);
  PrintSummary(o, summary);
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace xdrsync::chaos

int main(int argc, char** argv) {
  xdrsync::chaos::Options o;
  std::string error;
  if (!xdrsync::chaos::ParseOptions(argc, argv, &o, &error)) {
    std::fprintf(stderr, "xdrsync-chaos: %s\n", error.c_str());
    return 2;
  }
  return xdrsync::chaos::RunChaos(o);
}
