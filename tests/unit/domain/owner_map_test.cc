#include "xdrsync/domain/owner_map.h"

#include <gtest/gtest.h>

namespace xdrsync::domain {
namespace {

OwnerMap SampleMap() {
  OwnerMap m;
  m.entries = {{"alice@contoso.com", "alice@fabrikam.com", "11111111-2222-3333-4444-555555555555"},
               {"soc-oncall", "oncall@fabrikam.com", ""}};
  m.domains = {{"contoso.com", "fabrikam.com"}};
  return m;
}

std::string ToS(const std::string& d, const OwnerMap& m) {
  auto r = OwnerToSentinel(d, m);
  return r ? r->value : "<none>";
}
std::string ToD(const std::string& s, const OwnerMap& m) {
  auto r = OwnerToDefender(s, m);
  return r ? r->value : "<none>";
}

TEST(OwnerMapTest, ExplicitEntriesWinBothWaysWithObjectId) {
  const OwnerMap m = SampleMap();
  EXPECT_EQ(ToS("alice@contoso.com", m), "upn:alice@fabrikam.com|oid:11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(ToD("upn:alice@fabrikam.com", m), "alice@contoso.com");
  EXPECT_EQ(ToD("oid:11111111-2222-3333-4444-555555555555", m), "alice@contoso.com");
  EXPECT_EQ(ToS("soc-oncall", m), "upn:oncall@fabrikam.com");
}

TEST(OwnerMapTest, DomainRewriteWorksBothWays) {
  const OwnerMap m = SampleMap();
  EXPECT_EQ(ToS("bob@contoso.com", m), "upn:bob@fabrikam.com");
  EXPECT_EQ(ToD("upn:bob@fabrikam.com|oid:abc", m), "bob@contoso.com");
  EXPECT_EQ(ToD("email:carol@fabrikam.com", m), "carol@contoso.com");
}

TEST(OwnerMapTest, UnmappedPolicies) {
  OwnerMap m = SampleMap();
  EXPECT_EQ(ToS("eve@elsewhere.org", m), "upn:eve@elsewhere.org");  // copy-as-is
  EXPECT_EQ(ToS("Tier 2 Group", m), "name:Tier 2 Group");
  EXPECT_EQ(ToD("upn:eve@elsewhere.org", m), "eve@elsewhere.org");
  EXPECT_EQ(ToD("oid:99999999-0000-0000-0000-000000000000", m), "<none>");
  m.unmapped = OwnerMap::Unmapped::kKeepUnassigned;
  auto r = OwnerToSentinel("eve@elsewhere.org", m);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "");
  EXPECT_NE(r->note.find("eve@elsewhere.org"), std::string::npos);
  EXPECT_EQ(ToD("upn:eve@elsewhere.org", m), "");
}

TEST(OwnerMapTest, ClearingClearsTheOtherSide) {
  const OwnerMap m = SampleMap();
  EXPECT_EQ(ToS("", m), "");
  EXPECT_EQ(ToD("", m), "");
}

TEST(OwnerMapTest, AgreementAcrossTenants) {
  MappingPolicy p;
  p.owners = SampleMap();
  EXPECT_TRUE(Agree(Field::kOwner, "bob@contoso.com", "upn:bob@fabrikam.com|oid:77", p));
  EXPECT_TRUE(Agree(Field::kOwner, "alice@contoso.com", "oid:11111111-2222-3333-4444-555555555555", p));
  EXPECT_FALSE(Agree(Field::kOwner, "bob@contoso.com", "upn:alice@fabrikam.com", p));
}

}  // namespace
}  // namespace xdrsync::domain
