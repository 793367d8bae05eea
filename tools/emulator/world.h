// The emulator's whole state behind one lock: tenants with their Defender incidents and
// alerts, workspaces with their Sentinel incidents, the twins of onboarded workspaces, and the
// paging snapshots behind nextLinks. Every API and control operation is a method taking plain
// values and returning status + JSON, so the model is tested without sockets. Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <unordered_map>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arm_model.h"
#include "emu_clock.h"
#include "graph_model.h"
#include "id_source.h"
#include "journal.h"

namespace xdrsync::emulator {

struct WorkspaceConfig {
  std::string tenant;
  std::string subscription;
  std::string resource_group;
  std::string name;
  bool onboarded = false;  // onboarded to the Defender portal: Graph and ARM share incidents
};

// How the Graph incidents listing treats `$orderby`, which Graph does not document for incidents.
enum class GraphOrderBy {
  kHonoured,  // sorted as asked (the emulator's long-standing behaviour)
  kIgnored,   // accepted, but items come in the service's own order (createdDateTime desc)
  kRefused,   // 400 BadRequest naming $orderby
};
// How Graph incident nextLinks page.
enum class GraphPaging {
  kSnapshot,  // $skiptoken over the ids fixed by the first page: no gap, no repeat
  kLiveSkip,  // $skip=N over the live filtered, ordered result: writes between pages shift it
};
// "honoured" / "ignored" / "refused", "snapshot" / "live-skip"; parsing returns false on others.
const char* GraphOrderByName(GraphOrderBy mode);
bool ParseGraphOrderBy(const std::string& text, GraphOrderBy* out);
const char* GraphPagingName(GraphPaging mode);
bool ParseGraphPaging(const std::string& text, GraphPaging* out);

struct WorldSettings {
  std::chrono::milliseconds list_lag{0};  // eventual consistency of list results
  int graph_page_size = 50;               // page size when $top is absent
  int arm_page_size = 50;
  bool arm_short_pages = false;           // every 3rd page empty, every 3rd+1 half full
  GraphOrderBy graph_orderby = GraphOrderBy::kHonoured;
  GraphPaging graph_paging = GraphPaging::kSnapshot;
};

struct ApiResult {
  ApiResult() = default;
  ApiResult(int code, nlohmann::json json_body, std::string raw = {})
      : status(code), body(std::move(json_body)), raw_body(std::move(raw)) {}

  int status = 200;
  nlohmann::json body;
  std::string raw_body;  // already-serialized body (list pages); wins over `body` when set

  nlohmann::json Json() const { return raw_body.empty() ? body : nlohmann::json::parse(raw_body); }
};

// Who is writing, for lastModifiedBy, comment authors and the history.
struct Actor {
  std::string id;            // "analyst", "api:<client id>"
  std::string display_name;  // comment author / lastModifiedBy
  std::string object_id;
};

class World {
 public:
  World(EmuClock* clock, IdSource* ids, Journal* journal);

  void AddTenant(const std::string& tenant);
  bool HasTenant(const std::string& tenant) const;
  // Returns false if the name is taken. Onboarding later twins the tenant's open incidents.
  bool AddWorkspace(const WorkspaceConfig& config);
  bool SetOnboarded(const std::string& workspace, bool onboarded);
  // Tenant of the workspace at this ARM path, "" when there is none.
  std::string WorkspaceTenant(const std::string& sub, const std::string& rg,
                              const std::string& name) const;
  void SetSettings(const WorldSettings& settings);
  WorldSettings settings() const;

  // Graph (v1.0 / beta security). `query` is the decoded query map; base_url "http://127.0.0.1:N".
  ApiResult GraphListIncidents(const std::string& tenant, const std::map<std::string, std::string>& query,
                               bool include_unknown, const std::string& base_url);
  ApiResult GraphGetIncident(const std::string& tenant, const std::string& id,
                             const std::map<std::string, std::string>& query, bool include_unknown);
  ApiResult GraphPatchIncident(const std::string& tenant, const std::string& id,
                               const nlohmann::json& body, const Actor& actor, bool include_unknown);
  ApiResult GraphPostComment(const std::string& tenant, const std::string& id,
                             const nlohmann::json& body, const Actor& actor);
  ApiResult GraphListAlerts(const std::string& tenant, const std::map<std::string, std::string>& query,
                            bool include_unknown, const std::string& base_url);
  ApiResult GraphCreateAlert(const std::string& tenant, const nlohmann::json& body, const Actor& actor);
  ApiResult GraphMergeIncidents(const std::string& tenant, const nlohmann::json& body, const Actor& actor);

  // ARM. ws_path = (subscription, resource group, workspace name) from the URL.
  ApiResult ArmList(const WorkspaceRef& ws, const std::map<std::string, std::string>& query,
                    const std::string& base_url);
  ApiResult ArmGet(const WorkspaceRef& ws, const std::string& name);
  ApiResult ArmPut(const WorkspaceRef& ws, const std::string& name, const nlohmann::json& body,
                   const Actor& actor);
  ApiResult ArmDelete(const WorkspaceRef& ws, const std::string& name, const Actor& actor);
  ApiResult ArmListComments(const WorkspaceRef& ws, const std::string& name);
  ApiResult ArmPutComment(const WorkspaceRef& ws, const std::string& name,
                          const std::string& comment_name, const nlohmann::json& body,
                          const Actor& actor);
  ApiResult ArmListAlerts(const WorkspaceRef& ws, const std::string& name);
  ApiResult ArmGetComment(const WorkspaceRef& ws, const std::string& name, const std::string& comment_name);
  ApiResult ArmDeleteComment(const WorkspaceRef& ws, const std::string& name,
                             const std::string& comment_name, const Actor& actor);
  // POST …/entities and …/bookmarks: the emulator models neither, so both answer empty lists.
  ApiResult ArmListEntities(const WorkspaceRef& ws, const std::string& name);
  ApiResult ArmListBookmarks(const WorkspaceRef& ws, const std::string& name);

  // Control: changes made "as an analyst" in the portals, stamped and recorded.
  ApiResult ControlCreateGraphIncident(const std::string& tenant, const nlohmann::json& spec);
  ApiResult ControlUpdateGraphIncident(const std::string& tenant, const std::string& id,
                                       const nlohmann::json& spec);
  ApiResult ControlAddGraphAlert(const std::string& tenant, const nlohmann::json& spec);
  ApiResult ControlUpdateGraphAlert(const std::string& tenant, const std::string& alert_id,
                                    const nlohmann::json& spec);
  ApiResult ControlGraphComment(const std::string& tenant, const std::string& id,
                                const nlohmann::json& spec);
  ApiResult ControlMerge(const std::string& tenant, const nlohmann::json& spec);
  ApiResult ControlCreateArmIncident(const std::string& workspace, const nlohmann::json& spec);
  ApiResult ControlUpdateArmIncident(const std::string& workspace, const std::string& name,
                                     const nlohmann::json& spec);
  ApiResult ControlArmComment(const std::string& workspace, const std::string& name,
                              const nlohmann::json& spec);
  nlohmann::json Dump() const;
  nlohmann::json DescribeTopology() const;

 private:
  struct Tenant {
    std::map<std::string, GraphIncident> incidents;
    std::map<std::string, GraphAlert> alerts;
  };
  struct Workspace {
    WorkspaceConfig config;
    std::map<std::string, ArmIncident> incidents;
    int next_number = 1;
    WorkspaceRef Ref() const { return {config.subscription, config.resource_group, config.name}; }
  };
  struct Snapshot {
    std::vector<std::string> ids;
    std::string scope;
    TimePoint created{};
    bool expand_alerts = false;
  };

  Workspace* FindWorkspace(const WorkspaceRef& ref);
  // The incident at `name`, or nullptr with *error set to the service's 404 (caller holds mu_).
  ArmIncident* FindArmIncidentLocked(const WorkspaceRef& ref, const std::string& name, ApiResult* error);
  Workspace* OnboardedWorkspaceOf(const std::string& tenant);
  std::vector<const GraphAlert*> AlertsOf(const Tenant& tenant, const GraphIncident& incident) const;
  // Call before changing an item: keeps the version list results show during list_lag.
  template <typename T> void Touch(T* item, bool created);
  template <typename T> const T* ListView(const T& item) const;
  // Copies a Graph incident's state into its ARM twin (creating the twin if needed).
  void MirrorToArm(const std::string& tenant, GraphIncident* incident);
  void MirrorToGraph(const Workspace& ws, const ArmIncident& arm, const std::string& actor_name);
  // Ids of the incidents the query's $filter matches, in the order the listing serves them
  // (settings_.graph_orderby); a non-200 result is the service's refusal (caller holds mu_).
  ApiResult MatchingIncidentIds(const Tenant& t, const std::map<std::string, std::string>& q,
                                std::vector<std::string>* ids) const;
  GraphIncident& NewGraphIncident(const std::string& tenant, Tenant& t);
  std::string StoreSnapshot(Snapshot snapshot);
  // Serialized JSON of one list item at one version, rendered once: list pages are mostly
  // unchanged incidents, and rendering dominates their cost.
  const std::string& CachedRender(const std::string& key, const std::function<nlohmann::json()>& render);
  const Snapshot* FindSnapshot(const std::string& id) const;
  void Record(const Actor& actor, const std::string& action, const std::string& target,
              nlohmann::json detail);
  ApiResult MergeLocked(const std::string& tenant, const std::vector<std::string>& sources,
                        const std::string& target, const Actor& actor);
  ApiResult AddCommentLocked(const std::string& tenant, GraphIncident& incident,
                             const std::string& text, const Actor& actor);
  ApiResult AddArmCommentLocked(Workspace& ws, ArmIncident& incident, const std::string& name,
                                const std::string& message, const Actor& actor, bool mirror);

  EmuClock* clock_;
  IdSource* ids_;
  Journal* journal_;
  mutable std::mutex mu_;
  WorldSettings settings_;
  std::map<std::string, Tenant> tenants_;
  std::map<std::string, Workspace> workspaces_;  // by workspace name
  std::map<std::string, Snapshot> snapshots_;
  std::deque<std::string> snapshot_order_;  // oldest first, for eviction
  std::unordered_map<std::string, std::string> render_cache_;
  long long next_incident_id_ = 1001;
  long long next_alert_id_ = 1;
  uint64_t next_version_ = 0;
};

ApiResult GraphError(int status, const std::string& code, const std::string& message);

// {"value":[<items>], ...fields} without re-parsing the already-serialized items.
std::string ListBody(const nlohmann::json& fields, const std::string& items);

}  // namespace xdrsync::emulator
