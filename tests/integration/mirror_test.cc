// Mirror mode, first contact: a new Defender incident gets its Sentinel twin with the mapped
// fields under the deterministic name, and a second `once` with no analyst change writes nothing.
#include "sync_fixture.h"
#include "twin_id.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class MirrorTest : public SyncTest {};

TEST(TwinIdTest, MatchesTheSpecExample) {
  // Spec §3's worked example pins the helper the other tests use to find twins.
  EXPECT_EQ(TwinName("72F988BF-86F1-41AF-91AB-2D7CD011DB47", "2972395"), "ac9a5780-98b5-5ec6-9873-32585d2eabab");
}

TEST_F(MirrorTest, NewDefenderIncidentGetsTwinWithMappedFields) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  config_["links"][0]["title_prefix"] = "[contoso] ";
  const std::string id =
      emu_->CreateIncident(kContoso, {{"displayName", "Suspicious PowerShell on FIN-07"},
                                      {"severity", "high"},
                                      {"assignedTo", "alice@contoso.com"},
                                      {"customTags", {"finance", "tier2"}},
                                      {"description", "Encoded command line seen on a finance laptop."},
                                      {"alerts",
                                       {{{"title", "Encoded PowerShell"}, {"severity", "high"}},
                                        {{"title", "Credential dumping"}, {"severity", "medium"}}}},
                                      {"author", "alice@contoso.com"}});
  ASSERT_FALSE(id.empty());
  Once();

  const json twin = Twin(id);
  ASSERT_TRUE(twin.is_object()) << "no twin named " << TwinName(kContoso, id) << " in "
                                << emu_->ArmIncidents(kWorkspace).dump(1);
  const json& p = twin["properties"];
  const json defender = emu_->Incident(kContoso, id);
  EXPECT_EQ(p.value("title", ""), "[contoso] Suspicious PowerShell on FIN-07");
  EXPECT_EQ(p.value("severity", ""), "High");
  EXPECT_EQ(p.value("status", ""), "New");
  EXPECT_FALSE(p.contains("classification")) << "an open twin carries no classification";
  EXPECT_EQ(Str(p, "/owner/userPrincipalName"), "alice@contoso.com");
  EXPECT_TRUE(HasLabel(twin, "finance"));
  EXPECT_TRUE(HasLabel(twin, "tier2"));
  const std::string description = p.value("description", "");
  EXPECT_NE(description.find(defender.value("incidentWebUrl", "?")), std::string::npos) << description;
  EXPECT_NE(description.find("Encoded command line"), std::string::npos) << description;
  // Activity times come from Defender, not from the copy time.
  EXPECT_EQ(p.value("firstActivityTimeUtc", "").substr(0, 19), defender.value("createdDateTime", "").substr(0, 19));
  EXPECT_EQ(emu_->ArmIncidents(kWorkspace).size(), 1u);
}

TEST_F(MirrorTest, IdleCycleMakesZeroWrites) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  for (int i = 0; i < 3; ++i) {
    emu_->CreateIncident(kContoso, {{"displayName", "Idle check " + std::to_string(i)},
                                    {"severity", "medium"},
                                    {"customTags", {"idle"}},
                                    {"alertCount", 2},
                                    {"comments", {"triage note " + std::to_string(i)}},
                                    {"author", "bob@contoso.com"}});
  }
  Once();
  ASSERT_EQ(emu_->ArmIncidents(kWorkspace).size(), 3u);

  emu_->ClearRequests();
  Once();
  const json requests = emu_->Requests();
  EXPECT_FALSE(requests.empty()) << "the second once did not even read";
  const auto writes = Writes(requests);
  EXPECT_TRUE(writes.empty()) << "idle cycle wrote:\n" << Describe(writes);

  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << "third idle run wrote:\n" << Describe(WritesSinceClear());
}

TEST_F(MirrorTest, ClosedAndResolvedIncidentMapsToValidClosedTwin) {
  // Resolved without a classification: Sentinel refuses Closed without one, so Undetermined.
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string id =
      emu_->CreateIncident(kContoso, {{"displayName", "Already handled"}, {"severity", "low"}, {"status", "resolved"}});
  const std::string tp = emu_->CreateIncident(kContoso, {{"displayName", "Confirmed malware"},
                                                         {"severity", "informational"},
                                                         {"status", "resolved"},
                                                         {"classification", "truePositive"},
                                                         {"determination", "malware"}});
  Once();
  const json twin = Twin(id);
  ASSERT_TRUE(twin.is_object());
  EXPECT_EQ(twin["properties"].value("status", ""), "Closed");
  EXPECT_EQ(twin["properties"].value("classification", ""), "Undetermined");
  const json tp_twin = Twin(tp);
  ASSERT_TRUE(tp_twin.is_object());
  EXPECT_EQ(tp_twin["properties"].value("severity", ""), "Informational");
  EXPECT_EQ(tp_twin["properties"].value("classification", ""), "TruePositive");
  EXPECT_EQ(tp_twin["properties"].value("classificationReason", ""), "SuspiciousActivity");
}

}  // namespace
}  // namespace xdrsync::integration
