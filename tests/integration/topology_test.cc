// Shapes of deployment: two tenants into one workspace, link mode against an onboarded workspace,
// and a mirror into another tenant's onboarded workspace through the `defender-alert` way.
#include "sync_fixture.h"
#include "twin_id.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class TopologyTest : public SyncTest {
 protected:
  static size_t CountRequests(const json& requests, const std::string& method, const std::string& path_part) {
    size_t n = 0;
    for (const auto& r : requests) {
      n += r.value("method", "") == method && r.value("path", "").find(path_part) != std::string::npos ? 1u : 0u;
    }
    return n;
  }
};

TEST_F(TopologyTest, TwoTenantsFeedOneWorkspace) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  config_["defender_tenants"].push_back(Tenant("fabrikam", kFabrikam));
  config_["links"][0]["title_prefix"] = "[contoso] ";
  config_["links"].push_back(Link("fabrikam-to-soc", "fabrikam", "soc"));
  config_["links"][1]["title_prefix"] = "[fabrikam] ";
  const std::string c = emu_->CreateIncident(kContoso, {{"displayName", "Same title"}, {"severity", "high"}});
  const std::string f = emu_->CreateIncident(kFabrikam, {{"displayName", "Same title"}, {"severity", "low"}});
  Once();
  const json ct = Twin(c, kContoso);
  const json ft = Twin(f, kFabrikam);
  ASSERT_TRUE(ct.is_object());
  ASSERT_TRUE(ft.is_object());
  EXPECT_NE(ct.value("name", ""), ft.value("name", "")) << "twin ids are per tenant, even for equal incident ids";
  EXPECT_EQ(ct["properties"].value("title", ""), "[contoso] Same title");
  EXPECT_EQ(ft["properties"].value("title", ""), "[fabrikam] Same title");
  EXPECT_EQ(emu_->ArmIncidents(kWorkspace).size(), 2u);

  emu_->UpdateArm(kWorkspace, ft.value("name", ""), {{"status", "Active"}, {"author", "sam@soc.example"}});
  Once();
  EXPECT_EQ(emu_->Incident(kFabrikam, f).value("status", ""), "inProgress");
  EXPECT_EQ(emu_->Incident(kContoso, c).value("status", ""), "active") << "the other tenant is untouched";
}

TEST_F(TopologyTest, LinkModePairsTheConnectorsIncidentsAndCreatesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator(OnboardedScenario(kContoso, {"SecurityIncident.ReadWrite.All"})));
  config_["sentinel_workspaces"][0] = Workspace("soc", kWorkspace, kContoso, "defender");
  config_["links"][0]["mode"] = "link";
  const std::string storm = emu_->CreateIncident(kContoso, {{"displayName", "Storm"}, {"alertCount", 200}});
  const std::string quiet = emu_->CreateIncident(kContoso, {{"displayName", "Quiet"}, {"alertCount", 1}});
  ASSERT_EQ(emu_->ArmIncidents(kWorkspace).size(), 2u) << "the emulator's connector twins every incident";
  Once();

  const json requests = emu_->Requests();
  EXPECT_EQ(CountRequests(requests, "POST", "createAlert"), 0u);
  EXPECT_EQ(emu_->ArmIncidents(kWorkspace).size(), 2u) << "link mode never creates incidents";
  json storm_twin, quiet_twin;
  for (const auto& i : emu_->ArmIncidents(kWorkspace)) {
    EXPECT_EQ(i["properties"].value("providerName", ""), "Microsoft Defender XDR");
    if (i["properties"].value("providerIncidentId", "") == storm) storm_twin = i;
    if (i["properties"].value("providerIncidentId", "") == quiet) quiet_twin = i;
  }
  ASSERT_TRUE(storm_twin.is_object());
  EXPECT_TRUE(HasLabel(storm_twin, "150+ alerts")) << storm_twin["properties"]["labels"].dump();
  EXPECT_FALSE(HasLabel(quiet_twin, "150+ alerts"));

  const ProcessResult status = Xdrsync({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
}

TEST_F(TopologyTest, MirrorIntoSameTenantOnboardedWorkspaceIsRefused) {
  // Both sides would be one and the same incident: refused as a configuration error, before any request.
  ASSERT_NO_FATAL_FAILURE(StartEmulator(OnboardedScenario(kContoso, {"SecurityIncident.ReadWrite.All"})));
  config_["sentinel_workspaces"][0] = Workspace("soc", kWorkspace, kContoso, "defender");
  emu_->CreateIncident(kContoso, {{"displayName", "Would loop"}});
  const ProcessResult r = Xdrsync({"once"});
  EXPECT_EQ(r.exit_code, 78) << r.out << r.err;
  EXPECT_NE(r.err.find("links[0].mode"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("link"), std::string::npos) << "the message points to mode link: " << r.err;
  EXPECT_TRUE(emu_->Requests().empty()) << Describe(Writes(emu_->Requests()));
}

TEST_F(TopologyTest, MirrorIntoAnotherTenantsOnboardedWorkspaceUsesDefenderAlert) {
  ASSERT_NO_FATAL_FAILURE(
      StartEmulator(OnboardedScenario(kSoc, {"SecurityIncident.ReadWrite.All", "SecurityAlert.Create.All"})));
  config_["sentinel_workspaces"][0] = Workspace("soc", kWorkspace, kSoc, "defender");
  const std::string id =
      emu_->CreateIncident(kContoso, {{"displayName", "Cross-tenant beacon"}, {"severity", "high"}, {"alertCount", 2}});
  const ProcessResult first = Xdrsync({"once"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(CountRequests(emu_->Requests(), "POST", "/alerts_v2/createAlert"), 1u)
      << Describe(Writes(emu_->Requests()));

  // The twin is a real Defender incident of the workspace's tenant, tagged with the twin marker.
  const std::string marker = "xdrsync:" + TwinName(kContoso, id);
  json home;
  const json world = emu_->World();
  for (const auto& i : world["tenants"][kSoc]["incidents"]) {
    const json tags = i.value("customTags", json::array());
    if (std::find(tags.begin(), tags.end(), marker) != tags.end()) home = i;
  }
  ASSERT_TRUE(home.is_object()) << "no incident in the workspace's tenant tagged " << marker << ":\n"
                                << emu_->World()["tenants"][kSoc].dump(1);
  json twin;
  for (const auto& i : emu_->ArmIncidents(kWorkspace)) {
    if (i.value("_graphId", "") == home.value("id", "")) twin = i;
  }
  ASSERT_TRUE(twin.is_object());
  EXPECT_EQ(twin["properties"].value("providerName", ""), "Microsoft Defender XDR");
  EXPECT_NE(twin["properties"].value("title", "").find("Cross-tenant beacon"), std::string::npos);
  EXPECT_EQ(twin["properties"].value("severity", ""), "High");

  // From here it is an ordinary pair: a Sentinel close reaches the source tenant, nothing is re-created.
  emu_->UpdateArm(kWorkspace, twin.value("name", ""),
                  {{"status", "Closed"},
                   {"classification", "BenignPositive"},
                   {"classificationReason", "SuspiciousButExpected"},
                   {"author", "sam@soc.example"}});
  Once();
  const json source = emu_->Incident(kContoso, id);
  EXPECT_EQ(source.value("status", ""), "resolved");
  EXPECT_EQ(source.value("classification", ""), "informationalExpectedActivity");
  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
  EXPECT_EQ(emu_->World()["tenants"][kSoc]["incidents"].size(), 1u) << "exactly one twin incident";
  const ProcessResult status = Xdrsync({"status"});
  EXPECT_NE(status.out.find("defender-alert"), std::string::npos) << "status names the way:\n" << status.out;
}

TEST_F(TopologyTest, TenantAndWorkspaceWithTheSameNameSignInSeparately) {
  // Names are unique only within their own list: a Defender tenant "soc" (contoso) and an onboarded
  // workspace "soc" (tenant soc). The workspace's createAlert must run as the soc tenant's app.
  ASSERT_NO_FATAL_FAILURE(StartEmulator(OnboardedScenario(kSoc, {"SecurityIncident.ReadWrite.All",
                                                                 "SecurityAlert.ReadWrite.All"})));
  config_["defender_tenants"][0] = Tenant("soc", kContoso);
  config_["sentinel_workspaces"][0] = Workspace("soc", kWorkspace, kSoc, "defender");
  config_["links"][0] = Link("soc-to-soc", "soc", "soc");
  const std::string id = emu_->CreateIncident(kContoso, {{"displayName", "Name clash"}, {"severity", "high"}});
  const ProcessResult check = Xdrsync({"check-config"});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  ASSERT_EQ(Xdrsync({"once"}).exit_code, 0);
  Once();

  const json world = emu_->World();
  EXPECT_EQ(world["tenants"][kContoso]["incidents"].size(), 1u)
      << "a twin was created in the source tenant:\n" << world["tenants"][kContoso].dump(1);
  const std::string marker = "xdrsync:" + TwinName(kContoso, id);
  size_t twins = 0;
  for (const auto& i : world["tenants"][kSoc]["incidents"]) {
    const json tags = i.value("customTags", json::array());
    twins += std::find(tags.begin(), tags.end(), marker) != tags.end() ? 1u : 0u;
  }
  EXPECT_EQ(twins, 1u) << world["tenants"][kSoc].dump(1);
  EXPECT_EQ(CountRequests(emu_->Requests(), "POST", "/alerts_v2/createAlert"), 1u);
}

TEST_F(TopologyTest, DefenderAlertWayWithoutCreateRoleFailsTheLinkClearly) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator(OnboardedScenario(kSoc, {"SecurityIncident.ReadWrite.All"})));
  config_["sentinel_workspaces"][0] = Workspace("soc", kWorkspace, kSoc, "defender");
  emu_->CreateIncident(kContoso, {{"displayName", "Needs a twin"}});
  const ProcessResult r = Xdrsync({"once"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("SecurityAlert.Create.All"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(CountRequests(emu_->Requests(), "POST", "createAlert"), 0u) << "roles are read from the token, not probed";
}

}  // namespace
}  // namespace xdrsync::integration
