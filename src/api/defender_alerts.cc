// Completing an incident's alert list. Defender is authoritative for membership and an incident
// can hold hundreds of alerts, so an embedded list that may have been cut is never trusted: the
// alerts are paged from alerts_v2 filtered on incidentId. That filter is not among the documented
// ones; when the service refuses it (400) the incident's own ?$expand=alerts read is used instead.
#include <set>
#include <utility>

#include "defender_client.h"
#include "http_text.h"

namespace xdrsync::api::detail {

using domain::DefenderAlert;
using domain::DefenderIncident;

Status GraphDefenderClient::CompleteAlerts(DefenderIncident& incident, bool may_refetch) {
  if (!incident.alerts && may_refetch) {
    Result<DefenderIncident> expanded = GetIncident(incident.id, true);
    if (expanded.ok()) {
      incident.alerts = std::move(expanded->alerts).value_or(std::vector<DefenderAlert>{});
      may_refetch = false;
    } else if (expanded.status().code() != Code::kUnavailable) {
      return expanded.status();
    }
  }
  if (incident.alerts && incident.alerts->size() < options_.expanded_alerts_cap) return Status::Ok();

  if (alerts_filter_supported_.load()) {
    Result<std::vector<DefenderAlert>> paged = PageAlerts("incidentId eq " + ODataString(incident.id), incident.id);
    if (paged.ok()) {
      incident.alerts = std::move(*paged);
      return Status::Ok();
    }
    if (paged.status().code() != Code::kInvalidArgument) return paged.status();
    alerts_filter_supported_.store(false);
    caller_.logger().Warn("graph_alerts_filter_refused",
                          {{"tenant", options_.tenant}, {"reason", paged.status().message()}});
  }
  if (!incident.alerts || may_refetch) {
    Result<DefenderIncident> expanded = GetIncident(incident.id, true);
    if (!expanded.ok()) return expanded.status();
    incident.alerts = std::move(expanded->alerts).value_or(std::vector<DefenderAlert>{});
  }
  if (incident.alerts->size() >= options_.expanded_alerts_cap) {
    caller_.logger().Warn(
        "graph_alerts_maybe_capped",
        {{"tenant", options_.tenant}, {"incident", incident.id}, {"alerts", std::to_string(incident.alerts->size())}});
  }
  return Status::Ok();
}

Result<std::vector<DefenderAlert>> GraphDefenderClient::AlertsCreatedSince(Timestamp since) {
  return PageAlerts("createdDateTime ge " + since.ToString(), "");
}

Result<std::vector<DefenderAlert>> GraphDefenderClient::PageAlerts(const std::string& filter,
                                                                   const std::string& incident_id) {
  std::string url = security_url_ + "/alerts_v2?$filter=" + EncodeQueryValue(filter) +
                    "&$top=" + std::to_string(options_.alert_page_size);
  std::vector<DefenderAlert> alerts;
  std::set<std::string> alert_ids;
  std::set<std::string> links_seen;
  for (size_t pages = 1;; ++pages) {
    CallResult call = caller_.Call("GET", url, ReadHeaders());
    if (!call.ok()) return call.status;
    Result<Page<DefenderAlert>> page = ParseDefenderAlertPage(call.body);
    if (!page.ok()) return ApiCaller::BodyError(call, page.status());
    for (DefenderAlert& alert : page->items) {
      // A service that ignored the filter would hand us the tenant's alerts: keep only this
      // incident's, once each.
      if (!incident_id.empty() && !alert.incident_id.empty() && alert.incident_id != incident_id) continue;
      if (alert_ids.insert(alert.id).second) alerts.push_back(std::move(alert));
    }
    if (!page->errors.empty()) {
      // An unreadable alert costs one row of the digest, not the incident.
      caller_.CountParseErrors(page->errors.size());
      caller_.logger().Warn(
          "graph_alert_unreadable",
          {{"tenant", options_.tenant}, {"incident", incident_id}, {"error", page->errors.front().status.message()}});
    }
    if (page->next_link.empty()) return alerts;
    if (!caller_.IsOwnUrl(page->next_link)) {
      return ParseError(call.what + ": @odata.nextLink leaves the service; not followed (request-id " +
                        call.request_id + ")");
    }
    // A paging loop or an endless list concerns this incident only: an item error, not a failed
    // listing that would stall the link every cycle.
    if (!links_seen.insert(page->next_link).second) {
      return ParseError(call.what + ": @odata.nextLink repeats (paging loop) after " + std::to_string(alerts.size()) +
                        " alerts (request-id " + call.request_id + ")");
    }
    if (pages >= options_.max_alert_pages) {
      return ParseError(call.what + ": more than " + std::to_string(options_.max_alert_pages) +
                        " pages of alerts; not read further (request-id " + call.request_id + ")");
    }
    url = std::move(page->next_link);
  }
}

}  // namespace xdrsync::api::detail
