// Writing Sentinel request bodies, and reading the ARM error body.
#include <exception>
#include <utility>

#include "json_read.h"
#include "xdrsync/api/arm_codec.h"

namespace xdrsync::api {
namespace {

using detail::Json;
using detail::ParsedBody;
using detail::Reader;
using detail::ReadError;
using domain::SClassification;
using domain::SReason;
using domain::SStatus;
using OJson = nlohmann::ordered_json;

bool ValidPair(SClassification c, SReason r) {
  switch (c) {
    case SClassification::kTruePositive:
      return r == SReason::kSuspiciousActivity;
    case SClassification::kBenignPositive:
      return r == SReason::kSuspiciousButExpected;
    case SClassification::kFalsePositive:
      return r == SReason::kIncorrectAlertLogic || r == SReason::kInaccurateData;
    default:
      return false;
  }
}

// Sentinel answers 400 to these; refusing here names the cause instead of burning a write.
Status CheckClassification(const domain::SentinelIncident& s) {
  const auto& c = s.classification;
  const auto& r = s.classification_reason;
  const bool closed = s.status.value == SStatus::kClosed;
  if (!c) {
    if (closed) return InvalidArgument("Closed incident needs a classification");
    if (r) return InvalidArgument("classificationReason without a classification");
    return Status::Ok();
  }
  if (!c->known() || (r && !r->known())) {
    if (closed)
      return InvalidArgument("Closed incident with an unrecognised classification '" +
                             domain::WireText(*c) + "/" + (r ? domain::WireText(*r) : "") + "'");
    return Status::Ok();  // an open incident keeps what Sentinel itself holds
  }
  if (c->value == SClassification::kUndetermined) {
    if (r) return InvalidArgument("classification Undetermined takes no classificationReason");
    return Status::Ok();
  }
  if (!r)
    return InvalidArgument("classification '" + domain::WireText(*c) +
                           "' needs a classificationReason");
  if (!ValidPair(c->value, r->value)) {
    return InvalidArgument("classification '" + domain::WireText(*c) + "' does not take reason '" +
                           domain::WireText(*r) + "'");
  }
  return Status::Ok();
}

OJson OwnerJson(const domain::SentinelOwner& o) {
  OJson j = OJson::object();
  if (!o.object_id.empty()) j["objectId"] = o.object_id;
  if (!o.email.empty()) j["email"] = o.email;
  if (!o.assigned_to.empty()) j["assignedTo"] = o.assigned_to;
  if (!o.user_principal_name.empty()) j["userPrincipalName"] = o.user_principal_name;
  const std::string type = domain::WireText(o.owner_type);
  if (!type.empty()) j["ownerType"] = type;
  return j;
}

}  // namespace

Result<std::string> SerializeSentinelPut(const domain::SentinelIncident& s) {
  const std::string severity = domain::WireText(s.severity);
  const std::string status = domain::WireText(s.status);
  const std::string who = "PUT of incident '" + Reader::Quote(s.name) + "'";
  if (s.title.empty()) return InvalidArgument(who + ": title is required");
  if (severity.empty()) return InvalidArgument(who + ": severity is required");
  if (status.empty()) return InvalidArgument(who + ": status is required");
  if (Status c = CheckClassification(s); !c.ok()) return c.Annotate(who);

  OJson p = OJson::object();
  p["title"] = s.title;
  p["description"] = s.description;
  p["severity"] = severity;
  p["status"] = status;
  if (s.classification) p["classification"] = domain::WireText(*s.classification);
  if (s.classification_reason)
    p["classificationReason"] = domain::WireText(*s.classification_reason);
  // Always sent, empty included: the PUT replaces the object, and "" is how a comment is cleared.
  p["classificationComment"] = s.classification_comment;
  if (s.owner && !s.owner->empty()) p["owner"] = OwnerJson(*s.owner);
  OJson labels = OJson::array();
  for (const domain::SentinelLabel& l : s.labels) {
    OJson one = OJson::object();
    one["labelName"] = l.name;
    one["labelType"] = l.type.empty() ? std::string("User") : l.type;
    labels.push_back(std::move(one));
  }
  p["labels"] = std::move(labels);
  if (s.first_activity) p["firstActivityTimeUtc"] = s.first_activity->ToString();
  if (s.last_activity) p["lastActivityTimeUtc"] = s.last_activity->ToString();

  OJson body = OJson::object();
  if (!s.etag.empty()) body["etag"] = s.etag;
  body["properties"] = std::move(p);
  return detail::Dump(body);
}

std::string SerializeSentinelComment(std::string_view message) {
  OJson body = OJson::object();
  body["properties"]["message"] = std::string(message);
  return detail::Dump(body);
}

Result<ArmError> ParseArmError(std::string_view json) {
  try {
    Result<ParsedBody> parsed = detail::ParseBody(json);
    if (!parsed.ok()) return parsed.status().Annotate("arm error");
    const Json& doc = parsed->json;
    if (!doc.is_object()) return ParseError("arm error: expected an object");
    const auto it = doc.find("error");
    // Some resource providers answer with the CloudError members at the top level.
    const Json& e = (it != doc.end() && it->is_object()) ? *it : doc;
    if (!e.contains("code") && !e.contains("message"))
      return ParseError("arm error: no 'error' object");
    ReadError err;
    const Reader r(&e, "", &err);
    // Diagnostics only: a member of an odd type reads as empty rather than hiding the others.
    return ArmError{r.Str("code"), r.Str("message"), r.Str("target")};
  } catch (const std::exception& e) {
    return ParseError(std::string("arm error: ") + e.what());
  }
}

}  // namespace xdrsync::api
