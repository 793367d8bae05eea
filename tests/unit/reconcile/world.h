// A two-sided in-memory world for reconciler tests: a Defender tenant and a Sentinel workspace
// that behave like the APIs do where it matters to the sync (version stamps move on every write,
// etags are checked, comments bump the incident), plus the state the engine would keep, and an
// engine-like Cycle() that plans with the real reconciler and applies the plan.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "xdrsync/reconcile/reconciler.h"

namespace xdrsync::reconcile::testing {

class World {
 public:
  explicit World(LinkPolicy policy);

  LinkPolicy policy;
  Timestamp now = Timestamp::FromUnixSeconds(1'750'000'000);
  std::map<std::string, domain::DefenderIncident> defender;
  std::map<std::string, domain::SentinelIncident> sentinel;
  std::map<std::string, PairState> pairs;
  std::vector<Conflict> journal;
  std::vector<Plan> plans;
  int sentinel_conflicts = 0;   // 409s
  int defender_replans = 0;     // PATCHes skipped because Defender moved since the read
  // Runs once, after the next cycle's Sentinel writes and before its Defender writes (an analyst
  // acting between the two halves of a two-sided write).
  std::function<void()> between_sides;
  bool remap = false;           // plan as `xdrsync remap` does (Input::remap)
  // Sentinel incidents left out of the next cycle's observation (their reads failed); cleared by it.
  std::set<std::string> unread_sentinel;
  // Keep the bases of every title, description and closing comment as digests (whatever their
  // length), as the state store keeps long ones (domain::BaseValue).
  bool digest_bases = false;

  // Moves the clock by `seconds` and returns the new time (every change is stamped by it).
  Timestamp Tick(int64_t seconds = 1);

  domain::DefenderIncident& NewDefender(const std::string& id);
  // Analyst edits, stamped like the services stamp them.
  void TouchDefender(const std::string& id, const std::string& who = "analyst@contoso.com");
  void TouchSentinel(const std::string& name, const std::string& who = "analyst@fabrikam.com");
  void DefenderComment(const std::string& id, const std::string& text, const std::string& author);
  void SentinelComment(const std::string& name, const std::string& text, const std::string& author);
  void Merge(const std::string& from, const std::string& into);

  // One engine cycle: observe both sides whole, reconcile, (let `between` edit concurrently),
  // apply. Returns the plan.
  Plan Cycle(const std::function<void()>& between = nullptr, bool approved = false);

  const domain::SentinelIncident* TwinOf(const std::string& defender_id) const;
  domain::SentinelIncident& Twin(const std::string& defender_id);

 private:
  void Apply(const Plan& plan, const Input& input);
  void ApplyBases(const std::vector<BaseUpdate>& updates);
  std::string NextEtag();
  int etag_ = 0;
  int number_ = 0;
  int comment_seq_ = 0;
};

}  // namespace xdrsync::reconcile::testing
