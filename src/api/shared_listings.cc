// ShareListings (include/xdrsync/api/shared_listings.h): a SentinelClient whose listings the links
// of one workspace share.
#include "xdrsync/api/shared_listings.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

namespace xdrsync::api {

namespace {

using domain::SentinelIncident;
using IncidentListing = Listing<SentinelIncident>;

class SharingSentinelClient final : public SentinelClient {
 public:
  SharingSentinelClient(std::unique_ptr<SentinelClient> inner, int64_t window_ticks, const Clock& clock,
                        Metrics& metrics, std::string workspace)
      : inner_(std::move(inner)),
        window_ticks_(window_ticks),
        clock_(clock),
        metrics_(metrics),
        workspace_(std::move(workspace)) {}

  Result<IncidentListing> ListChanged(Timestamp since) override {
    return Shared(changed_, since, [&] { return inner_->ListChanged(since); });
  }
  // The open listing is shared whole (the sweeps of a workspace's links start together), and
  // handed to the caller's sink in one piece.
  Result<IncidentListing> ListOpen(const PageSink<SentinelIncident>& sink) override {
    Result<IncidentListing> whole = Shared(open_, std::nullopt, [&]() -> Result<IncidentListing> {
      std::vector<SentinelIncident> items;
      Result<IncidentListing> listing = inner_->ListOpen(AppendTo(items));
      if (listing.ok()) listing->items = std::move(items);
      return listing;
    });
    if (!whole.ok() || whole->items.empty()) return whole;
    if (Status s = sink(std::move(whole->items)); !s.ok()) return s;
    whole->items.clear();
    return whole;
  }
  Result<std::vector<SentinelIncident>> ListRecent(int top) override { return inner_->ListRecent(top); }
  Result<SentinelIncident> Get(const std::string& name) override { return inner_->Get(name); }
  Result<SentinelIncident> Put(const SentinelIncident& incident) override { return inner_->Put(incident); }
  Result<domain::SentinelComment> PutComment(const std::string& incident, const std::string& comment_id,
                                             const std::string& message) override {
    return inner_->PutComment(incident, comment_id, message);
  }
  int64_t ClockOffset() const override { return inner_->ClockOffset(); }

 private:
  // The last listing of one kind that came back, and whether one is running now.
  struct Slot {
    bool running = false;
    std::optional<Timestamp> since;  // ListChanged's; empty for ListOpen
    std::shared_ptr<const IncidentListing> listing;
  };

  // A listing past its window answers no one: it is let go rather than held until the next of
  // its kind (the open listing holds every open twin of the workspace).
  void DropExpired(Timestamp now) {
    for (Slot* slot : {&changed_, &open_}) {
      if (slot->listing && slot->listing->began && now.TicksSince(*slot->listing->began) > window_ticks_) {
        slot->listing.reset();
      }
    }
  }

  // `since` empty: the slot's listing covers any call.
  bool Covers(const Slot& slot, const std::optional<Timestamp>& since, Timestamp asked) const {
    if (!slot.listing || !slot.listing->began) return false;
    const int64_t age = asked.TicksSince(*slot.listing->began);
    if (age < 0 || age > window_ticks_) return false;
    return !since || (slot.since && *slot.since <= *since);
  }

  // What a call from `since` sees of a listing from an earlier `since`: the items from its own on.
  static IncidentListing From(const IncidentListing& shared, const std::optional<Timestamp>& since) {
    if (!since) return shared;
    IncidentListing out;
    out.errors = shared.errors;
    out.newest = shared.newest;
    out.complete = shared.complete;
    out.began = shared.began;
    for (const auto& item : shared.items) {
      if (item.last_modified >= *since) out.items.push_back(item);
    }
    return out;
  }

  Result<IncidentListing> Shared(Slot& slot, const std::optional<Timestamp>& since,
                                 const std::function<Result<IncidentListing>()>& list) {
    std::unique_lock lock(mu_);
    const Timestamp asked = clock_.Now();
    DropExpired(asked);
    for (;;) {
      if (Covers(slot, since, asked)) {
        const std::shared_ptr<const IncidentListing> listing = slot.listing;
        lock.unlock();
        metrics_.Add("xdrsync_sentinel_listings_shared_total", {{"workspace", workspace_}});
        return From(*listing, since);
      }
      if (!slot.running) break;
      done_.wait(lock);  // one is running: it may cover this call
    }
    slot.running = true;
    lock.unlock();
    Result<IncidentListing> result = list();
    lock.lock();
    slot.running = false;
    if (result.ok() && result->began) {
      slot.listing = std::make_shared<const IncidentListing>(*result);
      slot.since = since;
    }
    done_.notify_all();
    return result;
  }

  const std::unique_ptr<SentinelClient> inner_;
  const int64_t window_ticks_;
  const Clock& clock_;
  Metrics& metrics_;
  const std::string workspace_;
  std::mutex mu_;
  std::condition_variable done_;
  Slot changed_, open_;
};

}  // namespace

std::unique_ptr<SentinelClient> ShareListings(std::unique_ptr<SentinelClient> inner, int64_t window_ticks,
                                              const Clock& clock, Metrics& metrics, std::string workspace) {
  return std::make_unique<SharingSentinelClient>(std::move(inner), window_ticks, clock, metrics,
                                                 std::move(workspace));
}

}  // namespace xdrsync::api
