// Owner mapping across tenants (explicit entries with object ids, the unmapped policy, clearing)
// and the scope filter that decides which incidents get a twin (spec §3, §4).
#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class OwnerScopeTest : public SyncTest {};

constexpr const char* kAliceObjectId = "6f5e4d3c-2b1a-4098-8f7e-6d5c4b3a2918";

TEST_F(OwnerScopeTest, ExplicitMapEntriesWinOverDomainsAndWorkBothWays) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  config_["links"][0]["owners"] = {
      {"map",
       {{{"defender", "alice@contoso.com"}, {"sentinel", "alice.w@soc.example"}, {"object_id", kAliceObjectId}}}},
      {"domains", {{"contoso.com", "soc.example"}}},
      {"unmapped", "copy-as-is"}};
  const std::string mapped =
      emu_->CreateIncident(kContoso, {{"displayName", "Mapped"}, {"assignedTo", "alice@contoso.com"}});
  const std::string ruled =
      emu_->CreateIncident(kContoso, {{"displayName", "Domain rule"}, {"assignedTo", "bob@contoso.com"}});
  const std::string other =
      emu_->CreateIncident(kContoso, {{"displayName", "Unmapped"}, {"assignedTo", "eve@partner.org"}});
  Once();
  EXPECT_EQ(Str(Twin(mapped), "/properties/owner/userPrincipalName"), "alice.w@soc.example");
  EXPECT_EQ(Str(Twin(mapped), "/properties/owner/objectId"), kAliceObjectId);
  EXPECT_EQ(Str(Twin(ruled), "/properties/owner/userPrincipalName"), "bob@soc.example");
  EXPECT_EQ(Str(Twin(other), "/properties/owner/userPrincipalName"), "eve@partner.org") << "copy-as-is";

  // Sentinel hands the domain-ruled one to Alice: the map entry translates back.
  emu_->UpdateArm(
      kWorkspace, Twin(ruled).value("name", ""),
      {{"owner", {{"userPrincipalName", "alice.w@soc.example"}, {"objectId", kAliceObjectId}, {"ownerType", "User"}}},
       {"author", "sam@soc.example"}});
  // Clearing an owner on one side clears it on the other.
  emu_->UpdateIncident(kContoso, mapped, {{"assignedTo", nullptr}, {"author", "alice@contoso.com"}});
  Once();
  EXPECT_EQ(Str(emu_->Incident(kContoso, ruled), "/assignedTo"), "alice@contoso.com");
  EXPECT_EQ(Str(Twin(mapped), "/properties/owner/userPrincipalName"), "");
  EXPECT_EQ(Str(Twin(mapped), "/properties/owner/objectId"), "");

  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
}

TEST_F(OwnerScopeTest, KeepUnassignedLeavesTheTwinUnassignedAndSaysWho) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  config_["links"][0]["owners"] = {{"domains", {{"contoso.com", "soc.example"}}}, {"unmapped", "keep-unassigned"}};
  const std::string id =
      emu_->CreateIncident(kContoso, {{"displayName", "Guest owner"}, {"assignedTo", "eve@partner.org"}});
  Once();
  const json twin = Twin(id);
  ASSERT_TRUE(twin.is_object());
  EXPECT_EQ(Str(twin, "/properties/owner/userPrincipalName"), "");
  EXPECT_EQ(CountContaining(ArmCommentTexts(twin), "eve@partner.org"), 1u) << twin["_comments"].dump(1);
  EXPECT_EQ(Str(emu_->Incident(kContoso, id), "/assignedTo"), "eve@partner.org") << "Defender keeps its owner";
  emu_->ClearRequests();
  Once();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
}

TEST_F(OwnerScopeTest, ScopeDecidesWhichIncidentsGetTwins) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  config_["links"][0]["scope"] = {{"min_severity", "medium"}, {"exclude_tags", {"lab"}}};
  const std::string high = emu_->CreateIncident(kContoso, {{"displayName", "In scope"}, {"severity", "high"}});
  const std::string low = emu_->CreateIncident(kContoso, {{"displayName", "Too low"}, {"severity", "low"}});
  const std::string lab =
      emu_->CreateIncident(kContoso, {{"displayName", "Lab noise"}, {"severity", "high"}, {"customTags", {"lab"}}});
  const std::string opted_out = emu_->CreateIncident(
      kContoso, {{"displayName", "Opted out"}, {"severity", "high"}, {"customTags", {"xdrsync:ignore"}}});
  const std::string twin_of_twin = emu_->CreateIncident(
      kContoso,
      {{"displayName", "Copied from elsewhere [xdrsync:0b8f2a47-0c51-5b51-9d0a-1c7e8d2e4f60]"}, {"severity", "high"}});
  Once();
  EXPECT_TRUE(Twin(high).is_object());
  EXPECT_FALSE(Twin(low).is_object()) << "below min_severity";
  EXPECT_FALSE(Twin(lab).is_object()) << "excluded tag";
  EXPECT_FALSE(Twin(opted_out).is_object()) << "xdrsync:ignore";
  EXPECT_FALSE(Twin(twin_of_twin).is_object()) << "an xdrsync twin never gets a twin (loop guard)";
  EXPECT_EQ(emu_->ArmIncidents(kWorkspace).size(), 1u);

  // Leaving scope later keeps the pair: the twin still follows.
  emu_->UpdateIncident(kContoso, high, {{"severity", "low"}, {"author", "alice@contoso.com"}});
  Once();
  EXPECT_EQ(Str(Twin(high), "/properties/severity"), "Low");
}

}  // namespace
}  // namespace xdrsync::integration
