// Writing Graph request bodies, and reading the small replies that go with them (errors, the
// createAlert answer).
#include <exception>
#include <utility>

#include "json_read.h"
#include "xdrsync/api/graph_codec.h"

namespace xdrsync::api {
namespace {

using detail::Json;
using detail::ParsedBody;
using detail::Reader;
using detail::ReadError;
using OJson = nlohmann::ordered_json;

// An enum with no wire spelling (kUnrecognized) would become "" and be refused by Graph: skip it.
template <typename E>
void PutEnum(OJson& body, const char* key, const std::optional<E>& v) {
  if (!v) return;
  const std::string_view wire = domain::ToWire(*v);
  if (!wire.empty()) body[key] = std::string(wire);
}

// innerError nests recursively and request-id is not always on the first level; a few levels are
// enough for every sample seen.
void ReadInner(const Reader& error, GraphError& out) {
  constexpr int kMaxInnerLevels = 8;
  Reader inner = error.Has("innerError") ? error.Child("innerError") : error.Child("innererror");
  for (int level = 0; level < kMaxInnerLevels; ++level) {
    if (out.inner_code.empty()) out.inner_code = inner.Str("code");
    if (out.request_id.empty()) out.request_id = inner.Str("request-id");
    if (out.client_request_id.empty()) out.client_request_id = inner.Str("client-request-id");
    if (out.date.empty()) out.date = inner.Str("date");
    if (!inner.Has("innerError") && !inner.Has("innererror")) break;
    inner = inner.Has("innerError") ? inner.Child("innerError") : inner.Child("innererror");
  }
}

}  // namespace

std::string SerializeDefenderPatch(const domain::DefenderPatch& patch) {
  OJson body = OJson::object();
  PutEnum(body, "status", patch.status);
  if (patch.assigned_to) {
    // null, not "", is how Graph unassigns.
    body["assignedTo"] = *patch.assigned_to ? OJson(**patch.assigned_to) : OJson(nullptr);
  }
  PutEnum(body, "classification", patch.classification);
  PutEnum(body, "determination", patch.determination);
  if (patch.resolving_comment) body["resolvingComment"] = *patch.resolving_comment;
  if (patch.custom_tags) body["customTags"] = *patch.custom_tags;
  if (patch.display_name) body["displayName"] = *patch.display_name;
  if (patch.description) body["description"] = *patch.description;
  PutEnum(body, "severity", patch.severity);
  return detail::Dump(body);
}

std::string SerializeDefenderComment(std::string_view text) {
  OJson body = OJson::object();
  body["@odata.type"] = "microsoft.graph.security.alertComment";
  body["comment"] = std::string(text);
  return detail::Dump(body);
}

std::string SerializeCreateAlert(const CreateAlertInput& input) {
  OJson in = OJson::object();
  in["title"] = input.title;
  in["severity"] = std::string(domain::ToWire(input.severity));
  in["description"] = input.description;
  in["category"] = input.category;
  if (!input.mitre_techniques.empty()) in["mitreTechniques"] = input.mitre_techniques;
  if (!input.recommended_actions.empty()) in["recommendedActions"] = input.recommended_actions;
  if (input.link_to_incident) in["linkToIncident"] = *input.link_to_incident;
  in["isExcludedFromCorrelation"] = input.is_excluded_from_correlation;
  if (!input.sentinel_workspace.empty()) in["sentinelWorkspace"] = input.sentinel_workspace;
  OJson entities = OJson::array();
  for (const AlertEntityDefinition& e : input.entity_definitions) {
    OJson one = OJson::object();
    one["entityType"] = e.entity_type;
    one["entityIdentifier"] = e.entity_identifier;
    one["identifierValue"] = e.identifier_value;
    one["role"] = e.role;
    entities.push_back(std::move(one));
  }
  in["entityDefinitions"] = std::move(entities);
  OJson body = OJson::object();
  body["createAlertInput"] = std::move(in);
  return detail::Dump(body);
}

Result<CreatedAlert> ParseCreateAlertReply(std::string_view json) {
  try {
    Result<ParsedBody> parsed = detail::ParseBody(json);
    if (!parsed.ok()) return parsed.status().Annotate("createAlert reply");
    const Json& doc = parsed->json;
    if (!doc.is_object()) {
      return ParseError(std::string("createAlert reply: expected an object, got ") +
                        doc.type_name());
    }
    ReadError err;
    const Reader r(&doc, "", &err);
    CreatedAlert out;
    out.alert_id = r.Id("id").value_or("");
    out.incident_id = r.Id("incidentId").value_or("");
    if (out.alert_id.empty()) r.Fail("id", "missing");
    if (out.incident_id.empty()) r.Fail("incidentId", "missing");
    if (detail::HasBadText(out.alert_id)) r.Fail("id", "invalid UTF-8");
    if (detail::HasBadText(out.incident_id)) r.Fail("incidentId", "invalid UTF-8");
    if (err.failed) return detail::FieldError("createAlert reply", err);
    return out;
  } catch (const std::exception& e) {
    return ParseError(std::string("createAlert reply: ") + e.what());
  }
}

Result<GraphError> ParseGraphError(std::string_view json) {
  try {
    Result<ParsedBody> parsed = detail::ParseBody(json);
    if (!parsed.ok()) return parsed.status().Annotate("graph error");
    const Json& doc = parsed->json;
    if (!doc.is_object() || !doc.contains("error") || !doc["error"].is_object()) {
      return ParseError("graph error: no 'error' object");
    }
    ReadError err;
    const Reader error = Reader(&doc, "", &err).Child("error");
    GraphError out;
    out.code = error.Str("code");
    out.message = error.Str("message");
    ReadInner(error, out);
    // An error body is diagnostics: a member of an odd type must not hide the rest of it, so
    // err is deliberately not turned into a failure here.
    return out;
  } catch (const std::exception& e) {
    return ParseError(std::string("graph error: ") + e.what());
  }
}

}  // namespace xdrsync::api
