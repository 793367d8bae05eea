// The HTTP implementations of DefenderClient (Microsoft Graph) and SentinelClient (ARM). They send
// through an http::Transport that already carries retry, rate budgets and the bearer token, so they
// add none of those; they build URLs, follow paging, map HTTP results to the error contract of
// clients.h, log each call at debug and count items and parse errors in Metrics:
//   xdrsync_api_items_total{api}         incidents read by listings and gets
//   xdrsync_api_parse_errors_total{api}  items (incidents, alerts, comments) that could not be read
// The clients are thread-safe when the transport, logger and metrics are. The borrowed references
// must outlive the client.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "xdrsync/api/clients.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/core/log.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::api {

struct GraphClientOptions {
  std::string graph_url = "https://graph.microsoft.com";  // no trailing path; /v1.0 is added
  std::string tenant;                                     // Request::tenant (budgets, logs)
  int page_size = 50;                                     // incidents $top; clamped to 1..50
  int alert_page_size = 500;                              // alerts_v2 $top; clamped to 1..1000
  // An embedded alert list at least this long may have been cut by the service, so the incident's
  // alerts are paged in from alerts_v2 instead of being trusted.
  size_t expanded_alerts_cap = 100;
  // Where Graph stops paging at a $skip of 6,000, a listing continues from the last time seen.
  size_t skip_ceiling = 6000;
  // Pages one listing may read (all its time-boundary segments together). Past it the listing ends
  // with what it has and says so; the next cycle continues from the newest time it saw. With 50 a
  // page that is 100,000 changed incidents per cycle.
  size_t max_listing_pages = 2000;
  // The same for the full sweep's listing of every open incident, which is handed on page by page
  // rather than held: 500,000 open incidents, with room for the restarts past each skip ceiling.
  size_t max_open_listing_pages = 10000;
  // Pages of one incident's alerts (40 x 500 = 20,000 alerts). Past it, or on a repeated nextLink,
  // that incident is an item error: quarantined, while the rest of the listing goes on.
  size_t max_alert_pages = 40;
  // After $expand=alerts failed with 5xx, listings go without it for this long before trying again.
  std::chrono::seconds expand_retry_interval{3600};
  std::chrono::milliseconds deadline{30'000};  // per request
};

struct ArmClientOptions {
  std::string arm_url = "https://management.azure.com";
  std::string subscription_id;
  std::string resource_group;
  std::string workspace;
  std::string api_version = "2025-09-01";
  std::string tenant;                          // Request::tenant (budgets, logs)
  int page_size = 1000;                        // incidents $top; clamped to 1..1000
  // Pages one listing may read (1,000,000 incidents at 1,000 a page). Past it, or on a repeated
  // nextLink, the listing ends with what it has (it is ordered by time, so the next cycle goes on
  // from the newest time seen) instead of failing the link every cycle.
  size_t max_listing_pages = 1000;
  std::chrono::milliseconds deadline{30'000};  // per request
};

std::unique_ptr<DefenderClient> MakeGraphDefenderClient(http::Transport& transport, GraphClientOptions options,
                                                        const Clock& clock, Logger& logger, Metrics& metrics);

std::unique_ptr<SentinelClient> MakeArmSentinelClient(http::Transport& transport, ArmClientOptions options,
                                                      const Clock& clock, Logger& logger, Metrics& metrics);

}  // namespace xdrsync::api
