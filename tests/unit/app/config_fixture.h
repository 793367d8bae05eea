// A minimal valid configuration as JSON, for tests that break one key at a time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "xdrsync/app/config.h"

namespace xdrsync::app::testing {

inline nlohmann::json MinimalConfig() {
  return nlohmann::json::parse(R"({
    "defender_tenants": [{
      "name": "contoso",
      "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
      "auth": {"kind": "client_secret", "client_id": "11111111-2222-3333-4444-555555555555",
               "client_secret_env": "CONTOSO_SECRET"}
    }],
    "sentinel_workspaces": [{
      "name": "soc",
      "subscription_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
      "resource_group": "rg-soc",
      "workspace": "law-soc",
      "tenant_id": "0b0b0b0b-1111-2222-3333-444444444444",
      "auth": {"kind": "managed_identity"}
    }],
    "links": [{"name": "contoso-soc", "defender": "contoso", "sentinel": "soc"}]
  })");
}

inline Result<Config> Parse(const nlohmann::json& j) { return ParseConfig(j.dump(), "xdrsync.json"); }

// The one-line error, or "ok" when the document was accepted.
inline std::string ErrorOf(const nlohmann::json& j) {
  auto r = Parse(j);
  return r.ok() ? "ok" : r.status().message();
}

}  // namespace xdrsync::app::testing
