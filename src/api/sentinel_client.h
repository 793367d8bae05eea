// Private to src/api: SentinelClient over the ARM Microsoft.SecurityInsights incidents API of one
// workspace.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "client_common.h"
#include "listing_collector.h"
#include "xdrsync/api/clients.h"
#include "xdrsync/api/http_clients.h"

namespace xdrsync::api::detail {

class ArmSentinelClient final : public SentinelClient {
 public:
  ArmSentinelClient(http::Transport& transport, ArmClientOptions options, const Clock& clock, Logger& logger,
                    Metrics& metrics);

  Result<Listing<domain::SentinelIncident>> ListChanged(Timestamp since) override;
  Result<Listing<domain::SentinelIncident>> ListOpen(const PageSink<domain::SentinelIncident>& sink) override;
  Result<std::vector<domain::SentinelIncident>> ListRecent(int top) override;
  Result<domain::SentinelIncident> Get(const std::string& name) override;
  Result<domain::SentinelIncident> Put(const domain::SentinelIncident& incident) override;
  Result<domain::SentinelComment> PutComment(const std::string& incident, const std::string& comment_id,
                                             const std::string& message) override;
  int64_t ClockOffset() const override { return caller_.ClockOffset(); }

 private:
  using Collector = ListingCollector<domain::SentinelIncident, &domain::SentinelIncident::name,
                                     &domain::SentinelIncident::last_modified>;

  // {incidents collection}[/suffix]?api-version=...[&query]
  std::string Url(const std::string& suffix, const std::string& query = "") const;
  std::string IncidentPath(const std::string& name) const;
  Result<std::vector<domain::SentinelComment>> ListComments(const std::string& name);
  // The guard every paged read shares: the next link must stay on ARM and must not repeat.
  Status CheckNextLink(const CallResult& call, const std::string& next, std::set<std::string>* seen) const;
  // Follows nextLink from `url`, within the page budget, into `listing` (with a sink, into it a
  // page at a time, `listing` keeping no items).
  Status ListPages(std::string url, Listing<domain::SentinelIncident>* listing,
                   const PageSink<domain::SentinelIncident>* sink);
  static http::Headers ReadHeaders();
  static http::Headers WriteHeaders();

  ArmClientOptions options_;
  std::string incidents_url_;  // .../providers/Microsoft.SecurityInsights/incidents
  ApiCaller caller_;
};

}  // namespace xdrsync::api::detail
