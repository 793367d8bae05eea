#include "xdrsync/engine/twin_creator.h"

#include "xdrsync/core/strings.h"
#include "xdrsync/domain/comments.h"

namespace xdrsync::engine {
namespace {

class ArmTwinCreator final : public TwinCreator {
 public:
  explicit ArmTwinCreator(api::SentinelClient& sentinel) : sentinel_(sentinel) {}
  std::string_view Way() const override { return "arm"; }

  Result<domain::SentinelIncident> Create(const reconcile::TwinCreate& create,
                                          const domain::DefenderIncident&) override {
    // The name is deterministic, so a twin made by an interrupted attempt (or another instance)
    // is found rather than duplicated.
    auto existing = sentinel_.Get(create.twin_id);
    if (existing.ok()) return existing;
    if (existing.status().code() != Code::kNotFound) return existing.status();
    domain::SentinelIncident incident = create.incident;
    incident.name = create.twin_id;
    incident.etag.clear();
    auto put = sentinel_.Put(incident);
    if (put.ok() || put.status().code() != Code::kConflict) return put;
    return sentinel_.Get(create.twin_id);  // created concurrently: read what is there
  }

 private:
  api::SentinelClient& sentinel_;
};

class DefenderAlertTwinCreator final : public TwinCreator {
 public:
  DefenderAlertTwinCreator(api::DefenderClient& home, api::SentinelClient& sentinel, std::string workspace_id)
      : home_(home), sentinel_(sentinel), workspace_id_(std::move(workspace_id)) {}
  std::string_view Way() const override { return "defender-alert"; }

  Result<domain::SentinelIncident> Create(const reconcile::TwinCreate& create,
                                          const domain::DefenderIncident& source) override {
    const std::string marker = domain::Marker(create.twin_id);
    // Before any (re)try: an earlier attempt may have created it and crashed before recording.
    if (auto found = FindByMarker(marker); found.ok() && found->has_value()) return Finish(**found, create);
    api::CreateAlertInput in;
    in.title = create.incident.title + " " + marker;
    in.severity = domain::ParseDSeverity(WireText(create.incident.severity)).value;
    in.description = Utf8Prefix(marker + "\n" + create.incident.description, 5'000);
    in.category = "InitialAccess";
    in.is_excluded_from_correlation = true;
    in.sentinel_workspace = workspace_id_;
    in.entity_definitions.push_back({"url", "url", source.web_url.empty() ? "https://security.microsoft.com" : source.web_url, "related"});
    auto created = home_.CreateAlert(in);
    if (!created.ok()) return created.status();
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto found = FindByProviderId(created->incident_id);
      if (!found.ok()) return found.status();
      if (found->has_value()) return Finish(**found, create);
    }
    return Status(Code::kUnavailable, "createAlert made Defender incident " + created->incident_id +
                                          " but the workspace does not show it yet; retried next cycle");
  }

 private:
  Result<std::optional<domain::SentinelIncident>> FindByMarker(const std::string& marker) {
    auto recent = sentinel_.ListRecent(200);
    if (!recent.ok()) return recent.status();
    for (const auto& s : *recent) {
      if (s.title.find(marker) != std::string::npos || s.description.find(marker) != std::string::npos) {
        return std::optional<domain::SentinelIncident>(s);
      }
    }
    return std::optional<domain::SentinelIncident>();
  }

  Result<std::optional<domain::SentinelIncident>> FindByProviderId(const std::string& incident_id) {
    auto recent = sentinel_.ListRecent(50);
    if (!recent.ok()) return recent.status();
    for (const auto& s : *recent) {
      if (s.provider_incident_id == incident_id) return std::optional<domain::SentinelIncident>(s);
    }
    return std::optional<domain::SentinelIncident>();
  }

  // The new incident carries createAlert's defaults; give it the twin's synced fields and the
  // marker tag in one full-object write.
  Result<domain::SentinelIncident> Finish(const domain::SentinelIncident& found, const reconcile::TwinCreate& create) {
    domain::SentinelIncident want = create.incident;
    want.name = found.name;
    want.etag = found.etag;
    want.title = create.incident.title + " " + domain::Marker(create.twin_id);
    domain::SetReservedLabel(want, "xdrsync:" + create.twin_id, true);
    return sentinel_.Put(want);
  }

  api::DefenderClient& home_;
  api::SentinelClient& sentinel_;
  std::string workspace_id_;
};

}  // namespace

std::unique_ptr<TwinCreator> MakeArmTwinCreator(api::SentinelClient& sentinel) {
  return std::make_unique<ArmTwinCreator>(sentinel);
}

std::unique_ptr<TwinCreator> MakeDefenderAlertTwinCreator(api::DefenderClient& home, api::SentinelClient& sentinel,
                                                          std::string workspace_id) {
  return std::make_unique<DefenderAlertTwinCreator>(home, sentinel, std::move(workspace_id));
}

}  // namespace xdrsync::engine
