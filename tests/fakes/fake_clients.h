// In-memory Defender and Sentinel services behind the client interfaces, for engine tests. They
// behave like the APIs where the engine depends on it: stamps move on every write (Sentinel
// comments bump the incident too), Sentinel checks etags, Defender has none, lists are inclusive
// of `since`. Each has a fault switch (the next N calls of a method fail with a given Status) and
// call counters.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "xdrsync/api/clients.h"
#include "xdrsync/core/clock.h"

namespace xdrsync::testing {

struct Fault {
  Status status;
  int remaining = 0;
};

class FakeDefender final : public api::DefenderClient {
 public:
  FakeDefender(FakeClock& clock, std::string tenant) : clock_(clock), tenant_(std::move(tenant)) {}

  domain::DefenderIncident& Add(const std::string& id);
  // An analyst edit: apply `edit`, then stamp the incident.
  template <typename F>
  void Edit(const std::string& id, F edit) {
    std::lock_guard lock(mu_);
    edit(incidents_.at(id));
    Touch(incidents_.at(id), "analyst@contoso.com");
  }
  domain::DefenderIncident Peek(const std::string& id) const;
  // The modification time as the service reports it (a skewed clock, a hostile page).
  void Stamp(const std::string& id, Timestamp t) {
    std::lock_guard lock(mu_);
    incidents_.at(id).last_update = t;
  }
  void FailNext(const std::string& method, Status status, int times = 1);
  // Runs once, right after the next Patch (an analyst acting between two PATCHes).
  void AfterNextPatch(std::function<void()> f) {
    std::lock_guard lock(mu_);
    after_next_patch_ = std::move(f);
  }
  // The next Patch is applied, then its reply is lost (the caller sees `status`).
  void LoseNextPatchReply(Status status) {
    std::lock_guard lock(mu_);
    lost_patch_reply_ = std::move(status);
  }
  int Calls(const std::string& method) const;
  std::vector<domain::DefenderPatch> patches() const;
  void Remove(const std::string& id);

  Result<api::Listing<domain::DefenderIncident>> ListChanged(Timestamp since, bool with_alerts) override;
  Result<api::Listing<domain::DefenderIncident>> ListOpen(bool with_alerts,
                                                          const api::PageSink<domain::DefenderIncident>& sink) override;
  Result<domain::DefenderIncident> Get(const std::string& id) override;
  Result<domain::DefenderIncident> Patch(const std::string& id, const domain::DefenderPatch& patch) override;
  Result<std::vector<domain::DefenderComment>> AddComment(const std::string& id, const std::string& text) override;
  Result<std::vector<domain::DefenderAlert>> AlertsCreatedSince(Timestamp since) override;
  Result<api::CreatedAlert> CreateAlert(const api::CreateAlertInput& input) override;
  int64_t ClockOffset() const override { return 0; }

  // Rejects PATCHes that set status inProgress (as a tenant might).
  bool refuse_in_progress = false;
  // ListOpen hands its items on in pages of this many (Graph's $top).
  size_t open_page_size = 50;
  // When set, ListChanged ends early after this many items, oldest first (a listing whose page
  // budget ran out, read in order: its newest stamp is that of the last item it holds).
  size_t max_listed = 0;

 private:
  Status lost_patch_reply_;
  std::function<void()> after_next_patch_;
  Result<domain::DefenderIncident> ApplyPatch(const std::string& id, const domain::DefenderPatch& patch);
  Status Enter(const std::string& method);
  void Touch(domain::DefenderIncident& d, const std::string& who);
  mutable std::mutex mu_;
  FakeClock& clock_;
  std::string tenant_;
  std::map<std::string, domain::DefenderIncident> incidents_;
  std::map<std::string, Fault> faults_;
  std::map<std::string, int> calls_;
  std::vector<domain::DefenderPatch> patches_;
  int next_id_ = 9000;
};

class FakeSentinel final : public api::SentinelClient {
 public:
  explicit FakeSentinel(FakeClock& clock) : clock_(clock) {}

  template <typename F>
  void Edit(const std::string& name, F edit) {
    std::lock_guard lock(mu_);
    edit(incidents_.at(name));
    Touch(incidents_.at(name), "analyst@fabrikam.com");
  }
  void AddAnalystComment(const std::string& name, const std::string& text);
  domain::SentinelIncident Peek(const std::string& name) const;
  std::vector<std::string> Names() const;
  size_t size() const;
  void FailNext(const std::string& method, Status status, int times = 1);
  // Every later call of `method` takes at least `delay` (a slow service).
  void SlowDown(const std::string& method, std::chrono::milliseconds delay) {
    std::lock_guard lock(mu_);
    delays_[method] = delay;
  }
  // The next Get of that one incident fails with `status`.
  void FailNextGetOf(const std::string& name, Status status) {
    std::lock_guard lock(mu_);
    fail_get_of_[name] = std::move(status);
  }
  // The next Put is applied, then its reply is lost (the caller sees `status`).
  void LoseNextPutReply(Status status) {
    std::lock_guard lock(mu_);
    lost_reply_ = std::move(status);
  }
  int Calls(const std::string& method) const;
  void Remove(const std::string& name);
  // Incidents the connector created (provider "Microsoft XDR"), for link mode.
  domain::SentinelIncident& AddConnectorIncident(const std::string& defender_id);

  Result<api::Listing<domain::SentinelIncident>> ListChanged(Timestamp since) override;
  Result<api::Listing<domain::SentinelIncident>> ListOpen(const api::PageSink<domain::SentinelIncident>& sink) override;
  Result<std::vector<domain::SentinelIncident>> ListRecent(int top) override;
  Result<domain::SentinelIncident> Get(const std::string& name) override;
  Result<domain::SentinelIncident> Put(const domain::SentinelIncident& incident) override;
  Result<domain::SentinelComment> PutComment(const std::string& incident, const std::string& comment_id,
                                             const std::string& message) override;
  int64_t ClockOffset() const override { return 0; }

 private:
  Status Enter(const std::string& method);
  void Touch(domain::SentinelIncident& s, const std::string& who);
  mutable std::mutex mu_;
  FakeClock& clock_;
  std::map<std::string, domain::SentinelIncident> incidents_;
  std::map<std::string, Fault> faults_;
  std::map<std::string, std::chrono::milliseconds> delays_;
  std::map<std::string, int> calls_;
  int etag_ = 0;
  int number_ = 0;
  Status lost_reply_;
  std::map<std::string, Status> fail_get_of_;
};

}  // namespace xdrsync::testing
