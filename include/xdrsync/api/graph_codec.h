// JSON codecs for the Microsoft Graph security API (Defender XDR incidents, alerts_v2, comments,
// errors, beta createAlert). Bodies in and out are plain strings; no JSON type crosses this header.
//
// Parsing is lenient (api-defender.md §1): enum values are matched case-insensitively with every
// documented alias, unknown values are kept verbatim and listed in `unknown_values`
// ("severity=criticalish"), and every non-key member may be missing or null. What cannot be read
// honestly — malformed JSON, a member of the wrong type, invalid UTF-8 anywhere in the item, an
// unparseable timestamp — gives a kParseError Status naming the item and the field:
//   "incident 42: field 'lastUpdateDateTime': invalid timestamp '...': ..."
// No function here throws, except std::bad_alloc from the serializers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/api/page.h"
#include "xdrsync/core/status.h"
#include "xdrsync/domain/incident.h"
#include "xdrsync/domain/vocabulary.h"

namespace xdrsync::api {

// GET /security/incidents/{id} (with or without $expand=alerts) and the PATCH reply. `id` is the
// only required member. `alerts` is set only when the body has an `alerts` array.
Result<domain::DefenderIncident> ParseDefenderIncident(std::string_view json);

// GET /security/incidents: `value` + `@odata.nextLink`. Fails as a whole only when the page itself
// is unreadable; a bad incident lands in Page::errors and the others are kept.
Result<Page<domain::DefenderIncident>> ParseDefenderIncidentPage(std::string_view json);

// POST /security/incidents/{id}/comments answers with the incident's whole comment list, either as
// {"value":[...]} or as a bare array. Both comment shapes (createdBy/createdTime and
// createdByDisplayName/createdDateTime) are read.
Result<std::vector<domain::DefenderComment>> ParseDefenderComments(std::string_view json);

// One alerts_v2 alert (GET /security/alerts_v2/{id}); `id` is required.
Result<domain::DefenderAlert> ParseDefenderAlert(std::string_view json);
// GET /security/alerts_v2: `value` + `@odata.nextLink`, per-item errors as for incidents.
Result<Page<domain::DefenderAlert>> ParseDefenderAlertPage(std::string_view json);

// The Graph error body: {"error":{code, message, innerError|innererror:{request-id, date, ...}}}.
// `code` may legitimately be empty (seen for $top violations).
struct GraphError {
  std::string code;
  std::string message;
  std::string inner_code;  // innerError.code, when the service nests a more precise one
  std::string request_id;
  std::string client_request_id;
  std::string date;  // verbatim; Graph sends it without a zone
};
// Fails when the body is not JSON or has no `error` object (e.g. an HTML gateway page).
Result<GraphError> ParseGraphError(std::string_view json);

// PATCH /security/incidents/{id}: only the fields set in `patch`, metadata (camelCase) spellings;
// assigned_to holding nullopt-inside becomes "assignedTo": null. Enum members without a wire
// spelling (kUnrecognized) cannot be written and are left out.
std::string SerializeDefenderPatch(const domain::DefenderPatch& patch);

// POST /security/incidents/{id}/comments body.
std::string SerializeDefenderComment(std::string_view text);

// One entity of a beta createAlert request (microsoft.graph.security.entityDefinition).
struct AlertEntityDefinition {
  std::string entity_type;        // user, device, ip, url, file, mailbox, azureResource, ...
  std::string entity_identifier;  // userPrincipalName, deviceId, address, ...
  std::string identifier_value;   // <= 1,000 characters
  std::string role = "impacted";  // impacted | related
};

// POST /beta/security/alerts_v2/createAlert input (createAlertInput). Empty optional strings and
// lists are left out of the body.
struct CreateAlertInput {
  std::string title;
  domain::DSeverity severity = domain::DSeverity::kMedium;
  std::string description;  // <= 5,000 characters
  std::string category;
  std::vector<std::string> mitre_techniques;
  std::string recommended_actions;
  std::optional<int64_t> link_to_incident;  // absent = a new incident
  bool is_excluded_from_correlation = false;
  std::string sentinel_workspace;
  std::vector<AlertEntityDefinition> entity_definitions;
};
std::string SerializeCreateAlert(const CreateAlertInput& input);

// The 201 reply of createAlert: the new alert and the incident it landed in (both required).
struct CreatedAlert {
  std::string alert_id;
  std::string incident_id;
};
Result<CreatedAlert> ParseCreateAlertReply(std::string_view json);

}  // namespace xdrsync::api
