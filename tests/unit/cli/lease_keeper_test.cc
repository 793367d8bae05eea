// The Lease rules of docs/scaling.md §2 on an in-memory Lease API with the API server's optimistic
// concurrency (resourceVersion), and a steady clock the test moves.
#include "lease_keeper.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace xdrsync::cli {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// One namespace's leases; 409 on a stale resourceVersion or a second create; `down` fails every call.
class FakeLeaseApi final : public http::Transport {
 public:
  Result<http::Response> Send(const http::Request& r) override {
    ++calls;
    if (down) return Status(Code::kUnavailable, "connect: refused");
    const std::string name = r.url.substr(r.url.rfind('/') + 1);
    if (r.method == "GET") {
      if (!lease.is_object() || lease["metadata"]["name"] != name) return http::Response{404, {}, "{}", {}};
      return http::Response{200, {}, lease.dump(), {}};
    }
    json body = json::parse(r.body);
    if (r.method == "POST" && lease.is_object()) return http::Response{409, {}, "{}", {}};
    if (r.method == "PUT" && body["metadata"].value("resourceVersion", "") != Version()) {
      return http::Response{409, {}, "{}", {}};
    }
    Write(body);
    return http::Response{r.method == "POST" ? 201 : 200, {}, lease.dump(), {}};
  }
  // Another process's write (it read the current version first).
  void Write(json body) {
    body["metadata"]["resourceVersion"] = std::to_string(++version_);
    lease = body;
  }
  void Other(const std::string& holder, int seconds) {
    json body = lease.is_object() ? lease : json{{"metadata", {{"name", LeaseName("contoso-to-soc")}}}};
    body["spec"]["holderIdentity"] = holder;
    body["spec"]["leaseDurationSeconds"] = seconds;
    Write(body);
  }
  std::string Version() const { return lease.is_object() ? lease["metadata"].value("resourceVersion", "") : ""; }
  std::string Holder() const { return lease.is_object() ? lease["spec"].value("holderIdentity", "") : ""; }

  json lease;
  bool down = false;
  int calls = 0;

 private:
  int version_ = 0;
};

class LeaseKeeperTest : public ::testing::Test {
 protected:
  LeaseKeeperTest()
      : keeper_({"http://127.0.0.1:1", "xdrsync", "xdrsync-0", "", 30}, api_, clock_, log_, [this] { return now_; }) {}

  bool Hold(bool* taken_over = nullptr) {
    bool ignored = false;
    return keeper_.Hold("contoso-to-soc", taken_over != nullptr ? taken_over : &ignored);
  }

  FakeLeaseApi api_;
  FakeClock clock_{Timestamp::FromUnixSeconds(1'750'000'000)};
  MemoryLogger log_;
  std::chrono::steady_clock::time_point now_{};
  LeaseKeeper keeper_;
};

TEST_F(LeaseKeeperTest, ANewLeaseIsCreatedAndRenewedEveryThirdOfItsDuration) {
  bool taken_over = true;
  ASSERT_TRUE(Hold(&taken_over));
  EXPECT_FALSE(taken_over) << "nobody held it before";
  EXPECT_EQ(api_.Holder(), "xdrsync-0");
  EXPECT_EQ(api_.lease["spec"].value("leaseDurationSeconds", 0), 30);
  const std::string renew = api_.lease["spec"].value("renewTime", "");
  EXPECT_EQ(renew.size(), 27u) << "MicroTime has six fractional digits: " << renew;
  const int calls = api_.calls;
  now_ += 9s;
  EXPECT_TRUE(Hold());
  EXPECT_TRUE(keeper_.RenewDue());
  EXPECT_EQ(api_.calls, calls) << "fresh enough: no request";
  now_ += 2s;
  const std::string before = api_.Version();
  EXPECT_TRUE(keeper_.RenewDue());
  EXPECT_NE(api_.Version(), before) << "renewed after a third of 30 s";
}

TEST_F(LeaseKeeperTest, AnotherHoldersLeaseIsTakenOnlyAfterItsDurationOnOurOwnClock) {
  api_.Other("xdrsync-9", 15);
  EXPECT_FALSE(Hold());
  now_ += 14s;
  EXPECT_FALSE(Hold()) << "seen unchanged for 14 s of 15";
  api_.Other("xdrsync-9", 15);  // it renewed: the wait starts again
  now_ += 10s;
  EXPECT_FALSE(Hold());
  now_ += 6s;
  EXPECT_FALSE(Hold()) << "the renewal was first seen 6 s ago";
  now_ += 10s;
  bool taken_over = false;
  EXPECT_TRUE(Hold(&taken_over));
  EXPECT_TRUE(taken_over);
  EXPECT_EQ(api_.Holder(), "xdrsync-0");
  EXPECT_EQ(api_.lease["spec"].value("leaseTransitions", -1), 1);
}

TEST_F(LeaseKeeperTest, AReleasedLeaseIsTakenAfterASecondAndSaysWhereItCameFrom) {
  api_.Other("xdrsync-1", 1);  // what ReleaseAll leaves
  EXPECT_FALSE(Hold());
  now_ += 2s;
  bool taken_over = false;
  EXPECT_TRUE(Hold(&taken_over));
  EXPECT_TRUE(taken_over);
  keeper_.ReleaseAll();
  EXPECT_EQ(api_.Holder(), "xdrsync-0");
  EXPECT_EQ(api_.lease["spec"].value("leaseDurationSeconds", 0), 1);
}

TEST_F(LeaseKeeperTest, ALeaseTakenByAnotherIsLostAtTheNextRenewal) {
  ASSERT_TRUE(Hold());
  api_.Other("intruder", 30);
  now_ += 11s;
  EXPECT_FALSE(keeper_.RenewDue());
  EXPECT_EQ(log_.Count("lease.lost"), 1u);
  EXPECT_FALSE(Hold());
  EXPECT_EQ(api_.Holder(), "intruder") << "never overwritten";
}

TEST_F(LeaseKeeperTest, AnUnreachableApiServerKeepsTheLeaseOnlyUntilTheRenewDeadline) {
  ASSERT_TRUE(Hold());
  api_.down = true;
  now_ += 15s;
  EXPECT_TRUE(keeper_.RenewDue()) << "15 s of 30: still ours";
  now_ += 6s;
  EXPECT_FALSE(keeper_.RenewDue()) << "21 s of 30 is past two thirds";
  EXPECT_FALSE(Hold());
  api_.down = false;
  EXPECT_TRUE(Hold()) << "still ours on the server: renewed";
}

TEST(LeaseNameTest, IsAValidKubernetesNameUniquePerLink) {
  EXPECT_EQ(LeaseName("contoso-to-soc"), "xdrsync-contoso-to-soc-5d29a783");
  EXPECT_EQ(LeaseName("Contoso_To.SOC"), "xdrsync-contoso-to-soc-" + LeaseName("Contoso_To.SOC").substr(23));
  EXPECT_NE(LeaseName("Contoso_To.SOC"), LeaseName("contoso-to-soc"));
}

}  // namespace
}  // namespace xdrsync::cli
