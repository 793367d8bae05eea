// Wire documents shaped like the API notes' examples (api-defender.md §1, api-sentinel.md §1.3),
// and a helper to derive variants of them for table-driven cases.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace xdrsync::api::testing {

// Graph v1.0 incident with $expand=alerts, PascalCase values as in the doc examples, both comment
// shapes, 7-digit fractions and a +00:00 offset.
inline const char* const kGraphIncident = R"json({
  "@odata.type": "#microsoft.graph.security.incident",
  "id": "2972395",
  "incidentWebUrl": "https://security.microsoft.com/incidents/2972395?tid=12f988bf-16f1-11af-11ab-1d7cd011db47",
  "redirectIncidentId": null,
  "displayName": "Multi-stage incident involving Initial access & Command and control on multiple endpoints",
  "tenantId": "12f988bf-16f1-11af-11ab-1d7cd011db47",
  "createdDateTime": "2021-08-13T08:43:35.5533333Z",
  "lastUpdateDateTime": "2021-09-30T09:35:45.1133333+00:00",
  "assignedTo": "KaiC@contoso.onmicrosoft.com",
  "classification": "TruePositive",
  "determination": "MultiStagedAttack",
  "status": "Active",
  "severity": "Medium",
  "customTags": ["Demo", "synced-from-sentinel"],
  "systemTags": ["Defender Experts"],
  "description": "Microsoft observed Raspberry Robin worm activity spreading through infected USB on multiple devices.",
  "summary": "Defender Experts has identified some malicious activity.",
  "resolvingComment": null,
  "lastModifiedBy": "DavidS@contoso.onmicrosoft.com",
  "priorityScore": 88,
  "comments": [
    {"comment": "Demo incident", "createdBy": "DavidS@contoso.onmicrosoft.com",
     "createdTime": "2021-09-30T12:07:37.2756993Z"},
    {"@odata.type": "microsoft.graph.security.alertComment", "comment": "Escalated to tier 2",
     "createdByDisplayName": "Kai Carter", "createdDateTime": "2021-09-30T13:00:00.1000000+02:00"}
  ],
  "alerts": [
    {"@odata.type": "#microsoft.graph.security.alert", "id": "da637551227677560813_-961444813",
     "providerAlertId": "da637551227677560813_-961444813", "incidentId": "2972395",
     "status": "new", "severity": "high", "serviceSource": "microsoftDefenderForEndpoint",
     "detectionSource": "antivirus", "title": "Suspicious execution of hidden file",
     "createdDateTime": "2021-04-27T12:19:27.7211305Z",
     "alertWebUrl": "https://security.microsoft.com/alerts/da637551227677560813_-961444813?tid=12f988bf",
     "evidence": [{"@odata.type": "#microsoft.graph.security.deviceEvidence", "deviceDnsName": "tempDns"}]}
  ]
})json";

// ARM incident GET body (2025-12-01), a Defender-created incident with an owner and labels.
inline const char* const kArmIncident = R"json({
  "id": "/subscriptions/d0cfe6b2-9ac0-4464-9919-dccaee2e48c0/resourceGroups/myRg/providers/Microsoft.OperationalInsights/workspaces/myWorkspace/providers/Microsoft.SecurityInsights/incidents/73e01a99-5cd7-4139-a149-9f2736ff2ab5",
  "name": "73e01a99-5cd7-4139-a149-9f2736ff2ab5",
  "type": "Microsoft.SecurityInsights/incidents",
  "etag": "\"0300bf09-0000-0000-0000-5c37296e0000\"",
  "systemData": {"createdBy": "app", "createdByType": "Application",
                 "lastModifiedBy": "9f1c9a0e-1111-2222-3333-444455556666", "lastModifiedByType": "Application"},
  "properties": {
    "title": "Multi-stage incident on one endpoint",
    "description": "This is a demo incident",
    "severity": "High",
    "status": "Closed",
    "classification": "FalsePositive",
    "classificationReason": "IncorrectAlertLogic",
    "classificationComment": "Not a malicious activity",
    "owner": {"objectId": "2046feea-040d-4a46-9e2b-91c2941bfa70", "email": "john.doe@contoso.com",
              "assignedTo": "john doe", "userPrincipalName": "john@contoso.com", "ownerType": "User"},
    "labels": [{"labelName": "Redirected", "labelType": "User"},
               {"labelName": "ransomware", "labelType": "AutoAssigned"}],
    "firstActivityTimeUtc": "2019-01-01T13:00:30.1234567Z",
    "lastActivityTimeUtc": "2019-01-01T13:05:30+00:00",
    "createdTimeUtc": "2019-01-01T13:15:30.0000001Z",
    "lastModifiedTimeUtc": "2019-01-01T13:15:30.8764433Z",
    "incidentNumber": 3177,
    "incidentUrl": "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/d0cf/incidents/73e01a99",
    "providerName": "Microsoft XDR",
    "providerIncidentId": "2972395",
    "relatedAnalyticRuleIds": [],
    "additionalData": {"alertsCount": 3, "bookmarksCount": 0, "commentsCount": 1,
                       "alertProductNames": ["Microsoft Defender Advanced Threat Protection"],
                       "tactics": ["Execution"],
                       "providerIncidentUrl": "https://security.microsoft.com/incidents/2972395?tid=12f988bf"}
  }
})json";

inline const char* const kArmComment = R"json({
  "id": "/subscriptions/d0cf/.../incidents/73e01a99/comments/4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014",
  "name": "4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014",
  "type": "Microsoft.SecurityInsights/Incidents/Comments",
  "etag": "0300bf09-0000-0000-0000-5c37296e0000",
  "properties": {
    "message": "Some message",
    "createdTimeUtc": "2019-01-01T13:15:30.1234567Z",
    "lastModifiedTimeUtc": "2019-01-01T13:15:30.1234567Z",
    "author": {"objectId": "2046feea-040d-4a46-9e2b-91c2941bfa70", "email": "john.doe@contoso.com",
               "userPrincipalName": "john@contoso.com", "name": "john doe"}
  }
})json";

// The sample with one member replaced (a JSON pointer such as "/properties/severity") or, when
// `value` is discarded (nlohmann::json(nlohmann::json::value_t::discarded)), removed.
inline std::string With(const char* sample, const std::string& pointer,
                        const nlohmann::json& value) {
  nlohmann::json doc = nlohmann::json::parse(sample);
  const nlohmann::json::json_pointer p(pointer);
  if (value.is_discarded()) {
    doc[p.parent_pointer()].erase(p.back());
  } else {
    doc[p] = value;
  }
  return doc.dump();
}

inline const nlohmann::json kRemove = nlohmann::json(nlohmann::json::value_t::discarded);

}  // namespace xdrsync::api::testing
