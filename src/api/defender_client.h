// Private to src/api: DefenderClient over Microsoft Graph v1.0 /security (and beta createAlert).
// Reading is split across three files: the plain calls (defender_client.cc), incremental listing
// with time-boundary paging (defender_listing.cc) and completing alert lists (defender_alerts.cc).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client_common.h"
#include "listing_collector.h"
#include "xdrsync/api/clients.h"
#include "xdrsync/api/http_clients.h"

namespace xdrsync::api::detail {

class GraphDefenderClient final : public DefenderClient {
 public:
  GraphDefenderClient(http::Transport& transport, GraphClientOptions options, const Clock& clock, Logger& logger,
                      Metrics& metrics);

  Result<Listing<domain::DefenderIncident>> ListChanged(Timestamp since, bool with_alerts) override;
  Result<Listing<domain::DefenderIncident>> ListOpen(bool with_alerts,
                                                     const PageSink<domain::DefenderIncident>& sink) override;
  Result<domain::DefenderIncident> Get(const std::string& id) override;
  Result<domain::DefenderIncident> Patch(const std::string& id, const domain::DefenderPatch& patch) override;
  Result<std::vector<domain::DefenderComment>> AddComment(const std::string& id, const std::string& text) override;
  Result<std::vector<domain::DefenderAlert>> AlertsCreatedSince(Timestamp since) override;
  Result<CreatedAlert> CreateAlert(const CreateAlertInput& input) override;
  int64_t ClockOffset() const override { return caller_.ClockOffset(); }

 private:
  struct Segment;
  using Collector =
      ListingCollector<domain::DefenderIncident, &domain::DefenderIncident::id, &domain::DefenderIncident::last_update>;

  // defender_listing.cc
  // With a sink, the items go to it page by page (ListOpen) and the result carries none.
  Result<Listing<domain::DefenderIncident>> List(std::optional<Timestamp> since, const std::string& extra_filter,
                                                 bool with_alerts, const PageSink<domain::DefenderIncident>* sink);
  // `pages_left` is the listing's page budget, spent by every page read.
  Segment RunSegment(const std::string& first_url, bool expand, Collector* collector, size_t* pages_left);
  std::string ListUrl(std::optional<Timestamp> since, const std::string& extra_filter, bool expand,
                      bool orderby) const;
  void NoteOrderFallback(std::atomic<bool>& flag, const char* reason);
  // Sends `collector`'s pages on to `sink` as they come, their alert lists completed first.
  void PassPages(Collector& collector, bool with_alerts, const PageSink<domain::DefenderIncident>& sink);
  // Makes the alert lists of listed incidents complete; a failure that concerns the service fails it.
  Status CompleteListedAlerts(std::vector<domain::DefenderIncident>& items, std::vector<ItemError>& errors);
  // Sorts out a page request that failed: a fallback the segment can take, or its failure.
  void NoteFailedPage(const CallResult& call, bool first_page, bool expand, Segment* segment) const;
  bool ExpandAllowed() const;
  void NoteExpandFailed();

  // defender_alerts.cc
  // Makes incident.alerts complete: reads them when absent and pages them in from alerts_v2 when
  // the embedded list looks capped. `may_refetch`: a GET ...?$expand=alerts is still worth trying.
  Status CompleteAlerts(domain::DefenderIncident& incident, bool may_refetch);
  // Every page of alerts_v2 under `filter`; with `only_incident`, that incident's alerts only.
  Result<std::vector<domain::DefenderAlert>> PageAlerts(const std::string& filter, const std::string& only_incident);

  // defender_client.cc
  Result<domain::DefenderIncident> GetIncident(const std::string& id, bool expand);
  std::string IncidentUrl(const std::string& id) const;
  static http::Headers ReadHeaders();
  static http::Headers WriteHeaders();

  GraphClientOptions options_;
  std::string security_url_;  // {graph}/v1.0/security
  std::string beta_url_;      // {graph}/beta/security
  ApiCaller caller_;
  // Ticks before which listings skip $expand=alerts (it failed with 5xx); 0 = allowed.
  std::atomic<int64_t> expand_blocked_until_{0};
  // Graph does not document $orderby on incidents. After a 400 naming it, it is no longer sent;
  // after a listing whose stamps went backwards, the order is no longer relied upon. Either way
  // a listing then only moves the watermark once it is complete (defender_listing.cc).
  std::atomic<bool> orderby_sent_{true};
  std::atomic<bool> order_honoured_{true};
  Metrics& metrics_;
  // alerts_v2 does not document incidentId as a filter; after one 400 it is not tried again.
  std::atomic<bool> alerts_filter_supported_{true};
};

}  // namespace xdrsync::api::detail
