// What a measurement syncs: N Defender tenants feeding M Sentinel workspaces, each workspace in a
// tenant and subscription of its own. Tenant i feeds workspace i % M. A workspace is `arm` (Azure
// portal, twins by ARM PUT) or `defender-alert` (onboarded, twins by Graph createAlert). The
// emulator scenario and the daemon's config both come from here, with the chaos harness's client.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xdrsync::bench {

struct BenchTenant {
  std::string name, id;
};

struct BenchWorkspace {
  std::string name, tenant_id, subscription, resource_group;
  bool defender_alert = false;
};

struct BenchLink {
  std::string name;
  size_t tenant = 0, workspace = 0;
};

// How the daemon is configured for one run.
struct DaemonSettings {
  int poll_seconds = 15;
  bool unlimited_budgets = false;  // false: the documented default budgets
  int full_sweep_seconds = 21600;
  int overlap_seconds = 120;  // the product's default
};

class Topology {
 public:
  // `defender_alert_workspaces` of the `workspaces` (the last ones) are onboarded.
  Topology(int tenants, int workspaces, int defender_alert_workspaces);

  const std::vector<BenchTenant>& tenants() const { return tenants_; }
  const std::vector<BenchWorkspace>& workspaces() const { return workspaces_; }
  const std::vector<BenchLink>& links() const { return links_; }
  const BenchWorkspace& WorkspaceOf(size_t tenant) const { return workspaces_[links_[tenant].workspace]; }

  nlohmann::json Scenario() const;
  nlohmann::json DaemonConfig(const std::string& dir, const std::string& base_url, const DaemonSettings& s) const;

 private:
  std::vector<BenchTenant> tenants_;
  std::vector<BenchWorkspace> workspaces_;
  std::vector<BenchLink> links_;
};

}  // namespace xdrsync::bench
