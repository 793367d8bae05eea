// One workspace, many links: every link of a managed-service provider that feeds one workspace
// lists that workspace's changes each cycle, and each of those listings returns the same items
// (all the workspace's changes, not only the link's twins). ShareListings answers a listing from
// one that began at most `window` before the call, instead of asking ARM again:
//   - ListChanged(since) is answered by a listing from a `since` no later than the call's, with
//     the items from `since` on; ListOpen by the last open listing;
//   - one listing of each kind runs at a time; callers that come while it runs wait for it, and ask
//     ARM themselves when it failed or does not cover them;
//   - everything else (reads of one incident, writes) goes to the wrapped client.
// The answer keeps the shared listing's `began`, so a watermark never moves past what it saw. A
// shared answer is at most `window` older than the call; the cycle's own listing would have been
// as old by the time its writes are sent. Counted in xdrsync_sentinel_listings_shared_total{workspace}.
// Thread-safe when the wrapped client is.
#pragma once

#include <memory>
#include <string>

#include "xdrsync/api/clients.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/core/metrics.h"

namespace xdrsync::api {

std::unique_ptr<SentinelClient> ShareListings(std::unique_ptr<SentinelClient> inner, int64_t window_ticks,
                                              const Clock& clock, Metrics& metrics, std::string workspace);

}  // namespace xdrsync::api
