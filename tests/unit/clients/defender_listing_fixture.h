// Shared by the Defender listing tests: a Graph client over a scripted transport, and the URLs and
// pages of incident listings as the client must send and the service answers them.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "unit/clients/scripted_transport.h"
#include "unit/clients/wire.h"
#include "xdrsync/api/http_clients.h"

namespace xdrsync::api {

using xdrsync::testing::json;
using xdrsync::testing::kGraph;
using xdrsync::testing::kIncidents;

inline const Timestamp kSince = *Timestamp::Parse("2025-06-01T10:00:00Z");

inline std::string T(int minute) {
  return "2025-06-01T10:" + std::string(minute < 10 ? "0" : "") + std::to_string(minute) + ":00Z";
}

// The first URL of a segment, exactly as the client must encode it.
inline std::string ListUrl(const std::string& since, int top, bool expand = false, bool orderby = true) {
  return std::string(kIncidents) + "?$filter=lastUpdateDateTime%20ge%20" + since + "&" +
         (orderby ? "$orderby=lastUpdateDateTime%20asc&" : "") + "$top=" + std::to_string(top) +
         (expand ? "&$expand=alerts" : "");
}
inline std::string Since(int minute) {
  return "2025-06-01T10:" + std::string(minute < 10 ? "0" : "") + std::to_string(minute) + ":00.0000000Z";
}

inline std::string Next(const std::string& token) { return std::string(kIncidents) + "?$top=3&$skiptoken=" + token; }

inline std::string GraphErrorBody(const std::string& code, const std::string& message) {
  return json{{"error", {{"code", code}, {"message", message}, {"innerError", {{"request-id", "r-body"}}}}}}.dump();
}

inline std::vector<std::string> Ids(const Listing<domain::DefenderIncident>& listing) {
  std::vector<std::string> ids;
  for (const auto& i : listing.items) ids.push_back(i.id);
  return ids;
}

class DefenderListingTest : public ::testing::Test {
 protected:
  std::unique_ptr<DefenderClient> Make(int page_size, size_t alerts_cap = 100) {
    GraphClientOptions options;
    options.graph_url = kGraph;
    options.tenant = "t-1";
    options.page_size = page_size;
    options.expanded_alerts_cap = alerts_cap;
    options.deadline = std::chrono::milliseconds(12'000);
    return MakeGraphDefenderClient(transport_, options, clock_, logger_, metrics_);
  }

  void TearDown() override { EXPECT_EQ(transport_.remaining(), 0u) << "requests left in the script"; }

  xdrsync::testing::ScriptedTransport transport_;
  FakeClock clock_{*Timestamp::Parse("2025-06-01T12:00:00Z")};
  MemoryLogger logger_;
  Metrics metrics_;
};

}  // namespace xdrsync::api
