// Long free-text bases are kept as digests by the state store (domain::BaseValue): a real cycle on
// a real state file still sees each side's change, writes it once, and plans nothing when idle.
#include "engine_fixture.h"
#include "xdrsync/domain/fields.h"

namespace xdrsync::engine::testing {
namespace {

const std::string kTitle = "Multi-stage incident involving Initial access & Persistence on one endpoint";

TEST_F(EngineTest, FreeTextBasesKeptAsDigestsStillShowEveryChangeAndNoEcho) {
  auto& d = defender.Add("1");
  d.display_name = kTitle;
  d.description = std::string(500, 'd');
  EXPECT_LE(Settle(), 3);
  const std::string twin = TwinName("1");
  auto bases = store->Bases({"contoso", "1"}).value();
  EXPECT_TRUE(domain::IsBaseDigest(bases.Get(domain::Side::kSentinel, domain::Field::kDescription)->value));
  EXPECT_TRUE(domain::IsBaseDigest(bases.Get(domain::Side::kDefender, domain::Field::kTitle)->value));

  Reopen();  // a new process: the bases come from the file
  EXPECT_TRUE(Cycle().settled()) << "an idle pair is idle with digests for bases";

  defender.Edit("1", [](domain::DefenderIncident& x) { x.display_name = kTitle + " (escalated)"; });
  EXPECT_LE(Settle(), 3);
  EXPECT_EQ(sentinel.Peek(twin).title, kTitle + " (escalated)");

  const std::string closing = "Benign: the rule was an admin's migration script, confirmed with the owner. " +
                              std::string(30, 'c');
  sentinel.Edit(twin, [&](domain::SentinelIncident& s) {
    s.status = domain::ParseSStatus("Closed");
    s.classification = domain::ParseSClassification("BenignPositive");
    s.classification_reason = domain::ParseSReason("SuspiciousButExpected");
    s.classification_comment = closing;
  });
  EXPECT_LE(Settle(), 3);
  EXPECT_EQ(defender.Peek("1").resolving_comment.value_or(""), closing);
  const int puts = sentinel.Calls("Put"), patches = defender.Calls("Patch");
  Reopen();
  EXPECT_TRUE(Cycle().settled());
  EXPECT_EQ(sentinel.Calls("Put"), puts);
  EXPECT_EQ(defender.Calls("Patch"), patches);
}

}  // namespace
}  // namespace xdrsync::engine::testing
