// The operator's repair commands (spec §3, §4, §10): `forget`, `resync` and `remap`. Each prints
// JSON lines, takes --dry-run (reads, writes nothing anywhere) and, when it would write, refuses to
// run beside a daemon that holds the state (exit 75; `--wait SECONDS` waits that long first), and
// holds the writer lock while it writes, so a repair never races the sync it repairs.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "state_lock.h"
#include "xdrsync/store/state_store.h"

namespace xdrsync::cli {
namespace {

using nlohmann::json;

bool DryRun(const Args& args) { return args.flags.count("--dry-run") > 0; }

void Line(const json& j) { std::printf("%s\n", DumpForTerminal(j).c_str()); }

// A command that syncs one configured link: its configuration, process and runner. When `runner`
// is null, the reason has been printed and `code` is the exit code.
struct LinkCommand {
  std::optional<app::Config> config;  // a dry run's (the process keeps its own copy)
  std::unique_ptr<Process> process;
  engine::LinkRunner* runner = nullptr;
  int code = kExitOk;
};

LinkCommand StartForLink(const Args& args) {
  LinkCommand c;
  if (DryRun(args)) {
    c.config = LoadConfigOrReport(args.config_path);
    c.code = kExitConfig;
    if (!c.config) return c;
    c.code = kExitLinkFailed;
    c.process = StartProcess(*c.config, true, stderr);
  } else {
    c.process = StartWriter(args, true, stderr, &c.code);
  }
  if (!c.process) return c;
  c.runner = c.process->runtime->runner(args.rest[0]);
  if (c.runner == nullptr) {
    std::fprintf(stderr, "xdrsync: no running link named '%s' (it must be configured, in this process's shard, not paused or refused)\n",
                 Printable(args.rest[0]).c_str());
    c.code = kExitUsage;
  }
  return c;
}

// True (after printing it) when the cycle failed as a whole.
bool CycleFailed(const engine::LinkRunner& runner, const engine::CycleReport& r) {
  if (r.status.ok()) return false;
  std::fprintf(stderr, "xdrsync: link %s: %s\n", Printable(runner.name()).c_str(), Printable(r.status.ToString()).c_str());
  return true;
}

void PrintForgotten(const std::string& link, const store::ForgetSummary& s, bool whole_link, bool dry) {
  for (const auto& p : s.pairs) {
    Line({{"link", link}, {"op", "forget"}, {"defender_id", p.key.defender_id}, {"sentinel_id", p.sentinel_id},
          {"state", store::PairStateName(p.state)}, {"dry_run", dry}});
  }
  Line({{"link", link}, {"op", whole_link ? "forget-link" : "forget-pair"}, {"pairs", s.pairs.size()},
        {"outbox_rows", s.outbox_rows}, {"quarantined", s.quarantined}, {"open_conflicts", s.open_conflicts},
        {"link_rows", s.link_rows}, {"dry_run", dry}});
}

}  // namespace

int Forget(const Args& args) {
  auto config = LoadConfigOrReport(args.config_path);
  if (!config) return kExitConfig;
  const bool dry = DryRun(args);
  const auto wait_seconds = WaitOrReport(args, 0);
  if (!wait_seconds) return kExitUsage;
  // Held until the forgetting is committed, so a daemon starting meanwhile waits for it.
  std::unique_ptr<store::WriterLock> lock;
  if (!dry) {
    int code = kExitOk;
    lock = TakeWriterLock(config->state_path, "forget", *wait_seconds, &code);
    if (!lock) return code;
  }
  auto store = store::OpenStateStore(config->state_path);
  if (!store.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(store.status().ToString()).c_str());
    return kExitLinkFailed;
  }
  store::ForgetScope scope{args.rest[0], std::nullopt};
  if (args.rest.size() > 1) scope.defender_id = args.rest[1];
  auto done = (*store)->Forget(scope, dry, SystemClock().Now(), "operator: xdrsync forget");
  if (!done.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(done.status().ToString()).c_str());
    return kExitLinkFailed;
  }
  if (scope.defender_id && done->pairs.empty()) {
    std::fprintf(stderr, "xdrsync: link '%s' has no pair for Defender incident '%s'\n", Printable(scope.link).c_str(),
                 Printable(*scope.defender_id).c_str());
    return kExitUsage;
  }
  if (!scope.defender_id && done->empty()) {
    std::fprintf(stderr, "xdrsync: no state recorded for a link named '%s'\n", Printable(scope.link).c_str());
    return kExitUsage;
  }
  PrintForgotten(scope.link, *done, !scope.defender_id, dry);
  const bool configured = std::any_of(config->links.begin(), config->links.end(),
                                      [&](const app::LinkConfig& l) { return l.name == scope.link; });
  if (configured) {
    std::fprintf(stderr,
                 "xdrsync: note: link '%s' is still configured; its next cycles adopt its twins again from both "
                 "services (remove it from the configuration to stop it)\n",
                 Printable(scope.link).c_str());
  }
  return kExitOk;
}

int Resync(const Args& args) {
  LinkCommand c = StartForLink(args);
  if (c.runner == nullptr) return c.code;
  engine::LinkRunner* runner = c.runner;
  engine::CycleOptions o;
  o.resync = args.rest[1];
  o.dry_run = DryRun(args);
  const engine::CycleReport r = runner->RunCycle(o);
  if (CycleFailed(*runner, r)) return kExitLinkFailed;
  PrintPlan(runner->name(), r.plan);
  Line({{"link", runner->name()}, {"op", "resync"}, {"defender_id", args.rest[1]}, {"dry_run", o.dry_run},
        {"writes_planned", r.writes_planned}, {"writes_done", r.writes_done}, {"writes_failed", r.writes_failed}});
  return r.writes_failed == 0 ? kExitOk : kExitLinkFailed;
}

int Remap(const Args& args) {
  LinkCommand c = StartForLink(args);
  if (c.runner == nullptr) return c.code;
  engine::LinkRunner* runner = c.runner;
  engine::CycleOptions o;
  o.remap = true;
  o.full_sweep = true;  // every pair is read: a remap concerns twins that did not change
  o.dry_run = DryRun(args);
  size_t applied = 0, failed = 0, remaining = 0;
  // Each cycle writes at most the link's write cap of pairs; the next one takes the rest.
  for (int round = 0; round < 1000; ++round) {
    const engine::CycleReport r = runner->RunCycle(o);
    if (CycleFailed(*runner, r)) return kExitLinkFailed;
    size_t planned = 0;
    for (const auto& m : r.plan.remaps) {
      planned += m.planned ? 1 : 0;
      if (m.planned || o.dry_run) {
        Line({{"link", runner->name()}, {"op", "remap"}, {"defender_id", m.defender_id}, {"sentinel_id", m.sentinel_id},
              {"field", domain::FieldName(m.field)}, {"from", m.from}, {"to", m.to}, {"dry_run", o.dry_run}});
      }
    }
    remaining = r.plan.remaps.size() - planned;
    failed += r.writes_failed;
    applied += planned;
    if (r.held) std::fprintf(stderr, "xdrsync: link %s: %s\n", Printable(runner->name()).c_str(), Printable(r.plan.held_reason).c_str());
    if (o.dry_run) remaining = r.plan.remaps.size();
    if (o.dry_run || r.held || planned == 0 || remaining == 0 || r.writes_failed > 0) break;
  }
  Line({{"link", runner->name()}, {"op", "remap-summary"}, {"dry_run", o.dry_run}, {"written", o.dry_run ? 0 : applied},
        {"remaining", remaining}, {"writes_failed", failed}});
  return failed == 0 && (o.dry_run || remaining == 0) ? kExitOk : kExitLinkFailed;
}

}  // namespace xdrsync::cli
