// The operator's repair commands end to end: `forget` drops state and writes nothing to either
// service, `resync` re-creates a twin deleted in Sentinel, `remap` writes a changed owner map and
// title prefix to existing twins (and nothing before it is asked). All three refuse to run beside a
// daemon that holds the state.
#include <signal.h>

#include "control_client.h"
#include "sync_fixture.h"
#include "twin_id.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

constexpr const char* kLink = "contoso-to-soc";

class OperatorTest : public SyncTest {
 protected:
  // The JSON lines of a command's stdout; fails the test on a line that is not JSON.
  static std::vector<json> JsonLines(const std::string& out) {
    std::vector<json> lines;
    size_t start = 0;
    while (start < out.size()) {
      size_t end = out.find('\n', start);
      if (end == std::string::npos) end = out.size();
      if (end > start) {
        json j = json::parse(out.substr(start, end - start), nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "not a JSON line: " << out.substr(start, end - start);
        lines.push_back(j);
      }
      start = end + 1;
    }
    return lines;
  }

  static std::vector<json> WithOp(const std::vector<json>& lines, const std::string& op) {
    std::vector<json> out;
    for (const auto& l : lines) {
      if (l.value("op", "") == op) out.push_back(l);
    }
    return out;
  }

  // The "pairs:" line of `status`, e.g. "  pairs: active=2".
  std::string PairsLine() {
    const ProcessResult r = Xdrsync({"status"});
    const size_t at = r.out.find("pairs:");
    return at == std::string::npos ? r.out : r.out.substr(at, r.out.find('\n', at) - at);
  }

  std::string AuditCauses(const std::string& id) {
    std::string causes;
    for (const auto& l : JsonLines(Xdrsync({"audit", "--incident", id}).out)) causes += l.value("cause", "") + "\n";
    return causes;
  }

  // Deletes a twin through the ARM API as an administrator of the workspace would.
  void DeleteTwin(const std::string& name) {
    const std::string admin = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d";
    emu_->Call("POST", "/clients", {{"tenant", kSoc}, {"client_id", admin}, {"secret", "admin-secret"},
                                    {"arm_role", "contributor"}});
    const std::string token = emu_->Call("POST", "/tokens", {{"tenant", kSoc}, {"client_id", admin},
                                                             {"audience", "https://management.azure.com"}})
                                  .value("access_token", "");
    const std::string path = "/subscriptions/" + std::string(kSubscription) +
                             "/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/" + kWorkspace +
                             "/providers/Microsoft.SecurityInsights/incidents/" + name + "?api-version=2025-09-01";
    const HttpReply r = HttpCall(emu_->port(), "DELETE", path, "", 10000, "Authorization: Bearer " + token + "\r\n");
    ASSERT_LT(r.status, 300) << r.status << " " << r.body;
  }
};

TEST_F(OperatorTest, ForgetDropsOnePairThenTheLinkAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string kept = emu_->CreateIncident(kContoso, {{"displayName", "Kept"}, {"severity", "low"}});
  const std::string dropped = emu_->CreateIncident(kContoso, {{"displayName", "Dropped"}, {"severity", "low"}});
  Once();
  ASSERT_NE(PairsLine().find("active=2"), std::string::npos) << PairsLine();
  emu_->ClearRequests();

  const ProcessResult dry = Xdrsync({"forget", kLink, dropped, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  const auto dry_lines = JsonLines(dry.out);
  ASSERT_EQ(WithOp(dry_lines, "forget").size(), 1u) << dry.out;
  EXPECT_EQ(WithOp(dry_lines, "forget")[0].value("defender_id", ""), dropped);
  EXPECT_EQ(WithOp(dry_lines, "forget")[0].value("sentinel_id", ""), TwinName(kContoso, dropped));
  EXPECT_NE(PairsLine().find("active=2"), std::string::npos) << "a dry run changes nothing: " << PairsLine();

  const ProcessResult one = Xdrsync({"forget", kLink, dropped});
  ASSERT_EQ(one.exit_code, 0) << one.out << one.err;
  EXPECT_EQ(WithOp(JsonLines(one.out), "forget-pair").at(0).value("pairs", 0), 1);
  EXPECT_NE(PairsLine().find("active=1"), std::string::npos) << PairsLine();
  EXPECT_NE(AuditCauses(dropped).find("operator: xdrsync forget"), std::string::npos) << AuditCauses(dropped);
  EXPECT_TRUE(emu_->Requests().empty()) << "forget talks to no service: " << Describe(emu_->Requests());
  EXPECT_TRUE(Twin(dropped).is_object()) << "the twin itself stays";

  const ProcessResult missing = Xdrsync({"forget", kLink, dropped});
  EXPECT_EQ(missing.exit_code, 64);
  EXPECT_NE(missing.err.find(dropped), std::string::npos) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;

  // The link leaves the configuration (another takes its place); its state stays until forgotten.
  config_["links"][0]["name"] = "contoso-to-soc-v2";
  const ProcessResult all = Xdrsync({"forget", kLink});
  ASSERT_EQ(all.exit_code, 0) << all.out << all.err;
  const auto all_lines = JsonLines(all.out);
  ASSERT_EQ(WithOp(all_lines, "forget").size(), 1u) << all.out;
  EXPECT_EQ(WithOp(all_lines, "forget")[0].value("defender_id", ""), kept);
  EXPECT_GE(WithOp(all_lines, "forget-link").at(0).value("link_rows", 0), 2) << "watermarks go too: " << all.out;
  EXPECT_EQ(Xdrsync({"forget", kLink}).exit_code, 64) << "nothing left to forget";
  EXPECT_NE(AuditCauses(kept).find("operator: xdrsync forget"), std::string::npos) << "the audit trail stays";
  EXPECT_TRUE(emu_->Requests().empty()) << Describe(emu_->Requests());
}

TEST_F(OperatorTest, ResyncRecreatesATwinDeletedInSentinel) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Deleted by mistake"}, {"severity", "high"}});
  Once();
  const std::string twin = TwinName(kContoso, id);
  ASSERT_TRUE(Twin(id).is_object());
  ASSERT_NO_FATAL_FAILURE(DeleteTwin(twin));
  emu_->UpdateIncident(kContoso, id, {{"status", "inProgress"}, {"author", "alice@contoso.com"}});
  Once();
  ASSERT_NE(PairsLine().find("deleted-in-sentinel=1"), std::string::npos) << PairsLine();
  Once();
  EXPECT_FALSE(Twin(id).is_object()) << "a tombstone is not re-created by the sync";

  const ProcessResult dry = Xdrsync({"resync", kLink, id, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_EQ(WithOp(JsonLines(dry.out), "resync").size(), 1u) << dry.out;
  EXPECT_NE(dry.out.find(twin), std::string::npos) << "the dry run shows the creation:\n" << dry.out;
  EXPECT_FALSE(Twin(id).is_object());
  EXPECT_NE(PairsLine().find("deleted-in-sentinel=1"), std::string::npos) << PairsLine();

  const ProcessResult gone = Xdrsync({"resync", kLink, "999999"});
  EXPECT_EQ(gone.exit_code, 1) << gone.out << gone.err;
  EXPECT_NE(gone.err.find("999999"), std::string::npos) << gone.err;

  const ProcessResult r = Xdrsync({"resync", kLink, id});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_TRUE(Twin(id).is_object()) << r.out;
  EXPECT_EQ(Str(Twin(id), "/properties/status"), "Active") << "re-planned from Defender as it is now";
  EXPECT_NE(PairsLine().find("active=1"), std::string::npos) << PairsLine();
  EXPECT_NE(AuditCauses(id).find("operator: xdrsync resync"), std::string::npos) << AuditCauses(id);

  // Settled: the next cycles write nothing more.
  Once();
  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
}

TEST_F(OperatorTest, RemapWritesAChangedMappingToExistingTwinsOnlyWhenAsked) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string a = emu_->CreateIncident(kContoso, {{"displayName", "First"}, {"assignedTo", "alice@contoso.com"}});
  const std::string b = emu_->CreateIncident(kContoso, {{"displayName", "Second"}, {"assignedTo", "bob@contoso.com"}});
  Once();
  ASSERT_EQ(Str(Twin(a), "/properties/owner/userPrincipalName"), "alice@contoso.com");

  config_["links"][0]["owners"] = {{"domains", {{"contoso.com", "soc.example"}}}};
  config_["links"][0]["title_prefix"] = "[contoso] ";
  config_["links"][0]["max_writes_per_cycle"] = 1;  // the remap goes one pair per cycle
  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << "a changed mapping changes nothing by itself: "
                                          << Describe(WritesSinceClear());

  const ProcessResult plan = Xdrsync({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(WithOp(JsonLines(plan.out), "remap").size(), 4u) << "owner and title of both twins:\n" << plan.out;
  const ProcessResult dry = Xdrsync({"remap", kLink, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_EQ(WithOp(JsonLines(dry.out), "remap").size(), 4u) << dry.out;
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());

  const ProcessResult r = Xdrsync({"remap", kLink});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto summary = WithOp(JsonLines(r.out), "remap-summary");
  ASSERT_EQ(summary.size(), 1u) << r.out;
  EXPECT_EQ(summary[0].value("written", 0), 4) << r.out;
  EXPECT_EQ(summary[0].value("remaining", 1), 0) << r.out;
  EXPECT_EQ(Str(Twin(a), "/properties/owner/userPrincipalName"), "alice@soc.example");
  EXPECT_EQ(Str(Twin(b), "/properties/owner/userPrincipalName"), "bob@soc.example");
  EXPECT_EQ(Str(Twin(a), "/properties/title"), "[contoso] First");
  EXPECT_EQ(Str(emu_->Incident(kContoso, a), "/assignedTo"), "alice@contoso.com") << "Defender keeps its owner";
  for (const auto& w : WritesSinceClear()) {
    EXPECT_EQ(w.value("path", "").find("/security/incidents"), std::string::npos) << "remap wrote to Defender";
  }
  EXPECT_NE(AuditCauses(a).find("remap"), std::string::npos) << AuditCauses(a);

  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << "no ping-pong after a remap: " << Describe(WritesSinceClear());
  const ProcessResult again = Xdrsync({"remap", kLink});
  EXPECT_EQ(WithOp(JsonLines(again.out), "remap-summary").at(0).value("written", -1), 0) << again.out;
}

TEST_F(OperatorTest, RepairsRefuseToRunBesideADaemon) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Busy"}});
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Twin(id).is_object(); })) << daemon->Stdout() << daemon->Stderr();
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"forget", kLink, id}, {"resync", kLink, id}, {"remap", kLink}}) {
    SCOPED_TRACE(args[0]);
    const ProcessResult r = Xdrsync(args);
    EXPECT_EQ(r.exit_code, 75) << r.out << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("stop it first"), std::string::npos) << r.err;
  }
  EXPECT_EQ(Xdrsync({"forget", kLink, id, "--dry-run"}).exit_code, 0) << "a dry run only reads";
  daemon->Signal(SIGTERM);
  EXPECT_FALSE(daemon->Wait(std::chrono::seconds(15)).timed_out);
  EXPECT_EQ(Xdrsync({"forget", kLink, id}).exit_code, 0);
}

}  // namespace
}  // namespace xdrsync::integration
