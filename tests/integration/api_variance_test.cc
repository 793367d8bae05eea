// The daemon against the emulator's API-variance settings ($orderby ignored or refused, live $skip
// paging): analysts change every one of 120 incidents while the daemon lists them, with list
// pages slowed so that changes land between the pages of one listing, and no overlap window to
// hide a skipped item. Every change must reach Sentinel.
#include <algorithm>
#include <csignal>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "control_client.h"
#include "sync_fixture.h"
#include "twin_id.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

struct Variance {
  const char* name;
  const char* orderby;
  const char* paging;
};

class ApiVarianceTest : public SyncTest, public ::testing::WithParamInterface<Variance> {
 protected:
  // How many of `ids` have a twin whose severity is `severity`.
  size_t TwinsWithSeverity(const std::vector<std::string>& ids, const std::string& severity) const {
    std::map<std::string, std::string> by_name;
    for (const auto& twin : emu_->ArmIncidents(kWorkspace)) {
      by_name[twin.value("name", "")] = Str(twin, "/properties/severity");
    }
    return static_cast<size_t>(std::count_if(ids.begin(), ids.end(), [&](const std::string& id) {
      auto it = by_name.find(TwinName(kContoso, id));
      return it != by_name.end() && it->second == severity;
    }));
  }
};

TEST_P(ApiVarianceTest, EveryChangeMadeWhileTheDaemonListsReachesSentinel) {
  json scenario = DefaultScenario();
  scenario["settings"] = {{"graph_orderby", GetParam().orderby}, {"graph_paging", GetParam().paging}};
  ASSERT_NO_FATAL_FAILURE(StartEmulator(scenario));
  config_["overlap_seconds"] = 0;
  const std::string port = FreePort();
  config_["listen"] = "127.0.0.1:" + port;
  config_["full_sweep_interval_seconds"] = 86'400;
  std::vector<std::string> ids;
  for (int i = 0; i < 120; ++i) {
    ids.push_back(emu_->CreateIncident(kContoso, {{"displayName", "Variance " + std::to_string(i)}, {"severity", "low"}}));
  }
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return TwinsWithSeverity(ids, "Low") == ids.size(); }, std::chrono::seconds(60)))
      << daemon->Stderr().substr(0, 4000);

  // Slow list pages (not single reads), then change every incident twice: a quick first round
  // makes the next listing span several pages, and the second, in a shuffled order, lands between
  // those pages.
  emu_->ClearRequests();
  emu_->AddFault({{"kind", "latency"}, {"latency_ms", 150}, {"method", "GET"}, {"path_glob", "/v1.0/security/incidents"}});
  for (const auto& id : ids) emu_->UpdateIncident(kContoso, id, {{"severity", "medium"}, {"author", "bob@contoso.com"}});
  std::vector<std::string> order = ids;
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  for (const auto& id : order) {
    emu_->UpdateIncident(kContoso, id, {{"severity", "high"}, {"author", "alice@contoso.com"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const bool all = WaitFor([&] { return TwinsWithSeverity(ids, "High") == ids.size(); }, std::chrono::seconds(60));
  EXPECT_TRUE(all) << TwinsWithSeverity(ids, "High") << " of " << ids.size() << " changes reached Sentinel";
  EXPECT_TRUE(daemon->running());

  size_t refused = 0;
  size_t with_orderby = 0;
  size_t next_pages = 0;
  for (const auto& r : emu_->Requests()) {
    if (r.value("method", "") != "GET" || r.value("path", "") != "/v1.0/security/incidents") continue;
    const std::string query = r.value("query", "");
    refused += r.value("status", 0) == 400 ? 1u : 0u;
    with_orderby += query.find("orderby") != std::string::npos ? 1u : 0u;
    next_pages += query.find("skip") != std::string::npos ? 1u : 0u;
  }
  EXPECT_GT(next_pages, 0u) << "no listing went past its first page while incidents changed";
  EXPECT_EQ(refused, 0u) << "a refused $orderby is remembered";
  if (std::string(GetParam().orderby) == "refused") {
    EXPECT_EQ(with_orderby, 0u);
  } else {
    EXPECT_GT(with_orderby, 0u);
  }
  // The daemon noticed the variance it met (and says so in its metrics).
  const std::string metrics = HttpCall(std::stoi(port), "GET", "/metrics").body;
  const std::string orderby = GetParam().orderby;
  const bool fallback = metrics.find("xdrsync_graph_order_fallback_total{") != std::string::npos;
  EXPECT_EQ(fallback, orderby != "honoured") << metrics.substr(0, 3000);
  if (fallback) {
    EXPECT_NE(metrics.find("orderby_" + orderby), std::string::npos);
  }
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(std::chrono::seconds(12)).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Modes, ApiVarianceTest,
                         ::testing::Values(Variance{"OrderByIgnored", "ignored", "snapshot"},
                                           Variance{"OrderByRefused", "refused", "snapshot"},
                                           Variance{"LiveSkip", "honoured", "live-skip"}),
                         [](const ::testing::TestParamInfo<Variance>& mode) { return mode.param.name; });

}  // namespace
}  // namespace xdrsync::integration
