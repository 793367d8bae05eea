// The api-version values ARM accepts for Microsoft.SecurityInsights incidents: the versions
// published with an incidents API, one table with where each comes from.
#pragma once

#include <string>
#include <vector>

namespace xdrsync::emulator {

struct ArmApiVersion {
  const char* version;
  const char* source;
};

const std::vector<ArmApiVersion>& ArmIncidentApiVersions();
bool IsPublishedArmApiVersion(const std::string& version);

}  // namespace xdrsync::emulator
