// What the services throw at the daemon (spec §9, issue 4 §2): throttling and 5xx with
// Retry-After, a 409 on the next PUT, and a revoked secret that fails the link, never a pair.
#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class FaultsTest : public SyncTest {
 protected:
  static std::vector<json> Matching(const json& requests, const std::string& method, const std::string& path_part) {
    std::vector<json> out;
    for (const auto& r : requests) {
      if (r.value("method", "") == method && r.value("path", "").find(path_part) != std::string::npos) out.push_back(r);
    }
    return out;
  }
  // Seconds since midnight of an emulator timestamp ("2025-06-01T10:20:30.1234567Z").
};

TEST_F(FaultsTest, ThrottlingAndServerErrorsAreRetriedUntilConverged) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  emu_->AddFault({{"kind", "429"},
                  {"method", "GET"},
                  {"path_glob", "/v1.0/security/incidents"},
                  {"count", 2},
                  {"retry_after_s", 1.5}});
  emu_->AddFault(
      {{"kind", "503"}, {"method", "PUT"}, {"path_glob", "/subscriptions/**"}, {"count", 2}, {"retry_after_s", 1}});
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Under pressure"}, {"severity", "high"}});
  Once();
  ASSERT_TRUE(Twin(id).is_object());
  EXPECT_EQ(Twin(id)["properties"].value("severity", ""), "High");

  const json requests = emu_->Requests();
  const auto lists = Matching(requests, "GET", "/v1.0/security/incidents");
  ASSERT_GE(lists.size(), 3u);
  EXPECT_EQ(lists[0].value("status", 0), 429);
  EXPECT_EQ(lists[1].value("status", 0), 429);
  EXPECT_EQ(lists[2].value("status", 0), 200);
  EXPECT_GE(SecondsOfDay(lists[1].value("time", "")) - SecondsOfDay(lists[0].value("time", "")), 1.4)
      << "Retry-After 1.5 s was not honoured";
  const auto puts = Matching(requests, "PUT", "/incidents/");
  ASSERT_GE(puts.size(), 3u);
  EXPECT_EQ(puts[0].value("status", 0), 503);
  EXPECT_EQ(puts[1].value("status", 0), 503);
  EXPECT_LT(puts[2].value("status", 0), 300);
  EXPECT_EQ(emu_->ArmIncidents(kWorkspace).size(), 1u) << "a retried PUT never duplicates";

  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
}

TEST_F(FaultsTest, ConflictOnTheNextPutIsReReadAndRetried) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Etag race"}, {"severity", "low"}});
  Once();
  ASSERT_TRUE(Twin(id).is_object());
  emu_->UpdateIncident(kContoso, id, {{"severity", "high"}, {"author", "alice@contoso.com"}});
  emu_->AddFault({{"kind", "conflict_next_put"}, {"method", "PUT"}, {"path_glob", "/subscriptions/**/incidents/*"}});
  emu_->ClearRequests();
  Once();
  EXPECT_EQ(Twin(id)["properties"].value("severity", ""), "High");
  const auto puts = Matching(emu_->Requests(), "PUT", "/incidents/");
  ASSERT_GE(puts.size(), 2u) << Describe(puts);
  EXPECT_EQ(puts[0].value("status", 0), 409);
  EXPECT_EQ(puts.back().value("status", 0), 200);
}

TEST_F(FaultsTest, RevokedSecretFailsTheLinkWithOneLineAndNoSecret) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  config_["defender_tenants"].push_back(Tenant("fabrikam", kFabrikam));
  config_["links"].push_back(Link("fabrikam-to-soc", "fabrikam", "soc"));
  emu_->CreateIncident(kContoso, {{"displayName", "Before rotation"}});
  Once();
  // The fabrikam admin rotates the app's secret; our copy is now stale.
  emu_->Call("POST", "/clients", {{"tenant", kFabrikam}, {"client_id", kClientId}, {"secret", "rotated-elsewhere"}});
  const std::string c = emu_->CreateIncident(kContoso, {{"displayName", "After rotation"}});
  const ProcessResult r = Xdrsync({"once"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Twin(c).is_object()) << "one failing tenant never stalls another link";
  const std::string all = r.out + r.err;
  EXPECT_EQ(all.find(kSecret), std::string::npos) << "the secret leaked:\n" << all;
  size_t error_lines = 0;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    const std::string line = all.substr(start, end - start);
    if (line.find("fabrikam-to-soc") != std::string::npos && line.find("\"level\":\"error\"") != std::string::npos &&
        line.find("invalid_client") != std::string::npos) {
      ++error_lines;
    }
    start = end + 1;
  }
  EXPECT_EQ(error_lines, 1u) << "one error line says why fabrikam-to-soc failed:\n" << all;
}

TEST_F(FaultsTest, WrongSecretAtStartExitsOne) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  config_["sentinel_workspaces"][0]["auth"]["client_secret_env"] = "XDRSYNC_IT_WRONG_SECRET";
  std::vector<std::string> argv = {XDRSYNC_BIN, "--config", WriteConfig(), "once"};
  const ProcessResult r = RunProcess(argv, {{kSecretEnv, kSecret}, {"XDRSYNC_IT_WRONG_SECRET", "not-the-secret"}},
                                     dir_ + "/wrong", std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("not-the-secret"), std::string::npos);
  EXPECT_EQ((r.out + r.err).find(kSecret), std::string::npos);
  EXPECT_NE(r.out.find("invalid_client"), std::string::npos) << "the log says why:\n" << r.out;
  EXPECT_TRUE(Writes(emu_->Requests()).empty());
}

}  // namespace
}  // namespace xdrsync::integration
