#include "commands.h"

#include <csignal>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "common.h"
#include "state_lock.h"

namespace xdrsync::cli {

using nlohmann::json;

std::string Usage() {
  return "usage: xdrsync [--config FILE] <command>\n"
         "  run [--shard ORDINAL/COUNT]   the daemon: sync every link (or this shard's) until SIGTERM\n"
         "  once [--wait SECONDS]   sync every link until it has settled, then exit (0 ok, 1 a link failed)\n"
         "  plan                 read both sides and print every write it would make (JSON lines); writes nothing\n"
         "  status               links, watermarks, lag, pairs, outbox, conflicts, quarantine\n"
         "  audit [--incident ID] [--limit N]   the audit trail, newest first (JSON lines)\n"
         "  check-config         validate the configuration file\n"
         "  rebuild-state [--wait SECONDS]   re-derive pairs and bases from both APIs after the state was lost\n"
         "  approve LINK [--wait SECONDS]    let a mass change held by the safety valve through, once\n"
         "  forget LINK [DEFENDER_ID] [--dry-run]   drop a link's state, or one pair's; writes nothing to either API\n"
         "  resync LINK DEFENDER_ID [--dry-run]     re-read one pair and re-plan it from scratch (re-creates a deleted twin)\n"
         "  remap LINK [--dry-run]                  write a changed owner map or title prefix to existing twins\n"
         "  demo                 run against the built-in emulator and narrate what is synced\n"
         "  healthcheck          exit 0 if /readyz on the listen address answers 200 (container HEALTHCHECK)\n"
         "once, approve, rebuild-state, forget, resync and remap take the state's writer lock: while a daemon\n"
         "holds it they wait --wait SECONDS (once: 30, the others: 0), then exit 75 naming the process that\n"
         "holds it; stop it first (systemctl stop xdrsync). run waits for it as long as it takes.\n"
         "Exit codes: 0 ok, 1 a link failed, 64 usage, 75 the state is in use, 78 bad configuration.\n"
         "The configuration defaults to /etc/xdrsync/xdrsync.json.\n";
}

int CheckConfig(const Args& args) {
  auto config = LoadConfigOrReport(args.config_path);
  if (!config) return kExitConfig;
  for (const auto& w : app::CredentialWarnings(*config)) std::fprintf(stderr, "xdrsync: warning: %s\n", Printable(w).c_str());
  std::printf("%s: ok (%zu defender tenants, %zu sentinel workspaces, %zu links)\n", Printable(args.config_path).c_str(),
              config->defender_tenants.size(), config->sentinel_workspaces.size(), config->links.size());
  return kExitOk;
}

namespace {

std::string Dump(const json& j) { return DumpForTerminal(j); }

}  // namespace

void PrintPlan(const std::string& link, const reconcile::Plan& plan) {
  auto emit = [&](const std::string& described) {
    json j = json::parse(described, nullptr, false);
    if (j.is_discarded()) return;
    j["link"] = link;
    std::printf("%s\n", Dump(j).c_str());
  };
  for (const auto& c : plan.creations) emit(engine::DescribeWrite(c));
  for (const auto& w : plan.sentinel_writes) emit(engine::DescribeWrite(w));
  for (const auto& w : plan.defender_writes) emit(engine::DescribeWrite(w));
  for (const auto& c : plan.comments) emit(engine::DescribeWrite(c));
  for (const auto& c : plan.conflicts) {
    std::printf("%s\n", Dump({{"link", link}, {"op", "conflict"}, {"defender_id", c.defender_id},
                              {"field", domain::FieldName(c.field)}, {"kind", c.kind},
                              {"defender_value", c.defender_value}, {"sentinel_value", c.sentinel_value},
                              {"decision", c.decision}})
                             .c_str());
  }
  for (const auto& r : plan.remaps) {
    std::printf("%s\n", Dump({{"link", link}, {"op", "remap"}, {"defender_id", r.defender_id},
                              {"sentinel_id", r.sentinel_id}, {"field", domain::FieldName(r.field)}, {"from", r.from},
                              {"to", r.to}, {"planned", r.planned}})
                             .c_str());
  }
  if (plan.held) std::printf("%s\n", Dump({{"link", link}, {"op", "held"}, {"reason", plan.held_reason}}).c_str());
}

int Once(const Args& args) {
  const auto wait_seconds = WaitOrReport(args, kOnceWaitSeconds);
  if (!wait_seconds) return kExitUsage;
  auto config = LoadConfigOrReport(args.config_path);
  if (!config) return kExitConfig;
  // Waits like `run` (logging state.locked), but only so long: a daemon does not go away by itself.
  BoundedWait wait(*wait_seconds);
  auto p = StartProcess(*config, false, stdout, std::ref(wait));
  if (!p && wait.gave_up()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(StateInUseLine(config->state_path, "once", *wait_seconds)).c_str());
    return kExitTempFail;
  }
  if (!p) return kExitLinkFailed;
  int failed = 0;
  for (auto* runner : p->runtime->runners()) {
    bool settled = false;
    for (int i = 0; i < 10 && !settled; ++i) {
      engine::CycleOptions o;
      o.full_sweep = i == 0;
      o.drain_all = true;
      const engine::CycleReport r = runner->RunCycle(o);
      if (!r.status.ok()) {
        ++failed;
        break;
      }
      settled = r.settled() || r.held;
    }
  }
  for (const auto& l : p->runtime->links()) failed += l.error.empty() ? 0 : 1;
  return failed > 0 ? kExitLinkFailed : kExitOk;
}

int Plan(const Args& args) {
  auto config = LoadConfigOrReport(args.config_path);
  if (!config) return kExitConfig;
  auto p = StartProcess(*config, true, stderr);
  if (!p) return kExitLinkFailed;
  int failed = 0;
  for (auto* runner : p->runtime->runners()) {
    engine::CycleOptions o;
    o.dry_run = true;
    o.full_sweep = true;
    const engine::CycleReport r = runner->RunCycle(o);
    if (!r.status.ok()) {
      std::fprintf(stderr, "xdrsync: link %s: %s\n", Printable(runner->name()).c_str(), Printable(r.status.ToString()).c_str());
      ++failed;
      continue;
    }
    PrintPlan(runner->name(), r.plan);
  }
  return failed > 0 ? kExitLinkFailed : kExitOk;
}

int Approve(const Args& args) {
  if (args.rest.empty()) {
    std::fprintf(stderr, "xdrsync: approve needs a link name\n");
    return kExitUsage;
  }
  int code = kExitOk;
  auto p = StartWriter(args, false, stdout, &code);
  if (!p) return code;
  engine::LinkRunner* runner = p->runtime->runner(args.rest[0]);
  if (runner == nullptr) {
    std::fprintf(stderr, "xdrsync: no running link named '%s'\n", Printable(args.rest[0]).c_str());
    return kExitUsage;
  }
  engine::CycleOptions o;
  o.approved = true;
  const engine::CycleReport r = runner->RunCycle(o);
  std::printf("link %s: %zu writes done, %zu failed\n", Printable(runner->name()).c_str(), r.writes_done, r.writes_failed);
  return r.status.ok() ? kExitOk : kExitLinkFailed;
}

int RebuildState(const Args& args) {
  int code = kExitOk;
  auto p = StartWriter(args, false, stdout, &code);
  if (!p) return code;
  int failed = 0;
  for (auto* runner : p->runtime->runners()) {
    engine::CycleOptions o;
    o.rebuild = true;
    o.full_sweep = true;
    const engine::CycleReport r = runner->RunCycle(o);
    if (!r.status.ok()) ++failed;
    std::printf("link %s: %zu pairs adopted, %zu disagreements journaled%s\n", Printable(runner->name()).c_str(),
                r.plan.pairs.size(), r.plan.conflicts.size(), r.status.ok() ? "" : Printable((" — " + r.status.ToString())).c_str());
  }
  return failed > 0 ? kExitLinkFailed : kExitOk;
}

}  // namespace xdrsync::cli
