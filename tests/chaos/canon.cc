#include "canon.h"

#include <algorithm>
#include <cctype>

namespace xdrsync::chaos {

using nlohmann::json;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string StrAt(const json& j, const std::string& key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::string CanonDefenderStatus(const std::string& status) {
  const std::string s = Lower(status);
  if (s == "active") return "New";
  if (s == "resolved" || s == "redirected") return "Closed";
  return "Active";  // inProgress, awaitingAction, unknownFutureValue
}

std::string CanonSentinelStatus(const std::string& status) {
  const std::string s = Lower(status);
  if (s == "new") return "New";
  if (s == "closed") return "Closed";
  return "Active";
}

std::string CanonDefenderClassification(const std::string& classification) {
  const std::string c = Lower(classification);
  if (c == "truepositive") return "TP";
  if (c == "falsepositive") return "FP";
  if (c == "informationalexpectedactivity") return "BP";
  return "";
}

std::string CanonSentinelClassification(const std::string& classification) {
  const std::string c = Lower(classification);
  if (c == "truepositive") return "TP";
  if (c == "falsepositive") return "FP";
  if (c == "benignpositive") return "BP";
  return "";
}

std::string OwnerToSentinel(const ChaosLink& link, const std::string& upn) {
  std::string out = Lower(upn);
  const size_t at = out.find('@');
  if (!link.defender_domain.empty() && at != std::string::npos && out.substr(at + 1) == link.defender_domain) {
    out = out.substr(0, at + 1) + link.sentinel_domain;
  }
  return out;
}

bool IsReservedLabel(const std::string& label) {
  return label.rfind("xdrsync:", 0) == 0 || label == "Redirected" || label == "150+ alerts";
}

std::set<std::string> UserLabels(const json& arm_incident) {
  std::set<std::string> out;
  const json props = arm_incident.value("properties", json::object());
  for (const auto& l : props.value("labels", json::array())) {
    const std::string name = StrAt(l, "labelName");
    if (StrAt(l, "labelType") != "AutoAssigned" && !IsReservedLabel(name)) out.insert(name);
  }
  return out;
}

Canon CanonOfDefender(const ChaosLink& link, const json& d) {
  Canon c;
  c.fields["status"] = CanonDefenderStatus(StrAt(d, "status"));
  c.fields["owner"] = OwnerToSentinel(link, StrAt(d, "assignedTo"));
  c.fields["classification"] = CanonDefenderClassification(StrAt(d, "classification"));
  for (const auto& t : d.value("customTags", json::array())) {
    if (t.is_string() && !IsReservedLabel(t.get<std::string>())) c.tags.insert(t.get<std::string>());
  }
  return c;
}

Canon CanonOfSentinel(const json& s) {
  Canon c;
  const json props = s.value("properties", json::object());
  c.fields["status"] = CanonSentinelStatus(StrAt(props, "status"));
  const json owner = props.value("owner", json::object());
  std::string upn = StrAt(owner, "userPrincipalName");
  if (upn.empty()) upn = StrAt(owner, "email");
  c.fields["owner"] = Lower(upn);
  c.fields["classification"] = CanonSentinelClassification(StrAt(props, "classification"));
  c.tags = UserLabels(s);
  return c;
}

}  // namespace xdrsync::chaos
