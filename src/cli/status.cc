// `status` and `audit`: read the state file only, so they work while the daemon runs (WAL readers
// do not block its writer) and without network access.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "common.h"
#include "xdrsync/store/state_store.h"

namespace xdrsync::cli {
namespace {

std::string Lag(const std::optional<Timestamp>& wm, Timestamp now) {
  if (!wm) return "never";
  const int64_t s = now.TicksSince(*wm) / Timestamp::kTicksPerSecond;
  return wm->ToSecondsString() + " (" + std::to_string(s) + " s ago)";
}

}  // namespace

int Status(const Args& args) {
  auto config = LoadConfigOrReport(args.config_path);
  if (!config) return kExitConfig;
  auto store = store::OpenStateStore(config->state_path);
  if (!store.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(store.status().ToString()).c_str());
    return kExitLinkFailed;
  }
  auto& st = **store;
  const Timestamp now = SystemClock().Now();
  for (const auto& l : config->links) {
    auto meta = [&](const char* key) {
      auto v = st.LinkMeta(l.name, key);
      return v.ok() && *v ? **v : std::string("-");
    };
    std::printf("link %s  (%s -> %s, %s%s)\n", Printable(l.name).c_str(), Printable(l.defender).c_str(), Printable(l.sentinel).c_str(),
                l.policy.mode == reconcile::LinkMode::kMirror ? "mirror" : "link", l.paused ? ", paused" : "");
    std::printf("  twins created by: %s — %s\n", Printable(meta("way")).c_str(), Printable(meta("way_reason")).c_str());
    for (domain::Side side : {domain::Side::kDefender, domain::Side::kSentinel}) {
      auto wm = st.Watermark(l.name, side);
      std::printf("  %-9s watermark %s\n", Printable(domain::SideName(side)).c_str(),
                  wm.ok() ? Printable(Lag(*wm, now)).c_str() : Printable(wm.status().ToString()).c_str());
    }
    std::map<std::string, int> by_state;
    // A page of pairs at a time: a link of 100,000 pairs is counted, not held.
    const xdrsync::Status counted = store::ForEachPair(st, l.name, [&](const store::Pair& p) {
      ++by_state[std::string(store::PairStateName(p.state))];
      return xdrsync::Status::Ok();
    });
    std::printf("  pairs:");
    if (!counted.ok()) std::printf(" (not read: %s)", Printable(counted.ToString()).c_str());
    if (by_state.empty() && counted.ok()) std::printf(" none");
    for (const auto& [state, n] : by_state) std::printf(" %s=%d", Printable(state).c_str(), n);
    std::printf("\n");
    auto depth = st.OutboxDepth(l.name);
    std::printf("  outbox: %lld pending write(s)\n", depth.ok() ? static_cast<long long>(*depth) : -1LL);
    if (auto c = st.OpenConflicts(l.name); c.ok()) {
      std::printf("  open conflicts: %zu\n", c->size());
      for (const auto& x : *c) {
        std::printf("    incident %s %s: defender '%s' vs sentinel '%s' (%s, %s)\n", Printable(x.pair.defender_id).c_str(),
                    Printable(x.field).c_str(), Printable(x.defender_value).c_str(), Printable(x.sentinel_value).c_str(), Printable(x.policy).c_str(),
                    Printable(x.decision).c_str());
      }
    }
    if (auto q = st.Quarantined(l.name); q.ok()) {
      std::printf("  quarantined: %zu\n", q->size());
      for (const auto& e : *q) {
        std::printf("    %s %s%s: %s (%lld attempts since %s)\n", Printable(domain::SideName(e.side)).c_str(),
                    Printable(e.incident_id).c_str(), e.field.empty() ? "" : Printable(" field " + e.field).c_str(), Printable(e.error).c_str(),
                    static_cast<long long>(e.attempts), Printable(e.since.ToSecondsString()).c_str());
      }
    }
  }
  return kExitOk;
}

int Audit(const Args& args) {
  auto config = LoadConfigOrReport(args.config_path);
  if (!config) return kExitConfig;
  store::AuditQuery q;
  q.incident_id = Option(args, "--incident");  // absent = every incident
  q.link = Option(args, "--link");
  if (Option(args, "--limit")) {
    auto limit = IntegerOption(args, "--limit", 1, 1'000'000);
    if (!limit.ok()) {
      std::fprintf(stderr, "xdrsync: %s\n", Printable(limit.status().message()).c_str());
      return kExitUsage;
    }
    q.limit = *limit;
  }
  auto store = store::OpenStateStore(config->state_path);
  if (!store.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(store.status().ToString()).c_str());
    return kExitLinkFailed;
  }
  auto entries = (*store)->AuditLog(q);
  if (!entries.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(entries.status().ToString()).c_str());
    return kExitLinkFailed;
  }
  for (const auto& e : *entries) {
    nlohmann::json j = {{"time", e.time.ToString()}, {"link", e.link}, {"defender_id", e.defender_id},
                        {"sentinel_id", e.sentinel_id}, {"field", e.field},
                        {"direction", store::DirectionName(e.direction)}, {"from", e.old_value},
                        {"to", e.new_value}, {"cause", e.cause}};
    std::printf("%s\n", DumpForTerminal(j).c_str());
  }
  return kExitOk;
}

}  // namespace xdrsync::cli
