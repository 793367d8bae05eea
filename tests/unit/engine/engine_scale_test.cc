// A cycle's store work follows the changes, not the size of the link: it loads the pairs of what
// it listed, and a full sweep pages through the link instead of holding it.
#include <algorithm>
#include <cstdio>

#include "counting_store.h"
#include "engine_fixture.h"

namespace xdrsync::engine::testing {
namespace {

class EngineScaleTest : public EngineTest {
 protected:
  static constexpr int kOtherPairs = 3000;

  // Three incidents with twins made by the engine, then `kOtherPairs` settled pairs of closed
  // incidents written straight to the store (as a long-running link holds them), and a restart
  // that shows the runner the store through a counter.
  void SetUpLink() {
    for (const char* id : {"1", "2", "3"}) defender.Add(id);
    Settle();
    store::Decision d;
    for (int i = 0; i < kOtherPairs; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "9%05d", i);
      store::Pair p;
      p.key = {"contoso", id};
      p.sentinel_id = std::string("twin-") + id;
      p.marker = p.sentinel_id;
      p.state = store::PairState::kActive;
      p.way = store::CreationWay::kArm;
      p.created = p.updated = clock.Now();
      d.pairs.push_back(p);
      d.seen.push_back({p.key, clock.Now(), "\"closed\"", 0});  // both sides closed when last seen
    }
    ASSERT_TRUE(store->RecordDecision(d).ok());
    wrap_store = [this](store::StateStore& real) {
      auto c = std::make_unique<CountingStore>(real);
      counting = c.get();
      return c;
    };
    Reopen();
    clock.Advance(600);  // past the overlap window: a cycle lists only what changes from here on
    ASSERT_TRUE(Cycle().status.ok());
    counting->pair_rows_read = 0;
    counting->largest_read = 0;
  }

  CountingStore* counting = nullptr;
};

TEST_F(EngineScaleTest, ACycleLoadsOnlyThePairsOfTheIncidentsItListed) {
  SetUpLink();
  defender.Edit("2", [](domain::DefenderIncident& d) { d.assigned_to = "bob@contoso.com"; });
  const CycleReport r = Cycle();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.writes_done, 1u);
  EXPECT_EQ(sentinel.Peek(TwinName("2")).owner->user_principal_name, "bob@contoso.com");
  EXPECT_EQ(counting->whole_link_reads, 0);
  // The pair of incident 2, found once by its Defender id and once by its twin's name (the twin
  // changed with the write and is listed next cycle); none of the other 3,002.
  EXPECT_LE(counting->pair_rows_read, 4);
  EXPECT_TRUE(Cycle().settled());
  EXPECT_LE(counting->pair_rows_read, 8);
}

TEST_F(EngineScaleTest, AFullSweepPagesThroughEveryPair) {
  SetUpLink();
  defender.Edit("3", [](domain::DefenderIncident& d) { d.assigned_to = "carol@contoso.com"; });
  CycleOptions sweep;
  sweep.full_sweep = true;
  const CycleReport r = Cycle(sweep);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(sentinel.Peek(TwinName("3")).owner->user_principal_name, "carol@contoso.com");
  EXPECT_EQ(counting->whole_link_reads, 0);
  EXPECT_GE(counting->pair_rows_read, kOtherPairs + 3) << "every pair is looked at";
  EXPECT_LE(counting->largest_read, 1000) << "a page at a time";
  EXPECT_EQ(metrics.Value("xdrsync_sweep_pairs_skipped_total", {{"link", "contoso"}}), kOtherPairs + 2);
}

TEST_F(EngineScaleTest, AFullSweepKeepsWholeOnlyTheOpenIncidentsThatChanged) {
  // 120 open pairs, listed a few incidents a page: the sweep holds an unchanged one as its id
  // only, and reads nothing of it again.
  for (int i = 0; i < 120; ++i) defender.Add("5" + std::to_string(1000 + i));
  defender.open_page_size = 7;
  Settle();
  clock.Advance(600);
  ASSERT_TRUE(Cycle().settled());
  defender.Edit("51003", [](domain::DefenderIncident& d) { d.assigned_to = "dave@contoso.com"; });
  sentinel.Edit(TwinName("51077"), [](domain::SentinelIncident& s) { s.title = "Renamed by an analyst"; });
  const int defender_gets = defender.Calls("Get");
  const int sentinel_gets = sentinel.Calls("Get");
  CycleOptions sweep;
  sweep.full_sweep = true;
  const CycleReport r = Cycle(sweep);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(sentinel.Peek(TwinName("51003")).owner->user_principal_name, "dave@contoso.com");
  EXPECT_EQ(defender.Calls("Get") - defender_gets, 0) << "every open incident came with the listing";
  EXPECT_EQ(sentinel.Calls("Get") - sentinel_gets, 2) << "only the twins of the two changed pairs";
  const auto entries = log.entries();
  const auto listed = std::find_if(entries.rbegin(), entries.rend(),
                                   [](const MemoryLogger::Entry& e) { return e.event == "sweep.listed"; });
  ASSERT_NE(listed, entries.rend());
  EXPECT_EQ(listed->Field("defender_open"), "120");
  EXPECT_EQ(listed->Field("defender_open_changed"), "2") << "the rest held as ids, not whole";
  EXPECT_EQ(listed->Field("complete"), "true");
}

}  // namespace
}  // namespace xdrsync::engine::testing
