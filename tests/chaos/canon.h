// The field mapping of spec §4, restated independently of the daemon for the oracle: each side's
// value of status, owner, classification and tags in one comparable form ("canon"), Sentinel's
// vocabulary for enums, the Sentinel-side UPN for owners.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "topology.h"

namespace xdrsync::chaos {

inline constexpr const char* kFields[] = {"status", "owner", "classification"};

std::string CanonDefenderStatus(const std::string& status);  // "New", "Active" or "Closed"
std::string CanonSentinelStatus(const std::string& status);
std::string CanonDefenderClassification(const std::string& classification);  // "TP", "FP", "BP", ""
std::string CanonSentinelClassification(const std::string& classification);
std::string OwnerToSentinel(const ChaosLink& link, const std::string& upn);  // lower-case, domain mapped

// One side of a pair in canon form: the three scalar fields and the tag set.
struct Canon {
  std::map<std::string, std::string> fields;
  std::set<std::string> tags;
};
Canon CanonOfDefender(const ChaosLink& link, const nlohmann::json& graph_incident);
Canon CanonOfSentinel(const nlohmann::json& arm_incident);

// Labels xdrsync owns: never Defender tags, left out of the comparison.
bool IsReservedLabel(const std::string& label);
std::set<std::string> UserLabels(const nlohmann::json& arm_incident);  // User labels, reserved ones out

std::string Lower(std::string s);
std::string StrAt(const nlohmann::json& j, const std::string& key);  // "" when absent, null or not a string

}  // namespace xdrsync::chaos
