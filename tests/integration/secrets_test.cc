// The promise of docs/security.md, checked end to end: a full scenario at trace level, then the
// client secret and every bearer token are looked for everywhere an operator or an attacker could
// read: stdout and stderr of every command, the state database and its WAL, /metrics, /readyz,
// /healthz, `status`, `plan` and `audit`, and every request the emulator saw except the sign-ins.
#include <signal.h>

#include <thread>

#include "control_client.h"
#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class SecretsTest : public SyncTest {
 protected:
  // The secret as is and a JWT's header prefix (every access token the emulator issues is one).
  void ExpectClean(const std::string& where, const std::string& text) {
    SCOPED_TRACE(where);
    EXPECT_EQ(text.find(kSecret), std::string::npos) << "client secret in " << where;
    const size_t jwt = text.find("eyJ");
    EXPECT_EQ(jwt, std::string::npos) << "a JWT in " << where << ": ..."
                                      << text.substr(jwt == std::string::npos ? 0 : jwt, 200);
    EXPECT_EQ(text.find("Bearer "), std::string::npos) << "an Authorization value in " << where;
  }
};

TEST_F(SecretsTest, NoSecretOrTokenAnywhereAfterAFullScenarioAtTraceLevel) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string port = FreePort();
  config_["listen"] = "127.0.0.1:" + port;
  config_["log"]["level"] = "trace";
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Secret scenario"},
                                                         {"severity", "high"},
                                                         {"comments", {"D1: first look"}},
                                                         {"author", "alice@contoso.com"}});
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Twin(id).is_object(); })) << daemon->Stdout() << daemon->Stderr();
  emu_->CommentArm(kWorkspace, Twin(id).value("name", ""), "S1: from Sentinel", "sam@soc.example");
  emu_->UpdateIncident(kContoso, id, {{"severity", "low"}, {"author", "alice@contoso.com"}});
  ASSERT_TRUE(WaitFor([&] {
    return CountContaining(CommentTexts(emu_->Incident(kContoso, id)), "S1: from Sentinel") == 1 &&
           Twin(id)["properties"].value("severity", "") == "Low";
  })) << daemon->Stdout();
  // A token that stops working mid-run: the 401 and the refresh are logged too.
  emu_->AddFault({{"kind", "status"}, {"status", 401}, {"method", "GET"}, {"count", 1}});

  const int p = std::stoi(port);
  ASSERT_TRUE(WaitFor([&] { return HttpCall(p, "GET", "/readyz").status == 200; }));
  ExpectClean("/metrics", HttpCall(p, "GET", "/metrics").body);
  ExpectClean("/readyz", HttpCall(p, "GET", "/readyz").body);
  ExpectClean("/healthz", HttpCall(p, "GET", "/healthz").body);
  daemon->Signal(SIGTERM);
  const ProcessResult stopped = daemon->Wait(std::chrono::seconds(15));
  ExpectClean("daemon stdout", stopped.out);
  ExpectClean("daemon stderr", stopped.err);
  // Nothing logs below debug: debug lines show the most verbose level was on.
  EXPECT_NE(stopped.out.find("\"level\":\"debug\""), std::string::npos) << "debug lines missing: the level was not on";

  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"status"}, {"plan"}, {"audit", "--limit", "1000"}, {"once"}}) {
    const ProcessResult r = Xdrsync(command);
    ExpectClean(command[0] + " stdout", r.out);
    ExpectClean(command[0] + " stderr", r.err);
  }
  for (const char* file : {"/state.db", "/state.db-wal"}) ExpectClean(file, ReadFile(dir_ + file));

  size_t sign_ins = 0;
  for (const auto& r : emu_->Requests()) {
    if (r.value("path", "").find("/oauth2/v2.0/token") != std::string::npos) {
      ++sign_ins;
      continue;
    }
    EXPECT_EQ(r.dump().find(kSecret), std::string::npos) << r.dump();
  }
  EXPECT_GT(sign_ins, 0u);
}

}  // namespace
}  // namespace xdrsync::integration
