// `status` and `audit`: read the state file only, so they work while the daemon runs (WAL readers
// do not block its writer) and without network access.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

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
    std::fprintf(stderr, "xdrsync: %s\n", store.status().ToString().c_str());
    return kExitLinkFailed;
  }
  auto& st = **store;
  const Timestamp now = SystemClock().Now();
  for (const auto& l : config->links) {
    auto meta = [&](const char* key) {
      auto v = st.LinkMeta(l.name, key);
      return v.ok() && *v ? **v : std::string("-");
    };
    std::printf("link %s  (%s -> %s, %s%s)\n", l.name.c_str(), l.defender.c_str(), l.sentinel.c_str(),
                l.policy.mode == reconcile::LinkMode::kMirror ? "mirror" : "link", l.paused ? ", paused" : "");
    std::printf("  twins created by: %s — %s\n", meta("way").c_str(), meta("way_reason").c_str());
    for (domain::Side side : {domain::Side::kDefender, domain::Side::kSentinel}) {
      auto wm = st.Watermark(l.name, side);
      std::printf("  %-9s watermark %s\n", std::string(domain::SideName(side)).c_str(),
                  wm.ok() ? Lag(*wm, now).c_str() : wm.status().ToString().c_str());
    }
    std::map<std::string, int> by_state;
    if (auto pairs = st.Pairs(l.name); pairs.ok()) {
      for (const auto& p : *pairs) ++by_state[std::string(store::PairStateName(p.state))];
    }
    std::printf("  pairs:");
    if (by_state.empty()) std::printf(" none");
    for (const auto& [state, n] : by_state) std::printf(" %s=%d", state.c_str(), n);
    std::printf("\n");
    auto depth = st.OutboxDepth(l.name);
    std::printf("  outbox: %lld pending write(s)\n", depth.ok() ? static_cast<long long>(*depth) : -1LL);
    if (auto c = st.OpenConflicts(l.name); c.ok()) {
      std::printf("  open conflicts: %zu\n", c->size());
      for (const auto& x : *c) {
        std::printf("    incident %s %s: defender '%s' vs sentinel '%s' (%s, %s)\n", x.pair.defender_id.c_str(),
                    x.field.c_str(), x.defender_value.c_str(), x.sentinel_value.c_str(), x.policy.c_str(),
                    x.decision.c_str());
      }
    }
    if (auto q = st.Quarantined(l.name); q.ok()) {
      std::printf("  quarantined: %zu\n", q->size());
      for (const auto& e : *q) {
        std::printf("    %s %s%s: %s (%lld attempts since %s)\n", std::string(domain::SideName(e.side)).c_str(),
                    e.incident_id.c_str(), e.field.empty() ? "" : (" field " + e.field).c_str(), e.error.c_str(),
                    static_cast<long long>(e.attempts), e.since.ToSecondsString().c_str());
      }
    }
  }
  return kExitOk;
}

int Audit(const Args& args) {
  auto config = LoadConfigOrReport(args.config_path);
  if (!config) return kExitConfig;
  store::AuditQuery q;
  for (size_t i = 0; i + 1 < args.rest.size(); ++i) {
    if (args.rest[i] == "--incident") q.incident_id = args.rest[i + 1];
    if (args.rest[i] == "--link") q.link = args.rest[i + 1];
    if (args.rest[i] == "--limit") q.limit = std::stoll(args.rest[i + 1]);
  }
  auto store = store::OpenStateStore(config->state_path);
  if (!store.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", store.status().ToString().c_str());
    return kExitLinkFailed;
  }
  auto entries = (*store)->AuditLog(q);
  if (!entries.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", entries.status().ToString().c_str());
    return kExitLinkFailed;
  }
  for (const auto& e : *entries) {
    nlohmann::json j = {{"time", e.time.ToString()}, {"link", e.link}, {"defender_id", e.defender_id},
                        {"sentinel_id", e.sentinel_id}, {"field", e.field},
                        {"direction", store::DirectionName(e.direction)}, {"from", e.old_value},
                        {"to", e.new_value}, {"cause", e.cause}};
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  return kExitOk;
}

}  // namespace xdrsync::cli
