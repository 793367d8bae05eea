// xdrsync-reconcile-bench: the reconciler's own cost per changed incident, in process, the other
// half of issue 9's "reconcile + store <= 50 us" (the store's half is xdrsync-store-bench).
//
// A world of `--pairs` twinned incidents like the steady-state bench's (500-character
// descriptions, 5 alerts, tags, comments) is made by the reconciler itself (tests/unit/reconcile/
// world.h, the engine-like world the reconciler's tests use). Then, `--rounds` times, every pair
// changes (owner and severity on one side, alternating sides by pair and round) and the plan for
// them is made by `Reconcile` once, as a cycle over that many changed pairs would, and applied
// (not timed) before the next round. Prints the time per changed incident: wall and this thread's
// CPU.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "unit/reconcile/world.h"

namespace {

using xdrsync::reconcile::Input;
using xdrsync::reconcile::LinkMode;
using xdrsync::reconcile::LinkPolicy;
using xdrsync::reconcile::Plan;
using xdrsync::reconcile::testing::World;

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

std::string Description(int i) {
  std::string text = "Multi-stage incident " + std::to_string(i) + ": ";
  while (text.size() < 500) text += "suspicious sign-in followed by credential access on host-" + std::to_string(i) + ". ";
  text.resize(500);
  return text;
}

void Seed(World& w, int pairs) {
  for (int i = 0; i < pairs; ++i) {
    auto& d = w.NewDefender(std::to_string(100000 + i));
    d.description = Description(i);
    d.custom_tags = {"bench", "tier-" + std::to_string(i % 3)};
    for (int a = 0; a < 5; ++a) {
      xdrsync::domain::DefenderAlert alert;
      alert.id = "da" + std::to_string(i) + "-" + std::to_string(a);
      alert.incident_id = d.id;
      alert.title = "Alert " + std::to_string(a) + " of incident " + d.id;
      alert.severity = xdrsync::domain::ParseDSeverity("medium");
      alert.service_source = "microsoftDefenderForEndpoint";
      alert.created = d.created;
      d.alerts->push_back(alert);
    }
  }
  for (int c = 0; c < 4; ++c) w.Cycle();  // twins, alert tables, deep links, settled
}

// Every pair changes: owner and severity, on Defender for even pairs in even rounds, else on
// the twin.
void ChangeEveryPair(World& w, int round) {
  int i = 0;
  for (auto& [id, d] : w.defender) {
    const std::string owner = "analyst-" + std::to_string(round) + "-" + id + "@contoso.com";
    if ((i++ + round) % 2 == 0) {
      d.assigned_to = owner;
      d.severity = xdrsync::domain::ParseDSeverity(round % 2 == 0 ? "high" : "low");
      w.TouchDefender(id);
    } else if (auto* twin = w.TwinOf(id)) {
      auto& s = w.Twin(id);
      s.owner = xdrsync::domain::SentinelOwner{"", owner, "", owner, xdrsync::domain::ParseSOwnerType("User")};
      s.severity = xdrsync::domain::ParseSSeverity(round % 2 == 0 ? "High" : "Low");
      w.TouchSentinel(twin->name);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int pairs = 200, rounds = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (v <= 0) return std::fprintf(stderr, "xdrsync-reconcile-bench: %s needs a positive number\n", argv[i]), 2;
    if (flag == "--pairs") pairs = v;
    else if (flag == "--rounds") rounds = v;
    else return std::fprintf(stderr, "usage: xdrsync-reconcile-bench [--pairs N] [--rounds N]\n"), 2;
  }
  LinkPolicy policy = LinkPolicy::Defaults(LinkMode::kMirror);
  policy.digest_min_interval_seconds = 0;
  World w(policy);
  w.digest_bases = true;  // as the store keeps long free-text bases
  Seed(w, pairs);
  double wall = 0, cpu = 0;
  size_t writes = 0;
  for (int round = 0; round < rounds; ++round) {
    ChangeEveryPair(w, round);
    w.Tick();
    Input in;
    in.policy = &w.policy;
    in.now = w.now;
    in.observed.defender = w.defender;
    in.observed.sentinel = w.sentinel;
    in.pairs = w.pairs;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuSeconds();
    const Plan plan = xdrsync::reconcile::Reconcile(in);
    cpu += ThreadCpuSeconds() - cpu_start;
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    writes += plan.sentinel_writes.size() + plan.defender_writes.size();
    w.Cycle();  // applies this round's changes (planned again, not timed)
  }
  const double changed = static_cast<double>(pairs) * rounds;
  std::printf("reconcile per changed incident: %.1f us wall, %.1f us CPU (%d pairs all changed, %d rounds, %.2f "
              "writes planned a change)\n",
              wall * 1e6 / changed, cpu * 1e6 / changed, pairs, rounds, static_cast<double>(writes) / changed);
  return 0;
}
