// Capture costs what changed, not how many pairs there are: idle pairs are seen in list pages (the
// full sweep's open incidents, the overlap window of the incremental listings) and are not read
// one by one (performance issue: "a full sweep costs list pages only").
#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

class SweepTest : public SyncTest {
 protected:
  // GETs of one incident or its comments (not listings), by path.
  static std::vector<std::string> SingleReads(const std::vector<json>& requests) {
    std::vector<std::string> out;
    for (const auto& r : requests) {
      if (r.value("method", "") != "GET") continue;
      std::string path = r.value("path", "");
      path = path.substr(0, path.find('?'));
      const auto at = path.rfind("/incidents");
      if (at != std::string::npos && at + std::string("/incidents").size() < path.size()) out.push_back(path);
    }
    return out;
  }
};

TEST_F(SweepTest, IdlePairsCostListPagesOnlyAndChangedOnesAreReadAndSynced) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    ids.push_back(emu_->CreateIncident(kContoso, {{"displayName", "Idle " + std::to_string(i)}, {"severity", "low"}}));
  }
  Once();
  Once();  // the deep links and anything else the creations left
  emu_->ClearRequests();
  Once();  // `once` is a full sweep
  EXPECT_TRUE(WritesSinceClear().empty()) << "an idle sweep wrote";
  const auto idle = SingleReads(emu_->Requests());
  EXPECT_TRUE(idle.empty()) << idle.size() << " single-incident reads in a sweep of 12 idle pairs, first "
                            << (idle.empty() ? "" : idle[0]);

  // One change on each side: those two pairs are read and synced, the other ten are not read.
  emu_->UpdateIncident(kContoso, ids[3], {{"status", "inProgress"}, {"author", "alice@contoso.com"}});
  const std::string twin7 = Twin(ids[7]).value("name", "");
  ASSERT_FALSE(twin7.empty());
  emu_->UpdateArm(kWorkspace, twin7, {{"status", "Active"}, {"author", "sam@soc.example"}});
  emu_->ClearRequests();
  Once();
  EXPECT_EQ(Str(Twin(ids[3]), "/properties/status"), "Active");
  EXPECT_EQ(emu_->Incident(kContoso, ids[7]).value("status", ""), "inProgress");
  for (const auto& path : SingleReads(emu_->Requests())) {
    const bool of_changed = path.find("/" + ids[3]) != std::string::npos ||
                            path.find(Twin(ids[3]).value("name", "")) != std::string::npos ||
                            path.find("/" + ids[7]) != std::string::npos || path.find(twin7) != std::string::npos;
    EXPECT_TRUE(of_changed) << "read an unchanged pair: " << path;
  }
}

}  // namespace
}  // namespace xdrsync::integration
