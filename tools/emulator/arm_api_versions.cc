#include "arm_api_versions.h"

#include <algorithm>

namespace xdrsync::emulator {
namespace {

// Every tag of the spec readme whose input files carry the incidents operations.
constexpr char kReadme[] =
    "Azure/azure-rest-api-specs specification/securityinsights/resource-manager/readme.md";

}  // namespace

const std::vector<ArmApiVersion>& ArmIncidentApiVersions() {
  static const std::vector<ArmApiVersion> kVersions = {
      {"2020-01-01", kReadme},  // tag package-2020-01 (incidents inside SecurityInsights.json)
      {"2021-03-01-preview", kReadme},
      {"2021-04-01", kReadme},
      {"2021-09-01-preview", kReadme},
      {"2021-10-01", kReadme},
      {"2021-10-01-preview", kReadme},
      {"2022-01-01-preview", kReadme},
      {"2022-04-01-preview", kReadme},
      {"2022-05-01-preview", kReadme},
      {"2022-06-01-preview", kReadme},
      {"2022-07-01-preview", kReadme},
      {"2022-08-01", kReadme},
      {"2022-08-01-preview", kReadme},
      // Also the default of @azure/arm-securityinsight 1.0.0-beta.6 (tests/sdk-contract).
      {"2022-09-01-preview", kReadme},
      {"2022-10-01-preview", kReadme},
      {"2022-11-01", kReadme},
      {"2022-11-01-preview", kReadme},
      {"2022-12-01-preview", kReadme},
      {"2023-02-01", kReadme},
      {"2023-02-01-preview", kReadme},
      {"2023-03-01-preview", kReadme},
      {"2023-04-01-preview", kReadme},
      {"2023-05-01-preview", kReadme},
      {"2023-06-01-preview", kReadme},
      {"2023-07-01-preview", kReadme},
      {"2023-08-01-preview", kReadme},
      {"2023-09-01-preview", kReadme},
      {"2023-10-01-preview", kReadme},
      {"2023-11-01", kReadme},
      {"2023-12-01-preview", kReadme},
      {"2024-01-01-preview", kReadme},
      {"2024-03-01", kReadme},
      {"2024-04-01-preview", kReadme},
      {"2024-09-01", kReadme},
      {"2024-10-01-preview", kReadme},
      {"2025-01-01-preview", kReadme},
      {"2025-03-01", kReadme},
      {"2025-04-01-preview", kReadme},
      {"2025-06-01", kReadme},
      {"2025-07-01-preview", kReadme},  // the latest preview (spec/api-sentinel.md S-PREV)
      // The daemon's default (include/xdrsync/app/config.h) and the spec's S-INC.
      {"2025-09-01", kReadme},
      {"2025-12-01", kReadme},  // the readme's default tag
  };
  return kVersions;
}

bool IsPublishedArmApiVersion(const std::string& version) {
  const auto& all = ArmIncidentApiVersions();
  return std::any_of(all.begin(), all.end(), [&](const ArmApiVersion& v) { return version == v.version; });
}

}  // namespace xdrsync::emulator
