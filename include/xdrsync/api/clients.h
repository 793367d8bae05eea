// The Defender (Microsoft Graph) and Sentinel (ARM) incident clients, in domain terms. The engine
// sees only these interfaces; the HTTP implementations (src/api/*_client.cc) sit on an
// http::Transport that already carries retry, rate budgets and the bearer token, and the tests use
// in-memory fakes with the same contract.
//
// Error contract of every method: kNotFound for 404, kConflict for 409/412 (Sentinel etag),
// kPermissionDenied for 403, kUnauthenticated for 401 after the one refresh, kInvalidArgument for
// another 4xx (the service's error code and message in the text), kUnavailable for 5xx, timeouts
// and resets after the retries, kResourceExhausted for 429 after the retries, kParseError for a
// body that cannot be read. Messages carry the service's request id.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "xdrsync/api/graph_codec.h"
#include "xdrsync/api/page.h"
#include "xdrsync/core/status.h"
#include "xdrsync/core/timestamp.h"
#include "xdrsync/domain/incident.h"

namespace xdrsync::api {

// How far past our clock a service's modification time may lie and still count as the newest seen.
// Later stamps (a broken clock, a hostile page) are returned with their items but never become
// `newest`, so neither a watermark nor a paging continuation jumps past everything in between.
inline constexpr int64_t kFutureSkewSeconds = 600;

// Everything a listing found: the incidents that parsed, the ones that did not (with the error),
// and the newest modification time seen up to now + kFutureSkewSeconds (for the watermark).
template <typename T>
struct Listing {
  std::vector<T> items;
  std::vector<ItemError> errors;
  std::optional<Timestamp> newest;
  // False when the listing ended early (its page budget spent, paging stalled or looping): what
  // it left out is unknown, so its absence from `items` says nothing.
  bool complete = true;
  // When its first page was asked for, on our clock (left empty by clients that do not say).
  std::optional<Timestamp> began;
};

// Takes a listing's items a page at a time, for a listing too large to hold whole (the full sweep
// of every open incident). An item may come again in a later page, newer than before; the newest
// copy wins. A failure it returns ends the listing with that failure.
template <typename T>
using PageSink = std::function<Status(std::vector<T>&& items)>;

// A sink that keeps every item, for callers that do want the whole listing (tests, tools).
template <typename T>
PageSink<T> AppendTo(std::vector<T>& out) {
  return [&out](std::vector<T>&& items) {
    for (T& item : items) out.push_back(std::move(item));
    return Status::Ok();
  };
}

class DefenderClient {
 public:
  virtual ~DefenderClient() = default;
  // Incidents whose lastUpdateDateTime >= since, oldest first, following @odata.nextLink; when
  // paging stops short it continues from the last time seen (time-boundary paging, never $skip).
  // With `with_alerts`, each incident carries its complete alert list ($expand=alerts, falling back
  // to per-incident reads when the expand fails with 5xx, and paging past capped lists).
  virtual Result<Listing<domain::DefenderIncident>> ListChanged(Timestamp since, bool with_alerts) = 0;
  // Incidents that are not resolved or redirected (for the full sweep), handed to `sink` a page at
  // a time as they are read (with their complete alert lists when `with_alerts`), so the caller
  // holds only what it keeps. The listing returned carries no items: its errors, completeness,
  // newest stamp and start.
  virtual Result<Listing<domain::DefenderIncident>> ListOpen(bool with_alerts,
                                                             const PageSink<domain::DefenderIncident>& sink) = 0;
  // One incident with its complete alert list.
  virtual Result<domain::DefenderIncident> Get(const std::string& id) = 0;
  // PATCH of only the fields set in `patch`; returns the incident as the service answered.
  virtual Result<domain::DefenderIncident> Patch(const std::string& id, const domain::DefenderPatch& patch) = 0;
  // POST of one comment; returns the whole comment list as the service answered.
  virtual Result<std::vector<domain::DefenderComment>> AddComment(const std::string& id, const std::string& text) = 0;
  // Alerts created at or after `since` (alerts_v2, every page, within the alert page bound).
  virtual Result<std::vector<domain::DefenderAlert>> AlertsCreatedSince(Timestamp since) = 0;
  // Graph beta createAlert (defender-alert twins). Returns the new alert and incident ids.
  virtual Result<CreatedAlert> CreateAlert(const CreateAlertInput& input) = 0;
  // The service's clock minus ours, from the Date header of the last response (ticks).
  virtual int64_t ClockOffset() const = 0;
};

class SentinelClient {
 public:
  virtual ~SentinelClient() = default;
  // Incidents whose lastModifiedTimeUtc >= since, oldest first, following nextLink (short and
  // empty pages included). Comments are not included.
  virtual Result<Listing<domain::SentinelIncident>> ListChanged(Timestamp since) = 0;
  // Incidents whose status is New or Active (for the full sweep), in pages of up to 1,000, without
  // comments: their etags tell which pairs changed since they were last seen. Handed to `sink` a
  // page at a time; the listing returned carries no items (as DefenderClient::ListOpen).
  virtual Result<Listing<domain::SentinelIncident>> ListOpen(const PageSink<domain::SentinelIncident>& sink) = 0;
  // The newest `top` incidents (portal detection looks at their provider names).
  virtual Result<std::vector<domain::SentinelIncident>> ListRecent(int top) = 0;
  // One incident with all its comments.
  virtual Result<domain::SentinelIncident> Get(const std::string& name) = 0;
  // Full-object create-or-update carrying incident.etag (empty etag = create). Returns the
  // incident as the service answered (without comments). kConflict when the etag is stale.
  virtual Result<domain::SentinelIncident> Put(const domain::SentinelIncident& incident) = 0;
  // Create-or-update of one comment under a caller-chosen id (idempotent by id).
  virtual Result<domain::SentinelComment> PutComment(const std::string& incident, const std::string& comment_id,
                                                     const std::string& message) = 0;
  virtual int64_t ClockOffset() const = 0;
};

}  // namespace xdrsync::api
