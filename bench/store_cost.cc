// xdrsync-store-bench: the state store's cost per changed incident, in process, on a real file
// (WAL, synchronous=FULL), so it can be told apart from the daemon's HTTP work. A store of
// `--pairs` pairs with the benchmark's bases (500-character descriptions rendered with 5 alerts,
// both sides) takes `--changes` changes as the engine records them: one decision per cycle of
// `--per-cycle` changes (pair upsert, base moves, one outbox row each), then each write's
// confirmation (its base moves, an audit row) and the quarantine release that follows it, either
// one transaction per call (as before batching) or through a StoreBatch. Prints µs per change,
// of wall time (the commits' fsyncs included) and of this process's CPU time.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

#include <sys/resource.h>
#include <unistd.h>

#include "xdrsync/store/state_store.h"
#include "xdrsync/store/store_batch.h"

namespace {

using namespace xdrsync;
using namespace xdrsync::store;
using Clock = std::chrono::steady_clock;

const std::string kLink = "tenant0-to-ws0";

std::vector<BaseMove> Moves(const PairKey& key, int64_t tick, const std::string& status) {
  const std::string description = std::string(500, 'x') + std::string(600, 'a');
  std::vector<BaseMove> out;
  for (Side side : {Side::kDefender, Side::kSentinel}) {
    const VersionStamp stamp{Timestamp::FromTicks(tick), side == Side::kSentinel ? "\"etag-" + std::to_string(tick) + "\"" : ""};
    out.push_back({key, side, domain::Field::kStatus, {status, stamp, side == Side::kSentinel}});
    out.push_back({key, side, domain::Field::kDescription, {description, stamp, false}});
    out.push_back({key, side, domain::Field::kTitle, {"Bench incident " + key.defender_id, stamp, false}});
  }
  return out;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "xdrsync-store-bench: %s\n", s.ToString().c_str());
  return 1;
}

struct Spent {
  double wall = 0;
  double cpu = 0;
  double user = 0;  // of which in user space: our code and SQLite's
  double sys = 0;   // and in the kernel: the WAL's writes, fsyncs and locks
};

// This process's user and system CPU seconds so far.
std::pair<double, double> UserSys() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return {seconds(u.ru_utime), seconds(u.ru_stime)};
}

// Records `changes` changes in cycles of `per_cycle`; returns the time spent in the store.
Result<Spent> Run(StateStore& store, int pairs, int changes, int per_cycle, bool batched) {
  Spent spent;
  for (int done = 0; done < changes; done += per_cycle) {
    const auto start = Clock::now();
    const std::clock_t cpu_start = std::clock();
    const auto [user_start, sys_start] = UserSys();
    Decision d;
    for (int i = done; i < done + per_cycle && i < changes; ++i) {
      const PairKey key{kLink, std::to_string((i * 7919) % pairs)};
      for (auto& m : Moves(key, 1000 + i, "active")) d.bases.push_back(std::move(m));
      d.outbox.push_back({0, key, Side::kSentinel, "put", "{\"status\":\"Active\"}", Timestamp::FromTicks(i), Timestamp::FromTicks(i), 0, ""});
    }
    std::vector<int64_t> ids;
    if (Status s = store.RecordDecision(d, &ids); !s.ok()) return s;
    StoreBatch batch(store);
    for (size_t k = 0; k < ids.size(); ++k) {
      const PairKey key = d.outbox[k].pair;
      AuditEntry a{0, Timestamp::FromTicks(1), kLink, key.defender_id, "s-" + key.defender_id, "status",
                   Direction::kDefenderToSentinel, "New", "Active", "defender changed status"};
      Decision release{.quarantine = {{{kLink, Side::kDefender, key.defender_id, "", "", 0, {}, {}}, true}}};
      Status s = batched ? batch.Confirm(ids[k], Moves(key, 2000 + done, "closed"), {a}, {})
                         : store.ConfirmWrite(ids[k], Moves(key, 2000 + done, "closed"), {a}, {});
      if (s.ok()) s = batched ? batch.Record(std::move(release)) : store.RecordDecision(release);
      if (!s.ok()) return s;
    }
    if (Status s = batch.Commit(); !s.ok()) return s;
    spent.wall += std::chrono::duration<double>(Clock::now() - start).count();
    spent.cpu += static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    const auto [user_end, sys_end] = UserSys();
    spent.user += user_end - user_start;
    spent.sys += sys_end - sys_start;
  }
  return spent;
}

}  // namespace

int main(int argc, char** argv) {
  int pairs = 10000, changes = 2000, per_cycle = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (v <= 0) return std::fprintf(stderr, "xdrsync-store-bench: %s needs a positive number\n", argv[i]), 2;
    if (flag == "--pairs") pairs = v;
    else if (flag == "--changes") changes = v;
    else if (flag == "--per-cycle") per_cycle = v;
    else return std::fprintf(stderr, "usage: xdrsync-store-bench [--pairs N] [--changes N] [--per-cycle N]\n"), 2;
  }
  const std::string dir = (std::filesystem::temp_directory_path() / ("xdrsync-store-bench-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  auto opened = OpenStateStore(dir + "/state.db");
  if (!opened.ok()) return Fail(opened.status());
  StateStore& store = **opened;
  for (int done = 0; done < pairs; done += 1000) {
    Decision d;
    for (int i = done; i < done + 1000 && i < pairs; ++i) {
      Pair p;
      p.key = {kLink, std::to_string(i)};
      p.sentinel_id = "s-" + std::to_string(i);
      d.pairs.push_back(p);
      for (auto& m : Moves(p.key, 1, "new")) d.bases.push_back(std::move(m));
    }
    if (Status s = store.RecordDecision(d); !s.ok()) return Fail(s);
  }
  for (bool batched : {false, true}) {
    auto spent = Run(store, pairs, changes, per_cycle, batched);
    if (!spent.ok()) return Fail(spent.status());
    std::printf("store per changed incident, %s: %.1f us wall, %.1f us CPU (%.1f user, %.1f system) (%d pairs, %d "
                "changes, %d a cycle)\n",
                batched ? "batched confirmations" : "one transaction per confirmation", spent->wall * 1e6 / changes,
                spent->cpu * 1e6 / changes, spent->user * 1e6 / changes, spent->sys * 1e6 / changes, pairs, changes,
                per_cycle);
  }
  opened->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
