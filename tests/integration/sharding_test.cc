// Beyond one process (docs/scaling.md): `run --shard ORDINAL/COUNT` serves exactly its links, and
// with `leases` a process syncs a link only while it holds the link's Kubernetes Lease. The API
// server is tests/integration/lease_api_server.cc on 127.0.0.1 (no API server runs in CI).
#include <signal.h>

#include <fstream>

#include "control_client.h"
#include "sync_fixture.h"
#include "twin_id.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

// FNV-1a 64 of "contoso-to-soc" is 0x5d29a7838f4ecb94 (tests/unit/core/shard_test.cc).
constexpr const char* kContosoLease = "xdrsync-contoso-to-soc-5d29a783";
constexpr const char* kLeaseToken = "lease-test-token-7f3a";

class ShardingTest : public SyncTest {
 protected:
  void TwoLinks() {
    config_["defender_tenants"].push_back(Tenant("fabrikam", kFabrikam));
    config_["links"].push_back(Link("fabrikam-to-soc", "fabrikam", "soc"));
  }

  std::unique_ptr<ChildProcess> Run(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {XDRSYNC_BIN, "--config", WriteConfig(), "run"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const std::string prefix = dir_ + "/run-shard" + std::to_string(++runs_);
    return std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{{kSecretEnv, kSecret}},
                                          prefix + ".out", prefix + ".err");
  }

  // The Lease API stand-in, and the leases config pointing at it for process `identity`.
  void StartLeaseServer() {
    leases_ = std::make_unique<ChildProcess>(std::vector<std::string>{LEASE_SERVER_BIN, "--token", kLeaseToken},
                                             std::map<std::string, std::string>{}, dir_ + "/leases.out",
                                             dir_ + "/leases.err");
    ASSERT_TRUE(WaitFor([&] { return leases_->Stdout().find('\n') != std::string::npos; }, std::chrono::seconds(10)));
    const std::string out = leases_->Stdout();
    lease_port_ = std::stoi(out.substr(out.rfind(':') + 1));
    std::ofstream(dir_ + "/token") << kLeaseToken << "\n";
  }
  json LeasesConfig(const std::string& identity) const {
    return {{"api_url", "http://127.0.0.1:" + std::to_string(lease_port_)},
            {"namespace", "xdrsync"},
            {"identity", identity},
            {"duration_seconds", 6},
            {"token_file", dir_ + "/token"},
            {"ca_file", ""}};
  }

  std::string LeasePath(const std::string& name = "") const {
    return "/apis/coordination.k8s.io/v1/namespaces/xdrsync/leases" + (name.empty() ? "" : "/" + name);
  }
  HttpReply LeaseCall(const std::string& method, const std::string& path, const json& body = nullptr) const {
    return HttpCall(lease_port_, method, path, body.is_null() ? "" : body.dump(), 10000,
                    std::string("Authorization: Bearer ") + kLeaseToken + "\r\n");
  }
  json Lease(const std::string& name) const { return LeaseCall("GET", LeasePath(name)).Json(); }
  // Another process's move: take or hand on the lease as `holder` for `seconds`.
  void WriteLease(const std::string& holder, int seconds) {
    json lease = Lease(kContosoLease);
    if (!lease.contains("spec")) {
      lease = {{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"}, {"metadata", {{"name", kContosoLease}}},
               {"spec", json::object()}};
    }
    lease["spec"]["holderIdentity"] = holder;
    lease["spec"]["leaseDurationSeconds"] = seconds;
    const bool create = !lease["metadata"].contains("resourceVersion");
    const HttpReply r = create ? LeaseCall("POST", LeasePath(), lease) : LeaseCall("PUT", LeasePath(kContosoLease), lease);
    ASSERT_LT(r.status, 300) << r.status << " " << r.body;
  }

  std::unique_ptr<ChildProcess> leases_;
  int lease_port_ = 0;
};

TEST_F(ShardingTest, EachShardServesExactlyItsLinks) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  TwoLinks();  // of 4 shards, contoso-to-soc belongs to 0 and fabrikam-to-soc to 2
  const std::string a = emu_->CreateIncident(kContoso, {{"displayName", "Shard zero"}});
  const std::string b = emu_->CreateIncident(kFabrikam, {{"displayName", "Shard two"}});

  const ProcessResult bad = Xdrsync({"run", "--shard", "4/4"});
  EXPECT_EQ(bad.exit_code, 64) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  EXPECT_NE(bad.err.find("--shard"), std::string::npos) << bad.err;

  auto two = Run({"--shard", "2/4"});
  ASSERT_TRUE(WaitFor([&] { return Twin(b, kFabrikam).is_object(); })) << two->Stdout() << two->Stderr();
  EXPECT_NE(two->Stdout().find("\"links\":\"1\""), std::string::npos) << two->Stdout();
  EXPECT_NE(two->Stdout().find("\"shard\":\"2/4\""), std::string::npos) << two->Stdout();
  EXPECT_EQ(two->Stdout().find("contoso-to-soc"), std::string::npos) << "shard 2 does not even configure it";
  EXPECT_FALSE(Twin(a).is_object());
  two->Signal(SIGTERM);
  ASSERT_EQ(two->Wait(std::chrono::seconds(15)).exit_code, 0);

  // The ordinal as a StatefulSet passes it: the pod name.
  auto zero = Run({"--shard", "xdrsync-0/4"});
  ASSERT_TRUE(WaitFor([&] { return Twin(a).is_object(); })) << zero->Stdout() << zero->Stderr();
  EXPECT_EQ(zero->Stdout().find("fabrikam-to-soc"), std::string::npos);
  zero->Signal(SIGTERM);
  ASSERT_EQ(zero->Wait(std::chrono::seconds(15)).exit_code, 0);

  // The configuration's shard binds every command: `once` syncs only its links, and a repair of
  // another shard's link is refused.
  config_["shard"] = "2/4";
  const std::string c = emu_->CreateIncident(kContoso, {{"displayName", "Not this shard"}});
  const std::string f = emu_->CreateIncident(kFabrikam, {{"displayName", "This shard"}});
  Once();
  EXPECT_TRUE(Twin(f, kFabrikam).is_object());
  EXPECT_FALSE(Twin(c).is_object());
  const ProcessResult other = Xdrsync({"resync", "contoso-to-soc", c});
  EXPECT_EQ(other.exit_code, 64) << other.err;
  EXPECT_NE(other.err.find("shard"), std::string::npos) << other.err;

  config_["shard"] = "9/4";
  const ProcessResult conf = Xdrsync({"check-config"});
  EXPECT_EQ(conf.exit_code, 78);
  EXPECT_NE(conf.err.find("shard"), std::string::npos) << conf.err;
}

TEST_F(ShardingTest, ALinkIsSyncedOnlyByTheHolderOfItsLeaseAndHandedOverOnStop) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  ASSERT_NO_FATAL_FAILURE(StartLeaseServer());
  const std::string port = FreePort();
  config_["listen"] = "127.0.0.1:" + port;
  config_["leases"] = LeasesConfig("xdrsync-0");
  // Another replica holds the link (its old owner before a scale-down, say).
  ASSERT_NO_FATAL_FAILURE(WriteLease("xdrsync-9", 3600));
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Handed over"}});

  auto first = StartDaemon();
  ASSERT_TRUE(WaitFor([&] {
    return HttpCall(std::stoi(port), "GET", "/readyz").body.find("waiting for the link's lease") != std::string::npos;
  })) << first->Stdout() << first->Stderr();
  EXPECT_FALSE(Twin(id).is_object()) << "no cycle without the lease";
  EXPECT_EQ(first->Stdout().find("cycle.done"), std::string::npos) << first->Stdout();

  // The old owner stops and hands the lease on.
  ASSERT_NO_FATAL_FAILURE(WriteLease("xdrsync-9", 1));
  ASSERT_TRUE(WaitFor([&] { return Twin(id).is_object(); })) << first->Stdout() << first->Stderr();
  json lease = Lease(kContosoLease);
  EXPECT_EQ(Str(lease, "/spec/holderIdentity"), "xdrsync-0");
  EXPECT_EQ(lease["spec"].value("leaseTransitions", -1), 1);
  first->Signal(SIGTERM);
  ASSERT_EQ(first->Wait(std::chrono::seconds(15)).exit_code, 0) << first->Stderr();
  lease = Lease(kContosoLease);
  EXPECT_EQ(Str(lease, "/spec/holderIdentity"), "xdrsync-0");
  EXPECT_EQ(lease["spec"].value("leaseDurationSeconds", -1), 1) << "released on stop";

  // The new owner, with its own state (one volume per replica), takes over and syncs.
  config_["leases"] = LeasesConfig("xdrsync-1");
  config_["state_path"] = dir_ + "/state-1.db";
  auto second = StartDaemon();
  const std::string later = emu_->CreateIncident(kContoso, {{"displayName", "After the hand-over"}});
  ASSERT_TRUE(WaitFor([&] { return Twin(later).is_object(); })) << second->Stdout() << second->Stderr();
  lease = Lease(kContosoLease);
  EXPECT_EQ(Str(lease, "/spec/holderIdentity"), "xdrsync-1");
  EXPECT_EQ(lease["spec"].value("leaseTransitions", -1), 2);
  EXPECT_NE(second->Stdout().find("lease.state_dropped"), std::string::npos) << "taken over: local state is stale";

  // Someone else takes the lease: the holder stops writing the link at once. Found by the renewal
  // while a cycle may run, it exits (the only way to stop a write in flight); found before a cycle,
  // the link just waits.
  ASSERT_NO_FATAL_FAILURE(WriteLease("intruder", 3600));
  ASSERT_TRUE(WaitFor([&] { return second->Stdout().find("lease.lost") != std::string::npos; }))
      << second->Stdout().substr(0, 4000);
  const ProcessResult after = second->Wait(std::chrono::seconds(3));
  if (after.timed_out) {
    EXPECT_NE(HttpCall(std::stoi(port), "GET", "/readyz").body.find("waiting for the link's lease"), std::string::npos);
    const std::string last = emu_->CreateIncident(kContoso, {{"displayName", "Not ours any more"}});
    second->Signal(SIGTERM);
    ASSERT_EQ(second->Wait(std::chrono::seconds(15)).exit_code, 0);
    EXPECT_FALSE(Twin(last).is_object());
    EXPECT_EQ(Str(Lease(kContosoLease), "/spec/holderIdentity"), "intruder") << "a lost lease is not released";
  } else {
    EXPECT_EQ(after.exit_code, 1);
  }
  leases_->Signal(SIGTERM);
}

}  // namespace
}  // namespace xdrsync::integration
