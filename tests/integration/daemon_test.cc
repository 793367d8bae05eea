// `xdrsync run`, the daemon: it syncs on its own, answers /healthz and /metrics, stops within 10 s
// on SIGTERM, survives SIGKILL in the middle of its writes without duplicates, and rides out a
// token that expires while it runs.
#include <signal.h>

#include <thread>

#include "control_client.h"
#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class DaemonTest : public SyncTest {
 protected:
  size_t TwinCount() const { return emu_->ArmIncidents(kWorkspace).size(); }
};

TEST_F(DaemonTest, SyncsServesHealthAndMetricsAndStopsOnSigterm) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string port = FreePort();
  config_["listen"] = "127.0.0.1:" + port;
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Daemon picks me up"}, {"severity", "high"}});
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Twin(id).is_object(); })) << daemon->Stdout() << daemon->Stderr();

  const HttpReply health = HttpCall(std::stoi(port), "GET", "/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
  const HttpReply metrics = HttpCall(std::stoi(port), "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("xdrsync_"), std::string::npos) << metrics.body.substr(0, 2000);
  EXPECT_EQ(metrics.body.find(" untyped"), std::string::npos) << "every metric has its # TYPE:\n" << metrics.body;
  EXPECT_TRUE(
      WaitFor([&] { return HttpCall(std::stoi(port), "GET", "/readyz").status == 200; }, std::chrono::seconds(10)));

  // A change made while it runs arrives without another command.
  emu_->UpdateIncident(kContoso, id, {{"severity", "low"}, {"author", "alice@contoso.com"}});
  EXPECT_TRUE(WaitFor([&] { return Twin(id)["properties"].value("severity", "") == "Low"; }));

  const auto asked = std::chrono::steady_clock::now();
  daemon->Signal(SIGTERM);
  const ProcessResult r = daemon->Wait(std::chrono::seconds(12));
  const auto took = std::chrono::steady_clock::now() - asked;
  EXPECT_FALSE(r.timed_out) << "still running 12 s after SIGTERM";
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_LT(took, std::chrono::seconds(10));
}

TEST_F(DaemonTest, KilledMidWriteThenOnceConvergesWithoutDuplicates) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  // The second twin PUT is applied at once but its reply held back 8 s: the kill lands while the
  // daemon waits for it, so that creation is in flight (applied, never confirmed).
  emu_->AddFault({{"kind", "latency"},
                  {"method", "PUT"},
                  {"path_glob", "/subscriptions/**/incidents/*"},
                  {"skip", 1},
                  {"count", 1},
                  {"latency_ms", 8000}});
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(emu_->CreateIncident(kContoso, {{"displayName", "Batch " + std::to_string(i)},
                                                  {"severity", "medium"},
                                                  {"comments", {"note-" + std::to_string(i)}},
                                                  {"author", "bob@contoso.com"}}));
  }
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return TwinCount() >= 2; })) << daemon->Stdout() << daemon->Stderr();
  daemon->Signal(SIGKILL);
  daemon->Wait(std::chrono::seconds(5));
  emu_->Call("DELETE", "/faults");

  // Analysts keep working while the daemon is down: on the confirmed pair and on the in-flight one.
  std::vector<std::string> twinned;
  for (const auto& id : ids) {
    if (Twin(id).is_object()) twinned.push_back(id);
  }
  ASSERT_EQ(twinned.size(), 2u);
  emu_->CommentArm(kWorkspace, Twin(twinned[0]).value("name", ""), "S-after-crash", "sam@soc.example");
  for (const auto& id : twinned) emu_->UpdateIncident(kContoso, id, {{"status", "inProgress"}, {"author", "bob"}});
  ids.push_back(emu_->CreateIncident(kContoso, {{"displayName", "Born while down"}, {"severity", "high"}}));

  Once();
  EXPECT_EQ(TwinCount(), ids.size()) << "one twin per incident, none duplicated";
  for (size_t i = 0; i < ids.size(); ++i) {
    SCOPED_TRACE(ids[i]);
    const json twin = Twin(ids[i]);
    ASSERT_TRUE(twin.is_object());
    if (i < 4) {
      const std::string note = "note-" + std::to_string(i);
      EXPECT_EQ(CountContaining(ArmCommentTexts(twin), note), 1u) << twin["_comments"].dump(1);
      EXPECT_EQ(CountContaining(CommentTexts(emu_->Incident(kContoso, ids[i])), note), 1u);
    }
  }
  EXPECT_EQ(CountContaining(CommentTexts(emu_->Incident(kContoso, twinned[0])), "S-after-crash"), 1u);
  for (const auto& id : twinned) {
    SCOPED_TRACE("status change made while the daemon was down, incident " + id);
    EXPECT_EQ(Twin(id)["properties"].value("status", ""), "Active");
  }
  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
}

TEST_F(DaemonTest, TokenExpiringMidRunIsRefreshed) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Long runner"}, {"severity", "low"}});
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Twin(id).is_object(); })) << daemon->Stdout() << daemon->Stderr();
  // Two hours pass on the services' clock: every token the daemon holds is now expired there.
  emu_->Call("POST", "/clock", {{"advance_seconds", 7200}});
  emu_->UpdateIncident(kContoso, id, {{"severity", "high"}, {"author", "alice@contoso.com"}});
  EXPECT_TRUE(WaitFor([&] { return Twin(id)["properties"].value("severity", "") == "High"; }))
      << daemon->Stdout().substr(0, 4000);
  size_t unauthorized = 0;
  for (const auto& r : emu_->Requests()) unauthorized += r.value("status", 0) == 401 ? 1u : 0u;
  EXPECT_LE(unauthorized, 4u) << "a 401 refreshes the token once, it does not loop";
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(std::chrono::seconds(12)).exit_code, 0);
}

}  // namespace
}  // namespace xdrsync::integration
