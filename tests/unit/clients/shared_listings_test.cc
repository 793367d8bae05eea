// ShareListings: the links of one workspace share its listings within a short window, and nothing
// a link needs is left out of what it is answered with.
#include "xdrsync/api/shared_listings.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace xdrsync::api {
namespace {

using domain::SentinelIncident;

const Timestamp kStart = Timestamp::FromUnixSeconds(1'780'000'000);

// A workspace's incidents behind a client that counts its listings, can fail the next one, and can
// hold one until released (to have callers arrive while it runs).
class CountingSentinel final : public SentinelClient {
 public:
  explicit CountingSentinel(const Clock& clock) : clock_(clock) {}

  void Add(const std::string& name, Timestamp modified) {
    SentinelIncident s;
    s.name = name;
    s.last_modified = modified;
    items_.push_back(s);
  }
  void FailNext(Status s) { fail_ = std::move(s); }
  void HoldListings() { hold_ = true; }
  void Release() {
    std::lock_guard lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  void WaitUntilListing() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return listing_now_; });
  }
  bool says_when_it_began = true;
  std::atomic<int> changed_calls{0}, open_calls{0}, gets{0}, puts{0};

  Result<Listing<SentinelIncident>> ListChanged(Timestamp since) override {
    ++changed_calls;
    Listing<SentinelIncident> out = Begin();
    if (!fail_.ok()) return std::exchange(fail_, Status::Ok());
    for (const auto& s : items_) {
      if (s.last_modified >= since) out.items.push_back(s);
    }
    return out;
  }
  Result<Listing<SentinelIncident>> ListOpen(const PageSink<SentinelIncident>& sink) override {
    ++open_calls;
    Listing<SentinelIncident> out = Begin();
    if (Status s = sink(std::vector<SentinelIncident>(items_)); !s.ok()) return s;
    return out;
  }
  Result<std::vector<SentinelIncident>> ListRecent(int) override { return items_; }
  Result<SentinelIncident> Get(const std::string& name) override {
    ++gets;
    for (const auto& s : items_) {
      if (s.name == name) return s;
    }
    return Status(Code::kNotFound, "no such incident");
  }
  Result<SentinelIncident> Put(const SentinelIncident& incident) override {
    ++puts;
    return incident;
  }
  Result<domain::SentinelComment> PutComment(const std::string&, const std::string& id, const std::string& m) override {
    return domain::SentinelComment{id, m, "", "", "", clock_.Now(), ""};
  }
  int64_t ClockOffset() const override { return 0; }

 private:
  Listing<SentinelIncident> Begin() {
    Listing<SentinelIncident> out;
    if (says_when_it_began) out.began = clock_.Now();
    std::unique_lock lock(mu_);
    listing_now_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !hold_; });
    return out;
  }

  const Clock& clock_;
  std::vector<SentinelIncident> items_;
  Status fail_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  bool listing_now_ = false;
};

class SharedListingsTest : public ::testing::Test {
 protected:
  SharedListingsTest() : clock(kStart) {
    auto inner = std::make_unique<CountingSentinel>(clock);
    workspace = inner.get();
    workspace->Add("a", kStart - 30);
    workspace->Add("b", kStart - 10);
    shared = ShareListings(std::move(inner), 2 * Timestamp::kTicksPerSecond, clock, metrics, "hub");
  }
  double Shared() const { return metrics.Value("xdrsync_sentinel_listings_shared_total", {{"workspace", "hub"}}); }

  FakeClock clock;
  Metrics metrics;
  CountingSentinel* workspace = nullptr;
  std::unique_ptr<SentinelClient> shared;
};

TEST_F(SharedListingsTest, LinksListingWithinTheWindowShareOneListing) {
  auto first = shared->ListChanged(kStart - 60);
  ASSERT_TRUE(first.ok());
  clock.Advance(1);
  auto second = shared->ListChanged(kStart - 60);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(workspace->changed_calls, 1);
  ASSERT_EQ(second->items.size(), 2u);
  EXPECT_EQ(second->began, first->began) << "a shared answer must say when the listing it shares began";
  EXPECT_EQ(Shared(), 1);
}

TEST_F(SharedListingsTest, ACallFromALaterSinceIsAnsweredWithItsItemsOnly) {
  ASSERT_TRUE(shared->ListChanged(kStart - 60).ok());
  auto later = shared->ListChanged(kStart - 10);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(workspace->changed_calls, 1);
  ASSERT_EQ(later->items.size(), 1u);
  EXPECT_EQ(later->items[0].name, "b");
}

TEST_F(SharedListingsTest, AnEarlierSinceOrAListingOlderThanTheWindowAsksTheServiceAgain) {
  ASSERT_TRUE(shared->ListChanged(kStart - 20).ok());
  auto earlier = shared->ListChanged(kStart - 60);
  ASSERT_TRUE(earlier.ok());
  EXPECT_EQ(workspace->changed_calls, 2);
  EXPECT_EQ(earlier->items.size(), 2u) << "an item before the shared listing's since was left out";
  clock.Advance(3);
  ASSERT_TRUE(shared->ListChanged(kStart - 60).ok());
  EXPECT_EQ(workspace->changed_calls, 3);
  EXPECT_EQ(Shared(), 0);
}

TEST_F(SharedListingsTest, CallersThatComeWhileAListingRunsWaitForItInsteadOfListingAgain) {
  workspace->HoldListings();
  std::vector<size_t> sizes(6, 0);
  std::vector<std::thread> links;
  links.emplace_back([&] { sizes[0] = shared->ListChanged(kStart - 60)->items.size(); });
  workspace->WaitUntilListing();
  for (size_t i = 1; i < sizes.size(); ++i) {
    links.emplace_back([&, i] { sizes[i] = shared->ListChanged(kStart - 60)->items.size(); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let them reach the wait
  workspace->Release();
  for (auto& t : links) t.join();
  EXPECT_EQ(workspace->changed_calls, 1);
  for (size_t n : sizes) EXPECT_EQ(n, 2u);
  EXPECT_EQ(Shared(), 5);
}

TEST_F(SharedListingsTest, AFailedListingIsNotSharedAndTheNextCallerListsItself) {
  workspace->FailNext(Status(Code::kUnavailable, "503 Service Unavailable"));
  EXPECT_FALSE(shared->ListChanged(kStart - 60).ok());
  auto next = shared->ListChanged(kStart - 60);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->items.size(), 2u);
  EXPECT_EQ(workspace->changed_calls, 2);
}

TEST_F(SharedListingsTest, AListingThatDoesNotSayWhenItBeganIsNeverShared) {
  workspace->says_when_it_began = false;
  ASSERT_TRUE(shared->ListChanged(kStart - 60).ok());
  ASSERT_TRUE(shared->ListChanged(kStart - 60).ok());
  EXPECT_EQ(workspace->changed_calls, 2);
}

TEST_F(SharedListingsTest, OpenListingsAreSharedAndReadsAndWritesOfOneIncidentAreNot) {
  std::vector<SentinelIncident> first, second;
  ASSERT_TRUE(shared->ListOpen(AppendTo(first)).ok());
  auto open = shared->ListOpen(AppendTo(second));
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(first.size(), 2u);
  EXPECT_EQ(second.size(), 2u);
  EXPECT_TRUE(open->items.empty());
  EXPECT_EQ(workspace->open_calls, 1);
  ASSERT_TRUE(shared->Get("a").ok());
  ASSERT_TRUE(shared->Get("a").ok());
  SentinelIncident s;
  s.name = "a";
  ASSERT_TRUE(shared->Put(s).ok());
  ASSERT_TRUE(shared->Put(s).ok());
  EXPECT_EQ(workspace->gets, 2);
  EXPECT_EQ(workspace->puts, 2);
}

}  // namespace
}  // namespace xdrsync::api
