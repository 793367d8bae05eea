// JSON codecs for the ARM Microsoft.SecurityInsights incidents API (Sentinel incidents, their
// comments, errors). Bodies in and out are plain strings; no JSON type crosses this header.
//
// Parsing is lenient (api-sentinel.md §1.3: every enum is modelAsString, so new values appear):
// enum values are matched case-insensitively, unknown ones kept verbatim and listed in
// `unknown_values` as "properties.severity=Critical". `name` and `properties` are required; every
// other member may be missing or null. Malformed JSON, a member of the wrong type, invalid UTF-8
// anywhere in the item or an unparseable timestamp give a kParseError Status naming the item and
// the field: "incident 7f3c...: field 'properties.labels': expected an array, got object".
// No function here throws, except std::bad_alloc from the serializers.
#pragma once

#include <string>
#include <string_view>

#include "xdrsync/api/page.h"
#include "xdrsync/core/status.h"
#include "xdrsync/domain/incident.h"

namespace xdrsync::api {

// GET/PUT reply of /incidents/{id}. An owner with no identity member set (ARM sends all-null
// owners for unassigned incidents) reads as no owner. `comments` is left empty: comments come
// from their own sub-resource.
Result<domain::SentinelIncident> ParseSentinelIncident(std::string_view json);

// GET /incidents: `value` + `nextLink`. Fails as a whole only when the page itself is unreadable;
// a bad incident lands in Page::errors and the others are kept.
Result<Page<domain::SentinelIncident>> ParseSentinelIncidentPage(std::string_view json);

// GET /incidents/{id}/comments: `value` + `nextLink`, per-item errors as above.
Result<Page<domain::SentinelComment>> ParseSentinelCommentPage(std::string_view json);
// One comment (GET or PUT reply of /comments/{commentId}); `name` is required.
Result<domain::SentinelComment> ParseSentinelComment(std::string_view json);

// The ARM CloudError body {"error":{code, message, target}}; a bare {code, message} is accepted
// too. Fails when the body is not JSON or carries neither.
struct ArmError {
  std::string code;
  std::string message;
  std::string target;
};
Result<ArmError> ParseArmError(std::string_view json);

// The full-object PUT body of /incidents/{id}: `etag` (left out when empty, i.e. a create) and
// every writable property (title, description, severity, status, classification,
// classificationReason, classificationComment, owner, labels, first/lastActivityTimeUtc), never a
// read-only one. Fails (kInvalidArgument) instead of producing a body Sentinel must refuse: a
// missing title, severity or status; Closed without a classification; a classification outside
// the valid pairs (TruePositive/SuspiciousActivity, BenignPositive/SuspiciousButExpected,
// FalsePositive/IncorrectAlertLogic|InaccurateData, Undetermined with no reason). Unrecognised
// enum values read from Sentinel are written back verbatim, except on a Closed incident, whose
// classification pair must be one of the known ones.
Result<std::string> SerializeSentinelPut(const domain::SentinelIncident& incident);

// PUT /incidents/{id}/comments/{commentId} body.
std::string SerializeSentinelComment(std::string_view message);

}  // namespace xdrsync::api
