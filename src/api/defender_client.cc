#include "defender_client.h"

#include <algorithm>
#include <utility>

#include "http_text.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::api {
namespace detail {

using domain::DefenderComment;
using domain::DefenderIncident;

GraphDefenderClient::GraphDefenderClient(http::Transport& transport, GraphClientOptions options, const Clock& clock,
                                         Logger& logger, Metrics& metrics)
    : options_(std::move(options)),
      security_url_(TrimTrailingSlash(options_.graph_url) + "/v1.0/security"),
      beta_url_(TrimTrailingSlash(options_.graph_url) + "/beta/security"),
      caller_(transport, clock, logger, metrics,
              CallerConfig{Dialect::kGraph, options_.graph_url, options_.tenant, options_.deadline}),
      metrics_(metrics) {
  options_.page_size = std::clamp(options_.page_size, 1, 50);
  options_.alert_page_size = std::clamp(options_.alert_page_size, 1, 1000);
  options_.expanded_alerts_cap = std::max<size_t>(options_.expanded_alerts_cap, 1);
  options_.skip_ceiling = std::max<size_t>(options_.skip_ceiling, static_cast<size_t>(options_.page_size));
  metrics_.Describe("xdrsync_graph_order_fallback_total", "counter",
                    "Graph incident listings no longer relying on $orderby (refused or ignored), by tenant.");
  metrics_.Describe("xdrsync_graph_paging_shifted_total", "counter",
                    "Graph listing segments served an item twice under live $skip paging and listed again.");
}

http::Headers GraphDefenderClient::ReadHeaders() {
  // Without the Prefer header Graph folds newer enum members (awaitingAction, new service
  // sources) into unknownFutureValue, which would hide a real status from the sync.
  return {{"Accept", "application/json"}, {"Prefer", "include-unknown-enum-members"}};
}

http::Headers GraphDefenderClient::WriteHeaders() {
  http::Headers headers = ReadHeaders();
  headers.emplace_back("Content-Type", "application/json");
  return headers;
}

std::string GraphDefenderClient::IncidentUrl(const std::string& id) const {
  return security_url_ + "/incidents/" + EncodePathSegment(id);
}

Result<DefenderIncident> GraphDefenderClient::GetIncident(const std::string& id, bool expand) {
  CallResult call = caller_.Call("GET", IncidentUrl(id) + (expand ? "?$expand=alerts" : ""), ReadHeaders());
  if (!call.ok()) return call.status;
  Result<DefenderIncident> incident = ParseDefenderIncident(call.body);
  if (!incident.ok()) {
    caller_.CountParseErrors(1);
    return ApiCaller::BodyError(call, incident.status());
  }
  return incident;
}

Result<DefenderIncident> GraphDefenderClient::Get(const std::string& id) {
  Result<DefenderIncident> incident = GetIncident(id, true);
  if (!incident.ok()) {
    // A huge incident can make $expand=alerts fail with 5xx: read it bare and page its alerts.
    if (incident.status().code() != Code::kUnavailable) return incident;
    incident = GetIncident(id, false);
    if (!incident.ok()) return incident;
  }
  if (Status completed = CompleteAlerts(*incident, false); !completed.ok()) return completed;
  caller_.CountItems(1);
  return incident;
}

Result<DefenderIncident> GraphDefenderClient::Patch(const std::string& id, const domain::DefenderPatch& patch) {
  if (patch.empty())
    return InvalidArgument("graph PATCH " + UrlPath(IncidentUrl(id)) + ": empty patch, nothing to send");
  CallResult call = caller_.CallReadGuarded("PATCH", IncidentUrl(id), WriteHeaders(), SerializeDefenderPatch(patch));
  if (!call.ok()) return call.status;
  // The documented answer is 200 with the incident; a bare 204 is read back instead of guessed.
  if (Trim(call.body).empty()) return GetIncident(id, false);
  Result<DefenderIncident> incident = ParseDefenderIncident(call.body);
  if (!incident.ok()) return ApiCaller::BodyError(call, incident.status());
  return incident;
}

Result<std::vector<DefenderComment>> GraphDefenderClient::AddComment(const std::string& id, const std::string& text) {
  CallResult call = caller_.Call("POST", IncidentUrl(id) + "/comments", WriteHeaders(), SerializeDefenderComment(text));
  if (!call.ok()) return call.status;
  Result<std::vector<DefenderComment>> comments = ParseDefenderComments(call.body);
  if (!comments.ok()) return ApiCaller::BodyError(call, comments.status());
  return comments;
}

Result<CreatedAlert> GraphDefenderClient::CreateAlert(const CreateAlertInput& input) {
  CallResult call =
      caller_.Call("POST", beta_url_ + "/alerts_v2/createAlert", WriteHeaders(), SerializeCreateAlert(input));
  if (!call.ok()) return call.status;
  Result<CreatedAlert> created = ParseCreateAlertReply(call.body);
  if (!created.ok()) return ApiCaller::BodyError(call, created.status());
  return created;
}

}  // namespace detail

std::unique_ptr<DefenderClient> MakeGraphDefenderClient(http::Transport& transport, GraphClientOptions options,
                                                        const Clock& clock, Logger& logger, Metrics& metrics) {
  return std::make_unique<detail::GraphDefenderClient>(transport, std::move(options), clock, logger, metrics);
}

}  // namespace xdrsync::api
