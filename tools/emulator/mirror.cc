#include "mirror.h"

#include <algorithm>
#include <set>

namespace xdrsync::emulator {

void ArmFromGraph(const GraphIncident& g, const std::vector<const GraphAlert*>& alerts,
                  ArmIncident* a) {
  a->title = g.display_name;
  a->description = g.description.value_or("");
  a->severity = g.severity == "high"  ? "High"
                : g.severity == "medium" ? "Medium"
                : g.severity == "low"    ? "Low"
                                         : "Informational";
  a->status = g.status == "active"                                  ? "New"
              : g.status == "inProgress" || g.status == "awaitingAction" ? "Active"
                                                                         : "Closed";
  std::string c = g.classification.value_or("");
  if (c == "truePositive") {
    a->classification = "TruePositive";
    a->classification_reason = "SuspiciousActivity";
  } else if (c == "falsePositive") {
    a->classification = "FalsePositive";
    // Keep a reason the ARM side chose when it still fits; InaccurateData is the connector default.
    if (a->classification_reason != "IncorrectAlertLogic") a->classification_reason = "InaccurateData";
  } else if (c == "informationalExpectedActivity") {
    a->classification = "BenignPositive";
    a->classification_reason = "SuspiciousButExpected";
  } else if (a->status == "Closed") {
    a->classification = "Undetermined";
    a->classification_reason.clear();
  } else {
    a->classification.clear();
    a->classification_reason.clear();
  }
  a->classification_comment = g.resolving_comment.value_or("");
  if (g.assigned_to && !g.assigned_to->empty()) {
    a->owner = {{"assignedTo", *g.assigned_to}, {"email", *g.assigned_to},
                {"userPrincipalName", *g.assigned_to}, {"ownerType", "User"}};
  } else {
    a->owner = nlohmann::json::object();
  }
  std::vector<ArmLabel> labels;
  for (const auto& tag : g.custom_tags) labels.push_back({tag, "User"});
  for (const auto& tag : g.system_tags) labels.push_back({tag, "AutoAssigned"});
  a->labels = labels;
  a->provider_name = kDefenderProviderName;
  a->provider_incident_id = g.id;
  a->provider_incident_url =
      "https://security.microsoft.com/incidents/" + g.id + "?tid=" + g.tenant_id;
  a->alerts_count = static_cast<int>(alerts.size());
  std::set<std::string> products;
  for (const GraphAlert* alert : alerts) products.insert(alert->product_name);
  a->alert_product_names.assign(products.begin(), products.end());
  a->graph_id = g.id;
}

void GraphFromArm(const ArmIncident& a, GraphIncident* g) {
  g->display_name = a.title;
  g->description = a.description.empty() ? std::nullopt : std::optional<std::string>(a.description);
  std::string sev = a.severity;
  std::transform(sev.begin(), sev.end(), sev.begin(), [](unsigned char ch) {
    return static_cast<char>(std::tolower(ch));
  });
  g->severity = sev;
  if (g->status != "redirected") {
    g->status = a.status == "New" ? "active" : a.status == "Active" ? "inProgress" : "resolved";
  }
  if (a.classification == "TruePositive") {
    g->classification = "truePositive";
  } else if (a.classification == "FalsePositive") {
    g->classification = "falsePositive";
  } else if (a.classification == "BenignPositive") {
    g->classification = "informationalExpectedActivity";
  } else if (a.classification == "Undetermined") {
    g->classification = "unknown";
  } else {
    g->classification.reset();
  }
  g->resolving_comment = a.classification_comment.empty()
                             ? std::nullopt
                             : std::optional<std::string>(a.classification_comment);
  std::string owner;
  for (const char* key : {"userPrincipalName", "email", "assignedTo"}) {
    if (owner.empty() && a.owner.contains(key) && a.owner[key].is_string()) {
      owner = a.owner[key].get<std::string>();
    }
  }
  g->assigned_to = owner.empty() ? std::nullopt : std::optional<std::string>(owner);
  g->custom_tags.clear();
  for (const auto& label : a.labels) {
    if (label.type == "User") g->custom_tags.push_back(label.name);
  }
}

}  // namespace xdrsync::emulator
