// Graph operations that move alerts between incidents: beta createAlert and merges.
#include <algorithm>

#include "world.h"

namespace xdrsync::emulator {

using nlohmann::json;

namespace {

const char kCorrelationActor[] = "Microsoft Defender XDR - alert correlation";

bool NumericLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

}  // namespace

ApiResult World::GraphCreateAlert(const std::string& tenant, const json& body, const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!body.is_object() || !body.contains("createAlertInput") || !body["createAlertInput"].is_object()) {
    return GraphError(400, "BadRequest", "The request body must contain 'createAlertInput'.");
  }
  const json& in = body["createAlertInput"];
  for (const char* field : {"title", "severity", "description", "category"}) {
    if (!in.contains(field) || !in[field].is_string() || in[field].get<std::string>().empty()) {
      return GraphError(400, "BadRequest", std::string("The '") + field + "' property is required.");
    }
  }
  if (!in.contains("entityDefinitions") || !in["entityDefinitions"].is_array() ||
      in["entityDefinitions"].empty() || in["entityDefinitions"].size() > 100) {
    return GraphError(400, "BadRequest", "'entityDefinitions' must hold between 1 and 100 entities.");
  }
  if (in["description"].get<std::string>().size() > 5000) {
    return GraphError(400, "BadRequest", "'description' exceeds 5000 characters.");
  }
  auto severity = GraphSeverity(in["severity"].get<std::string>());
  if (!severity || *severity == "unknownFutureValue") {
    return GraphError(400, "BadRequest", "Invalid value '" + in["severity"].get<std::string>() + "' for 'severity'.");
  }
  Tenant& t = tenants_[tenant];
  std::string link;
  if (in.contains("linkToIncident")) {
    const json& l = in["linkToIncident"];
    link = l.is_string() ? l.get<std::string>() : l.is_number() ? std::to_string(l.get<long long>()) : "";
    if (link == "0") link.clear();
    if (!link.empty() && !t.incidents.count(link)) {
      return GraphError(404, "NotFound", "Incident '" + link + "' was not found.");
    }
  }
  TimePoint now = clock_->Now();
  GraphAlert alert;
  alert.id = "da" + std::to_string(EpochSeconds(now)) + "_" + std::to_string(next_alert_id_++);
  alert.tenant_id = tenant;
  alert.title = in["title"].get<std::string>();
  alert.description = in["description"].get<std::string>();
  alert.category = in["category"].get<std::string>();
  alert.severity = *severity;
  alert.detection_source = "manual";
  alert.service_source = "microsoft365Defender";
  alert.product_name = "Microsoft Defender XDR";
  alert.excluded_from_correlation = in.value("isExcludedFromCorrelation", false);
  if (in.contains("recommendedActions") && in["recommendedActions"].is_string()) {
    alert.recommended_actions = in["recommendedActions"].get<std::string>();
  }
  if (in.contains("mitreTechniques") && in["mitreTechniques"].is_array()) {
    for (const auto& m : in["mitreTechniques"]) {
      if (m.is_string()) alert.mitre_techniques.push_back(m.get<std::string>());
    }
  }
  alert.created = alert.last_update = now;
  GraphIncident* incident;
  if (link.empty()) {
    incident = &NewGraphIncident(tenant, t);
    incident->display_name = alert.title;
    incident->severity = alert.severity;
    incident->description = alert.description;
  } else {
    incident = &t.incidents[link];
    Touch(incident, false);
    incident->last_update = now;
  }
  alert.incident_id = incident->id;
  incident->alert_ids.push_back(alert.id);
  incident->last_modified_by = actor.display_name;
  t.alerts[alert.id] = alert;
  MirrorToArm(tenant, incident);
  Record(actor, "graph.alert.create", tenant + "/" + incident->id, {{"alertId", alert.id}, {"input", in}});
  json out = RenderGraphAlert(alert, {true, false});
  out["@odata.context"] = "https://graph.microsoft.com/beta/$metadata#microsoft.graph.security.alert";
  return {201, out};
}

ApiResult World::MergeLocked(const std::string& tenant, const std::vector<std::string>& sources,
                             const std::string& target_id, const Actor& actor) {
  Tenant& t = tenants_[tenant];
  auto target_it = t.incidents.find(target_id);
  if (target_it == t.incidents.end()) {
    return GraphError(404, "NotFound", "Incident '" + target_id + "' was not found.");
  }
  if (target_it->second.status == "resolved" || target_it->second.status == "redirected") {
    return GraphError(400, "BadRequest", "Incident '" + target_id + "' is closed and cannot be merged.");
  }
  for (const auto& id : sources) {
    auto it = t.incidents.find(id);
    if (it == t.incidents.end()) return GraphError(404, "NotFound", "Incident '" + id + "' was not found.");
    if (id == target_id) return GraphError(400, "BadRequest", "An incident cannot be merged into itself.");
    if (it->second.status == "resolved" || it->second.status == "redirected") {
      return GraphError(400, "BadRequest", "Incident '" + id + "' is closed and cannot be merged.");
    }
  }
  GraphIncident& target = target_it->second;
  TimePoint now = clock_->Now();
  Touch(&target, false);
  for (const auto& id : sources) {
    GraphIncident& source = t.incidents[id];
    Touch(&source, false);
    for (const auto& alert_id : source.alert_ids) {
      target.alert_ids.push_back(alert_id);
      auto alert = t.alerts.find(alert_id);
      if (alert != t.alerts.end()) {
        alert->second.incident_id = target.id;
        alert->second.last_update = now;
      }
    }
    source.alert_ids.clear();
    for (const auto& tag : source.custom_tags) {
      if (std::find(target.custom_tags.begin(), target.custom_tags.end(), tag) == target.custom_tags.end()) {
        target.custom_tags.push_back(tag);
      }
    }
    source.custom_tags.clear();
    if (std::find(source.system_tags.begin(), source.system_tags.end(), "Redirected") == source.system_tags.end()) {
      source.system_tags.push_back("Redirected");
    }
    source.status = "redirected";
    source.redirect_incident_id = target.id;
    source.last_update = now;
    source.last_modified_by = kCorrelationActor;
    MirrorToArm(tenant, &source);
  }
  target.last_update = now;
  target.last_modified_by = kCorrelationActor;
  MirrorToArm(tenant, &target);
  Record(actor, "graph.incident.merge", tenant + "/" + target.id, {{"sources", sources}, {"target", target.id}});
  return {200, {{"targetIncidentId", target.id}}};
}

ApiResult World::GraphMergeIncidents(const std::string& tenant, const json& body, const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!body.is_object() || !body.contains("incidentIds") || !body["incidentIds"].is_array() ||
      body["incidentIds"].size() < 2) {
    return GraphError(400, "BadRequest", "'incidentIds' must list at least two incidents.");
  }
  std::vector<std::string> ids;
  for (const auto& id : body["incidentIds"]) {
    if (!id.is_string()) return GraphError(400, "BadRequest", "'incidentIds' must be strings.");
    ids.push_back(id.get<std::string>());
  }
  // Defender picks the direction; the emulator deterministically keeps the oldest incident.
  std::sort(ids.begin(), ids.end(), NumericLess);
  std::string target = ids.front();
  ids.erase(ids.begin());
  ApiResult result = MergeLocked(tenant, ids, target, actor);
  if (result.status == 200 && body.contains("incidentComment") && body["incidentComment"].is_string()) {
    AddCommentLocked(tenant, tenants_[tenant].incidents[target], body["incidentComment"].get<std::string>(), actor);
  }
  return result;
}

ApiResult World::ControlMerge(const std::string& tenant, const json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> sources;
  if (spec.contains("sources") && spec["sources"].is_array()) {
    for (const auto& s : spec["sources"]) sources.push_back(s.get<std::string>());
  }
  if (spec.contains("source") && spec["source"].is_string()) sources.push_back(spec["source"].get<std::string>());
  if (sources.empty() || !spec.contains("target") || !spec["target"].is_string()) {
    return GraphError(400, "BadRequest", "give 'source' (or 'sources') and 'target'");
  }
  return MergeLocked(tenant, sources, spec["target"].get<std::string>(), {"system", kCorrelationActor, ""});
}

}  // namespace xdrsync::emulator
