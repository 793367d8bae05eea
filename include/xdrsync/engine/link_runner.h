// One link's sync cycle (spec §8-10): capture changes on both sides -> load pairs and bases ->
// read what else the reconciler needs -> reconcile -> record the decision, its outbox rows and the
// watermarks in one transaction -> execute the writes (re-reading before each) -> confirm each
// write and move its base. A crash at any point leaves outbox rows that make the next cycle re-read
// and re-plan exactly those pairs; nothing is ever sent blind.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "xdrsync/api/clients.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/core/log.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/engine/twin_creator.h"
#include "xdrsync/reconcile/plan.h"
#include "xdrsync/store/state_store.h"

namespace xdrsync::engine {

struct EngineOptions {
  int64_t overlap_seconds = 120;
  int64_t initial_lookback_hours = 168;
  int64_t sweep_overlap_seconds = 24 * 3600;
  int max_attempts = 8;
  int max_conflict_retries = 3;  // Sentinel 409s re-planned within one cycle
  // How far ahead of our clock a service's timestamp may be and still count. An item stamped later
  // (a broken clock, a hostile page: 2099) is synced, flagged and counted, but never moves a
  // watermark, so incremental capture keeps seeing new changes.
  int64_t future_skew_seconds = api::kFutureSkewSeconds;
  // How long one cycle executes writes before it captures again (0: until all are done). What is
  // left waits, in memory and in the outbox, behind the next cycle's writes of the same or a more
  // urgent kind: field changes first, creations next, copied comments, cosmetic comments last. So
  // an analyst's change overtakes a backlog of alert tables and deep links.
  int64_t drain_seconds = 0;
  int64_t create_recheck_seconds = kUnknownCreateRecheckSeconds;  // see CreateAttempt::recheck_seconds
};

struct LinkContext {
  const reconcile::LinkPolicy* policy = nullptr;
  api::DefenderClient* defender = nullptr;
  api::SentinelClient* sentinel = nullptr;
  TwinCreator* creator = nullptr;  // mirror mode only
  store::StateStore* store = nullptr;
  const Clock* clock = nullptr;
  Logger* log = nullptr;
  Metrics* metrics = nullptr;
  EngineOptions options;
};

struct CycleOptions {
  bool full_sweep = false;
  bool dry_run = false;   // `xdrsync plan`: read and reconcile, write nothing, record nothing
  bool approved = false;  // `xdrsync approve`: let a held mass change through once
  // `xdrsync rebuild-state`: adopt pairs (deterministic twin ids, provider ids) and take what both
  // sides agree on as the base; journal what they disagree on; write nothing to either API.
  bool rebuild = false;
  // Execute every planned and carried write before returning (`once`, `demo`), whatever
  // EngineOptions::drain_seconds says.
  bool drain_all = false;
  // `xdrsync remap`: write the twin fields a changed mapping no longer agrees with (Plan::remaps).
  bool remap = false;
  // `xdrsync resync`: read only this Defender incident and its twin, and re-plan the pair from
  // scratch as a sweep would for an unknown pair: its state (a `deleted-in-sentinel` tombstone
  // too) is dropped in the cycle's decision. Fails, changing nothing, if Defender cannot show it.
  std::string resync;
};

struct CycleReport {
  Status status;            // not ok: the link failed as a whole (401/403, store failure, ...)
  reconcile::Plan plan;     // what was decided
  size_t writes_planned = 0;
  size_t writes_done = 0;
  size_t writes_failed = 0;
  size_t quarantined = 0;
  size_t parse_errors = 0;
  bool held = false;
  size_t carried = 0;  // writes left for the next cycles (the drain time ran out)
  // True when the cycle decided nothing to write and carries nothing: the link has settled.
  bool settled() const { return status.ok() && writes_planned == 0 && carried == 0 && !held; }
};

class LinkRunner {
 public:
  explicit LinkRunner(LinkContext ctx);
  ~LinkRunner();
  LinkRunner(const LinkRunner&) = delete;
  LinkRunner& operator=(const LinkRunner&) = delete;

  CycleReport RunCycle(const CycleOptions& options);
  const std::string& name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The outbox payload of a planned write: a readable JSON description of the intent (for status,
// audit and operators). The engine never executes a payload; a replayed row re-plans its pair.
std::string DescribeWrite(const reconcile::SentinelWrite& w);
std::string DescribeWrite(const reconcile::DefenderWrite& w);
std::string DescribeWrite(const reconcile::CommentWrite& w);
std::string DescribeWrite(const reconcile::TwinCreate& w);

}  // namespace xdrsync::engine
