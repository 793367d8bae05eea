// Native models of one incident on each side, as the APIs describe them. No JSON here: the codecs
// in src/api turn wire documents into these (leniently) and back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xdrsync/core/timestamp.h"
#include "xdrsync/domain/vocabulary.h"

namespace xdrsync::domain {

// Graph alertComment. Two wire shapes exist (createdBy/createdTime and
// createdByDisplayName/createdDateTime); both land here.
struct DefenderComment {
  std::string text;
  std::string author;
  std::optional<Timestamp> created;
};

// Graph alert (alerts_v2), reduced to what the alert digest and membership need.
struct DefenderAlert {
  std::string id;
  std::string incident_id;
  std::string title;
  Lenient<DSeverity> severity;
  std::string status;          // verbatim; never rendered (it churns)
  std::string service_source;  // verbatim wire text, e.g. microsoftDefenderForEndpoint
  Timestamp created;
  std::string web_url;
};

struct DefenderIncident {
  std::string id;
  std::string tenant_id;
  std::string display_name;
  std::string description;
  std::string summary;
  Lenient<DStatus> status;
  Lenient<DSeverity> severity;
  std::optional<std::string> assigned_to;  // null = unassigned
  std::optional<Lenient<DClassification>> classification;
  std::optional<Lenient<DDetermination>> determination;
  std::optional<std::string> resolving_comment;
  std::vector<std::string> custom_tags;
  std::vector<std::string> system_tags;
  std::vector<DefenderComment> comments;
  std::optional<std::string> redirect_incident_id;
  std::string web_url;
  std::string last_modified_by;
  Timestamp created;
  Timestamp last_update;  // the version stamp
  // Present only when the incident was read with $expand=alerts (or alerts were paged in).
  std::optional<std::vector<DefenderAlert>> alerts;
  // Fields whose wire value was not recognised ("severity=criticalish"), for flagging and metrics.
  std::vector<std::string> unknown_values;
};

// A PATCH of a Graph incident: only the fields that are set are sent.
struct DefenderPatch {
  std::optional<DStatus> status;
  std::optional<std::optional<std::string>> assigned_to;  // set to nullopt-inside = clear
  std::optional<DClassification> classification;
  std::optional<DDetermination> determination;
  std::optional<std::string> resolving_comment;
  std::optional<std::vector<std::string>> custom_tags;  // replaces the whole array
  std::optional<std::string> display_name;
  std::optional<std::string> description;
  std::optional<DSeverity> severity;
  bool empty() const {
    return !status && !assigned_to && !classification && !determination && !resolving_comment &&
           !custom_tags && !display_name && !description && !severity;
  }
};

struct SentinelOwner {
  std::string object_id;
  std::string email;
  std::string assigned_to;  // display name
  std::string user_principal_name;
  Lenient<SOwnerType> owner_type{SOwnerType::kUnknown, "Unknown"};
  bool empty() const {
    return object_id.empty() && email.empty() && assigned_to.empty() && user_principal_name.empty();
  }
};

struct SentinelLabel {
  std::string name;
  std::string type = "User";  // "User" or "AutoAssigned" (read-only on the service side)
  bool operator==(const SentinelLabel&) const = default;
};

struct SentinelComment {
  std::string id;  // the comment resource name
  std::string message;
  std::string author_name;
  std::string author_upn;
  std::string author_object_id;
  Timestamp created;
  std::string etag;
};

struct SentinelIncident {
  std::string name;    // incident id (ARM resource name)
  std::string arm_id;  // full resource id
  std::string etag;
  std::string title;
  std::string description;
  Lenient<SSeverity> severity;
  Lenient<SStatus> status;
  std::optional<Lenient<SClassification>> classification;
  std::optional<Lenient<SReason>> classification_reason;
  std::string classification_comment;
  std::optional<SentinelOwner> owner;
  std::vector<SentinelLabel> labels;
  std::optional<Timestamp> first_activity;
  std::optional<Timestamp> last_activity;
  Timestamp created;
  Timestamp last_modified;  // with etag, the version stamp
  int64_t incident_number = 0;
  std::string incident_url;
  std::string provider_name;
  std::string provider_incident_id;
  std::string provider_incident_url;  // additionalData.providerIncidentUrl
  int64_t alerts_count = 0;           // additionalData.alertsCount (capped at 150 by the service)
  std::string last_modified_by;       // systemData.lastModifiedBy
  std::vector<SentinelComment> comments;  // read through the comments sub-resource
  std::vector<std::string> unknown_values;
};

// Provider names under which Defender incidents appear in Sentinel (all three spellings seen).
bool IsDefenderProviderName(std::string_view provider_name);

}  // namespace xdrsync::domain
