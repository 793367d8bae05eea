// Reading Sentinel incidents and comments. The write side is in arm_write.cc.
#include "xdrsync/api/arm_codec.h"

#include <exception>
#include <utility>

#include "json_read.h"

namespace xdrsync::api {
namespace {

using detail::Json;
using detail::ParsedBody;
using detail::Reader;
using detail::ReadError;
using domain::SentinelComment;
using domain::SentinelIncident;

struct Item {
  std::string name;
  std::string label;  // "incident <name>" or the fallback given by the caller
};

// Reads the required `name` and checks the whole item for invalid UTF-8 before anything else, so
// the error carries the name whenever the name itself is readable.
Item StartItem(const Json& j, bool had_bad_text, std::string_view kind, const std::string& what,
               const Reader& r) {
  const std::optional<std::string> name = r.String("name");
  const bool name_ok = name && !name->empty() && !detail::HasBadText(*name) && detail::IsPlainId(*name);
  Item item{name_ok ? *name : "", name_ok ? std::string(kind) + " " + Reader::Quote(*name) : what};
  if (!name_ok) r.Fail("name", name ? "empty or invalid" : "missing");
  if (had_bad_text) {
    if (std::optional<std::string> path = detail::FindBadText(j)) r.Fail(*path, "invalid UTF-8");
  }
  return item;
}

std::optional<domain::SentinelOwner> ReadOwner(const Reader& o, std::vector<std::string>* unknown) {
  domain::SentinelOwner owner;
  owner.object_id = o.Str("objectId");
  owner.email = o.Str("email");
  owner.assigned_to = o.Str("assignedTo");
  owner.user_principal_name = o.Str("userPrincipalName");
  owner.owner_type =
      o.Enum("ownerType", &domain::ParseSOwnerType, unknown).value_or(owner.owner_type);
  if (owner.empty()) return std::nullopt;
  return owner;
}

Result<SentinelIncident> ReadIncident(const Json& j, bool had_bad_text, const std::string& what) {
  if (!j.is_object()) return ParseError(what + ": expected an object, got " + j.type_name());
  ReadError err;
  const Reader r(&j, "", &err);
  const Item item = StartItem(j, had_bad_text, "incident", what, r);
  if (!r.Has("properties")) r.Fail("properties", "missing");
  if (err.failed) return detail::FieldError(item.label, err);

  SentinelIncident s;
  s.name = item.name;
  s.arm_id = r.Str("id");
  s.etag = r.Str("etag");
  s.last_modified_by = r.Child("systemData").Str("lastModifiedBy");
  const Reader p = r.Child("properties");
  std::vector<std::string>* unknown = &s.unknown_values;
  s.title = p.Str("title");
  s.description = p.Str("description");
  s.severity = p.Enum("severity", &domain::ParseSSeverity, unknown).value_or(s.severity);
  s.status = p.Enum("status", &domain::ParseSStatus, unknown).value_or(s.status);
  s.classification = p.Enum("classification", &domain::ParseSClassification, unknown);
  s.classification_reason = p.Enum("classificationReason", &domain::ParseSReason, unknown);
  s.classification_comment = p.Str("classificationComment");
  s.owner = ReadOwner(p.Child("owner"), unknown);
  for (const Reader& l : p.Objects("labels")) {
    domain::SentinelLabel label;
    label.name = l.Str("labelName");
    if (label.name.empty()) l.Fail("labelName", "missing");
    label.type = l.String("labelType").value_or(label.type);
    s.labels.push_back(std::move(label));
  }
  s.first_activity = p.Time("firstActivityTimeUtc");
  s.last_activity = p.Time("lastActivityTimeUtc");
  s.created = p.Time("createdTimeUtc").value_or(Timestamp());
  s.last_modified = p.Time("lastModifiedTimeUtc").value_or(Timestamp());
  s.incident_number = p.Int("incidentNumber").value_or(0);
  s.incident_url = p.Str("incidentUrl");
  s.provider_name = p.Str("providerName");
  s.provider_incident_id = p.Id("providerIncidentId").value_or("");
  const Reader extra = p.Child("additionalData");
  s.alerts_count = extra.Int("alertsCount").value_or(0);
  s.provider_incident_url = extra.Str("providerIncidentUrl");
  if (err.failed) return detail::FieldError(item.label, err);
  return s;
}

Result<SentinelComment> ReadComment(const Json& j, bool had_bad_text, const std::string& what) {
  if (!j.is_object()) return ParseError(what + ": expected an object, got " + j.type_name());
  ReadError err;
  const Reader r(&j, "", &err);
  const Item item = StartItem(j, had_bad_text, "comment", what, r);
  if (err.failed) return detail::FieldError(item.label, err);

  SentinelComment c;
  c.id = item.name;
  c.etag = r.Str("etag");
  const Reader p = r.Child("properties");
  c.message = p.Str("message");
  c.created = p.Time("createdTimeUtc").value_or(Timestamp());
  const Reader author = p.Child("author");
  c.author_name = author.Str("name");
  c.author_upn = author.Str("userPrincipalName");
  c.author_object_id = author.Str("objectId");
  // The model has no slot for the e-mail; it is still type-checked like every other member.
  (void)author.String("email");
  if (err.failed) return detail::FieldError(item.label, err);
  return c;
}

std::string AtIndex(std::string_view kind, size_t index) {
  return std::string(kind) + " at index " + std::to_string(index);
}

}  // namespace

Result<SentinelIncident> ParseSentinelIncident(std::string_view json) {
  try {
    Result<ParsedBody> parsed = detail::ParseBody(json);
    if (!parsed.ok()) return parsed.status().Annotate("incident");
    return ReadIncident(parsed->json, parsed->had_bad_text, "incident");
  } catch (const std::exception& e) {
    return ParseError(std::string("incident: ") + e.what());
  }
}

Result<Page<SentinelIncident>> ParseSentinelIncidentPage(std::string_view json) {
  try {
    return detail::ReadPage<SentinelIncident>(
        json, "nextLink", "name", [](const Json& item, bool bad, size_t i) {
          return ReadIncident(item, bad, AtIndex("incident", i));
        });
  } catch (const std::exception& e) {
    return ParseError(std::string("incident page: ") + e.what());
  }
}

Result<Page<SentinelComment>> ParseSentinelCommentPage(std::string_view json) {
  try {
    return detail::ReadPage<SentinelComment>(json, "nextLink", "name",
                                             [](const Json& item, bool bad, size_t i) {
                                               return ReadComment(item, bad, AtIndex("comment", i));
                                             });
  } catch (const std::exception& e) {
    return ParseError(std::string("comment page: ") + e.what());
  }
}

Result<SentinelComment> ParseSentinelComment(std::string_view json) {
  try {
    Result<ParsedBody> parsed = detail::ParseBody(json);
    if (!parsed.ok()) return parsed.status().Annotate("comment");
    return ReadComment(parsed->json, parsed->had_bad_text, "comment");
  } catch (const std::exception& e) {
    return ParseError(std::string("comment: ") + e.what());
  }
}

}  // namespace xdrsync::api
