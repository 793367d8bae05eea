// The command line around the sync: `check-config` (exit 78, one line naming the key), `plan`
// (JSON lines, reads only), `status` and `audit` after a sync.
#include <fstream>
#include <functional>

#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class CliTest : public SyncTest {};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

TEST_F(CliTest, CheckConfigNamesTheBadKeyInOneLine) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const json good = config_;
  ProcessResult ok = Xdrsync({"check-config"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;

  struct Case {
    std::string name;
    std::function<void(json&)> spoil;
    std::string key;
  };
  const std::vector<Case> cases = {
      {"poll interval zero", [](json& c) { c["poll_interval_seconds"] = 0; }, "poll_interval_seconds"},
      {"unknown mode", [](json& c) { c["links"][0]["mode"] = "sideways"; }, "mode"},
      {"tenant id not a GUID", [](json& c) { c["defender_tenants"][0]["tenant_id"] = "contoso"; }, "tenant_id"},
      {"misspelt key", [](json& c) { c["pol_interval_seconds"] = 5; }, "pol_interval_seconds"},
      {"link to unknown tenant", [](json& c) { c["links"][0]["defender"] = "nobody"; }, "defender"},
      {"plain http off loopback", [](json& c) { c["sentinel_workspaces"][0]["arm_url"] = "http://arm.example.com"; },
       "arm_url"},
      {"description both ways",
       [](json& c) {
         c["links"][0]["directions"] = {{"description", "both"}};
       },
       "description"},
      {"secret source missing", [](json& c) { c["defender_tenants"][0]["auth"].erase("client_secret_env"); },
       "client_secret"},
      {"log format", [](json& c) { c["log"]["format"] = "xml"; }, "format"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    config_ = good;
    c.spoil(config_);
    const ProcessResult r = Xdrsync({"check-config"});
    EXPECT_EQ(r.exit_code, 78) << r.out << r.err;
    const auto lines = Lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_NE(lines[0].find(c.key), std::string::npos) << lines[0];
    // The same file stops every command the same way, before any request.
    EXPECT_EQ(Xdrsync({"once"}).exit_code, 78);
  }
  std::ofstream(dir_ + "/broken.json") << "{\"links\": [";
  const ProcessResult broken = RunProcess({XDRSYNC_BIN, "--config", dir_ + "/broken.json", "check-config"}, {},
                                          dir_ + "/broken", std::chrono::seconds(20));
  EXPECT_EQ(broken.exit_code, 78);
  EXPECT_EQ(Lines(broken.err).size(), 1u) << broken.err;
  EXPECT_TRUE(emu_->Requests().empty()) << "a bad configuration sends nothing";
}

TEST_F(CliTest, PlanPrintsJsonLinesAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string paired = emu_->CreateIncident(kContoso, {{"displayName", "Already paired"}, {"severity", "low"}});
  Once();
  emu_->UpdateArm(kWorkspace, Twin(paired).value("name", ""), {{"status", "Active"}, {"author", "sam@soc.example"}});
  const std::string fresh = emu_->CreateIncident(kContoso, {{"displayName", "Not yet paired"}, {"severity", "high"}});
  emu_->ClearRequests();

  const ProcessResult plan = Xdrsync({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  const auto lines = Lines(plan.out);
  EXPECT_GE(lines.size(), 2u) << "a creation and a Defender status write at least:\n" << plan.out;
  bool mentions_fresh = false, mentions_paired = false;
  for (const auto& line : lines) {
    const json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not a JSON line: " << line;
    EXPECT_EQ(j.value("link", ""), "contoso-to-soc");
    mentions_fresh |= line.find(fresh) != std::string::npos;
    mentions_paired |= line.find(paired) != std::string::npos;
  }
  EXPECT_TRUE(mentions_fresh) << plan.out;
  EXPECT_TRUE(mentions_paired) << plan.out;
  for (const auto& r : emu_->Requests()) {
    const bool token = r.value("path", "").find("/oauth2/") != std::string::npos;
    EXPECT_TRUE(r.value("method", "") == "GET" || (token && r.value("method", "") == "POST"))
        << "plan sent " << r.value("method", "") << " " << r.value("path", "");
  }
  EXPECT_FALSE(Twin(fresh).is_object());
  EXPECT_EQ(emu_->Incident(kContoso, paired).value("status", ""), "active");

  // Plan changed no state: the real run still does all of it.
  Once();
  EXPECT_TRUE(Twin(fresh).is_object());
  EXPECT_EQ(emu_->Incident(kContoso, paired).value("status", ""), "inProgress");
}

TEST_F(CliTest, StatusAndAuditDescribeWhatWasDone) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Audited"}, {"severity", "medium"}});
  Once();
  emu_->UpdateIncident(kContoso, id, {{"severity", "high"}, {"author", "alice@contoso.com"}});
  Once();
  const ProcessResult status = Xdrsync({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("contoso-to-soc"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("arm"), std::string::npos) << "status says which way twins are made:\n" << status.out;
  const ProcessResult audit = Xdrsync({"audit", "--incident", id});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_FALSE(Lines(audit.out).empty()) << "no audit entry for " << id;
  EXPECT_NE(audit.out.find("severity"), std::string::npos) << audit.out;
}

}  // namespace
}  // namespace xdrsync::integration
