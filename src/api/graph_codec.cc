// Reading Graph incidents, alerts and comments. The write side is in graph_write.cc.
#include "xdrsync/api/graph_codec.h"

#include <exception>
#include <utility>

#include "json_read.h"

namespace xdrsync::api {
namespace {

using detail::Json;
using detail::ParsedBody;
using detail::Reader;
using detail::ReadError;
using domain::DefenderAlert;
using domain::DefenderComment;
using domain::DefenderIncident;

// Two shapes exist: the alertComment schema (createdByDisplayName/createdDateTime) and the one the
// incident examples embed (createdBy/createdTime). The schema names win when both are present.
DefenderComment ReadComment(const Reader& r) {
  DefenderComment c;
  c.text = r.Str("comment");
  c.author = r.Has("createdByDisplayName") ? r.Str("createdByDisplayName") : r.Str("createdBy");
  c.created = r.Has("createdDateTime") ? r.Time("createdDateTime") : r.Time("createdTime");
  return c;
}

// `unknown` collects unrecognised enum values for the owning incident (nullptr: not flagged).
DefenderAlert ReadAlert(const Reader& r, std::vector<std::string>* unknown) {
  DefenderAlert a;
  const std::optional<std::string> id = r.Id("id");
  if (!id || id->empty()) r.Fail("id", "missing");
  a.id = id.value_or("");
  a.incident_id = r.Id("incidentId").value_or("");
  a.title = r.Str("title");
  a.severity = r.Enum("severity", &domain::ParseDSeverity, unknown).value_or(a.severity);
  a.status = r.Str("status");
  a.service_source = r.Str("serviceSource");
  a.created = r.Time("createdDateTime").value_or(Timestamp());
  a.web_url = r.Str("alertWebUrl");
  return a;
}

// `what` names the item in errors when its id cannot be read ("incident at index 3").
Result<DefenderIncident> ReadIncident(const Json& j, bool had_bad_text, const std::string& what) {
  if (!j.is_object()) return ParseError(what + ": expected an object, got " + j.type_name());
  ReadError err;
  const Reader r(&j, "", &err);
  DefenderIncident d;
  const std::optional<std::string> id = r.Id("id");
  const bool id_ok = id && !id->empty() && !detail::HasBadText(*id);
  const std::string item = id_ok ? "incident " + detail::Reader::Quote(*id) : what;
  if (!id_ok && !err.failed) r.Fail("id", id ? "empty or invalid" : "missing");
  if (had_bad_text) {
    if (std::optional<std::string> path = detail::FindBadText(j)) r.Fail(*path, "invalid UTF-8");
  }
  if (err.failed) return detail::FieldError(item, err);

  d.id = *id;
  d.tenant_id = r.Str("tenantId");
  d.display_name = r.Str("displayName");
  d.description = r.Str("description");
  d.summary = r.Str("summary");
  std::vector<std::string>* unknown = &d.unknown_values;
  d.status = r.Enum("status", &domain::ParseDStatus, unknown).value_or(d.status);
  d.severity = r.Enum("severity", &domain::ParseDSeverity, unknown).value_or(d.severity);
  d.assigned_to = r.String("assignedTo");
  d.classification = r.Enum("classification", &domain::ParseDClassification, unknown);
  d.determination = r.Enum("determination", &domain::ParseDDetermination, unknown);
  d.resolving_comment = r.String("resolvingComment");
  d.custom_tags = r.Strings("customTags");
  d.system_tags = r.Strings("systemTags");
  for (const Reader& c : r.Objects("comments")) d.comments.push_back(ReadComment(c));
  d.redirect_incident_id = r.Id("redirectIncidentId");
  d.web_url = r.Str("incidentWebUrl");
  d.last_modified_by = r.Str("lastModifiedBy");
  d.created = r.Time("createdDateTime").value_or(Timestamp());
  d.last_update = r.Time("lastUpdateDateTime").value_or(Timestamp());
  if (r.Has("alerts")) {
    std::vector<DefenderAlert> alerts;
    for (const Reader& a : r.Objects("alerts")) alerts.push_back(ReadAlert(a, unknown));
    d.alerts = std::move(alerts);
  }
  if (err.failed) return detail::FieldError(item, err);
  return d;
}

Result<DefenderAlert> ReadAlertItem(const Json& j, bool had_bad_text, const std::string& what) {
  if (!j.is_object()) return ParseError(what + ": expected an object, got " + j.type_name());
  const std::string id = detail::ItemId(j, "id");
  const std::string item = id.empty() ? what : "alert " + Reader::Quote(id);
  ReadError err;
  const Reader r(&j, "", &err);
  if (had_bad_text) {
    if (std::optional<std::string> path = detail::FindBadText(j)) r.Fail(*path, "invalid UTF-8");
  }
  DefenderAlert a = ReadAlert(r, nullptr);
  if (err.failed) return detail::FieldError(item, err);
  return a;
}

std::string AtIndex(std::string_view kind, size_t index) {
  return std::string(kind) + " at index " + std::to_string(index);
}

}  // namespace

Result<DefenderIncident> ParseDefenderIncident(std::string_view json) {
  try {
    Result<ParsedBody> parsed = detail::ParseBody(json);
    if (!parsed.ok()) return parsed.status().Annotate("incident");
    return ReadIncident(parsed->json, parsed->had_bad_text, "incident");
  } catch (const std::exception& e) {
    return ParseError(std::string("incident: ") + e.what());
  }
}

Result<Page<DefenderIncident>> ParseDefenderIncidentPage(std::string_view json) {
  try {
    return detail::ReadPage<DefenderIncident>(
        json, "@odata.nextLink", "id", [](const Json& item, bool bad, size_t i) {
          return ReadIncident(item, bad, AtIndex("incident", i));
        });
  } catch (const std::exception& e) {
    return ParseError(std::string("incident page: ") + e.what());
  }
}

Result<std::vector<DefenderComment>> ParseDefenderComments(std::string_view json) {
  try {
    Result<ParsedBody> parsed = detail::ParseBody(json);
    if (!parsed.ok()) return parsed.status().Annotate("comments");
    const Json& doc = parsed->json;
    const Json* list = &doc;
    if (doc.is_object()) {
      const auto it = doc.find("value");
      if (it == doc.end() || !it->is_array())
        return ParseError("comments: field 'value': missing or not an array");
      list = &*it;
    } else if (!doc.is_array()) {
      return ParseError(std::string("comments: expected an object or an array, got ") +
                        doc.type_name());
    }
    const std::string prefix = doc.is_object() ? "value" : "";
    ReadError err;
    if (parsed->had_bad_text) {
      if (std::optional<std::string> path = detail::FindBadText(*list)) {
        err = {true, prefix + *path, "invalid UTF-8"};
        return detail::FieldError("comments", err);
      }
    }
    std::vector<DefenderComment> out;
    for (size_t i = 0; i < list->size(); ++i) {
      const Json& c = (*list)[i];
      const std::string path = prefix + "[" + std::to_string(i) + "]";
      if (!c.is_object()) {
        return ParseError("comments: field '" + path + "': expected an object, got " +
                          c.type_name());
      }
      out.push_back(ReadComment(Reader(&c, path + ".", &err)));
      if (err.failed) return detail::FieldError("comments", err);
    }
    return out;
  } catch (const std::exception& e) {
    return ParseError(std::string("comments: ") + e.what());
  }
}

Result<DefenderAlert> ParseDefenderAlert(std::string_view json) {
  try {
    Result<ParsedBody> parsed = detail::ParseBody(json);
    if (!parsed.ok()) return parsed.status().Annotate("alert");
    return ReadAlertItem(parsed->json, parsed->had_bad_text, "alert");
  } catch (const std::exception& e) {
    return ParseError(std::string("alert: ") + e.what());
  }
}

Result<Page<DefenderAlert>> ParseDefenderAlertPage(std::string_view json) {
  try {
    return detail::ReadPage<DefenderAlert>(json, "@odata.nextLink", "id",
                                           [](const Json& item, bool bad, size_t i) {
                                             return ReadAlertItem(item, bad, AtIndex("alert", i));
                                           });
  } catch (const std::exception& e) {
    return ParseError(std::string("alert page: ") + e.what());
  }
}

}  // namespace xdrsync::api
