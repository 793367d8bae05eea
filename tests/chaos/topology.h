// What the chaos run syncs: two Defender tenants, each mirrored into a workspace of its own
// tenant-crossing kind. contoso -> soc-ws (azure portal, `arm` twins with deterministic names)
// and fabrikam -> hub-ws (onboarded to the Defender portal, `defender-alert` twins made with Graph
// createAlert in the hub tenant). The emulator scenario and the daemon's config come from here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xdrsync::chaos {

inline constexpr const char* kContoso = "8a3c2b1e-0d4f-4c6a-9b7e-1f2a3b4c5d6e";
inline constexpr const char* kFabrikam = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";
inline constexpr const char* kSoc = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
inline constexpr const char* kHub = "6d7e8f90-a1b2-4c3d-9e4f-5a6b7c8d9e0f";
inline constexpr const char* kSubscription = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
inline constexpr const char* kClientId = "3f4e5d6c-7b8a-4901-a2b3-c4d5e6f7a8b9";
inline constexpr const char* kSecret = "chaos-secret-7c2d9e";
inline constexpr const char* kSecretEnv = "XDRSYNC_CHAOS_SECRET";

struct ChaosLink {
  std::string name;
  std::string tenant;     // the Defender tenant
  std::string workspace;  // the Sentinel workspace
  std::string way;        // "arm" or "defender-alert"
  std::string home;       // the workspace's tenant
  // The owner map's domain rule, Defender -> Sentinel (empty: owners copied as they are).
  std::string defender_domain, sentinel_domain;
  std::vector<std::string> defender_owners, sentinel_owners;  // what analysts assign on each side
};

const std::vector<ChaosLink>& Links();
const ChaosLink* LinkOfTenant(const std::string& tenant);

nlohmann::json Scenario();
// The daemon's config: state in `dir`, services at `base_url`, a short poll interval.
nlohmann::json DaemonConfig(const std::string& state_path, const std::string& base_url);

}  // namespace xdrsync::chaos
