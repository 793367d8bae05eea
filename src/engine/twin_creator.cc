#include "xdrsync/engine/twin_creator.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "xdrsync/core/strings.h"
#include "xdrsync/domain/comments.h"
#include "xdrsync/domain/fields.h"

namespace xdrsync::engine {
namespace {

// TEST SWITCH, for the chaos harness's planted-bug run only (tests/chaos): the environment
// variable XDRSYNC_TEST_DISABLE_GUARD=twin-marker-search, read once when the creator is made at
// start-up, turns off the search for an earlier attempt's twin before another createAlert.
bool GuardDisabledForTest(std::string_view guard) {
  const char* v = std::getenv("XDRSYNC_TEST_DISABLE_GUARD");
  return v != nullptr && guard == v;
}

class ArmTwinCreator final : public TwinCreator {
 public:
  explicit ArmTwinCreator(api::SentinelClient& sentinel) : sentinel_(sentinel) {}
  std::string_view Way() const override { return "arm"; }

  Result<domain::SentinelIncident> Create(const reconcile::TwinCreate& create, const domain::DefenderIncident&,
                                          CreateAttempt& attempt) override {
    // The name is deterministic, so a twin made by an interrupted attempt (or another instance)
    // is found rather than duplicated: looked for unless this cycle's listing showed it absent.
    if (!attempt.known_absent) {
      auto existing = sentinel_.Get(create.twin_id);
      if (existing.ok()) {
        attempt.adopted = true;
        return existing;
      }
      if (existing.status().code() != Code::kNotFound) return existing.status();
    }
    domain::SentinelIncident incident = create.incident;
    incident.name = create.twin_id;
    incident.etag.clear();
    auto put = sentinel_.Put(incident);
    if (put.ok() || put.status().code() != Code::kConflict) return put;
    attempt.adopted = true;
    return sentinel_.Get(create.twin_id);  // created concurrently: read what is there
  }

  domain::SentinelIncident Finished(const reconcile::TwinCreate& create) const override {
    domain::SentinelIncident twin = create.incident;
    twin.name = create.twin_id;
    return twin;
  }

 private:
  api::SentinelClient& sentinel_;
};

class DefenderAlertTwinCreator final : public TwinCreator {
 public:
  DefenderAlertTwinCreator(api::DefenderClient& home, api::SentinelClient& sentinel, std::string workspace_id)
      : home_(home), sentinel_(sentinel), workspace_id_(std::move(workspace_id)),
        test_skip_search_(GuardDisabledForTest("twin-marker-search")) {}
  std::string_view Way() const override { return "defender-alert"; }

  Result<domain::SentinelIncident> Create(const reconcile::TwinCreate& create, const domain::DefenderIncident& source,
                                          CreateAttempt& attempt) override {
    const std::string marker = domain::Marker(create.twin_id);
    // Before any (re)try: an earlier attempt may have created it and crashed before recording, or
    // sent it and lost the answer. A failed search is no licence to create: try again later.
    auto found = test_skip_search_ ? Result<std::optional<domain::SentinelIncident>>(std::nullopt)
                                   : FindByMarker(marker);
    if (!found.ok()) return found.status();
    if (found->has_value() && domain::HasLabel(**found, domain::TwinLabel(create.twin_id))) {
      // Finished by an earlier attempt (it carries our marker label): since then it is the
      // analysts' as much as ours.
      attempt.adopted = true;
      return **found;
    }
    if (found->has_value()) return Finish(**found, create, attempt);
    if (!test_skip_search_ && attempt.unknown_since &&
        attempt.now < *attempt.unknown_since + kUnknownCreateGraceSeconds) {
      auto applied = EarlierAttemptApplied(marker, attempt);
      if (!applied.ok()) return applied.status();
      if (*applied) {
        return Status(Code::kUnavailable, "an earlier createAlert for twin " + create.twin_id +
                                              " got no answer; waiting for its incident to show before sending another");
      }
    }
    api::CreateAlertInput in;
    in.title = create.incident.title + " " + marker;
    in.severity = domain::ParseDSeverity(WireText(create.incident.severity)).value;
    in.description = AsCreateAlertMadeIt(create).description;
    in.category = "InitialAccess";
    in.is_excluded_from_correlation = true;
    in.sentinel_workspace = workspace_id_;
    in.entity_definitions.push_back({"url", "url", source.web_url.empty() ? "https://security.microsoft.com" : source.web_url, "related"});
    auto created = home_.CreateAlert(in);
    if (!created.ok()) {
      // Below HTTP (a reset, a deadline) or a gateway's 5xx: it may have been applied.
      // Unknown unless the answer says it was not taken: a reset, a deadline, a 5xx or a 201 whose
      // body cannot be read may all mean it was applied. A 4xx or a 429 says it was not.
      const Code code = created.status().code();
      attempt.sent_unknown =
          code == Code::kParseError || code == Code::kInternal || code == Code::kDataLoss || code == Code::kUnavailable;
      return created.status();
    }
    for (int tries = 0; tries < 5; ++tries) {
      auto shown = FindByProviderId(created->incident_id);
      if (!shown.ok()) return shown.status();
      if (shown->has_value()) return Finish(**shown, create, attempt);
    }
    return Status(Code::kUnavailable, "createAlert made Defender incident " + created->incident_id +
                                          " but the workspace does not show it yet; retried next cycle");
  }

 private:
  // Was the earlier createAlert whose outcome is unknown applied? Its alert is made at once and
  // carries the marker in its title; its incident shows later. Until `recheck_seconds` have passed
  // the answer is "maybe" (true: wait); then no such alert means it was not applied.
  Result<bool> EarlierAttemptApplied(const std::string& marker, const CreateAttempt& attempt) {
    if (attempt.now < *attempt.unknown_since + attempt.recheck_seconds) return true;
    // A margin for a service clock that runs behind ours.
    auto alerts = home_.AlertsCreatedSince(*attempt.unknown_since - kUnknownCreateGraceSeconds);
    if (!alerts.ok()) return alerts.status();
    return std::any_of(alerts->begin(), alerts->end(),
                       [&](const domain::DefenderAlert& a) { return a.title.find(marker) != std::string::npos; });
  }

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
  // marker tag in one full-object write. A field an analyst changed since the incident showed (it
  // can take minutes to be found after an unknown outcome) no longer holds its default: it is kept,
  // and the twin counts as adopted, so that change travels to Defender like any other.
  Result<domain::SentinelIncident> Finish(const domain::SentinelIncident& found, const reconcile::TwinCreate& create,
                                          CreateAttempt& attempt) {
    const domain::SentinelIncident finished = Finished(create);
    const domain::FieldValues defaults = domain::CanonicalSentinel(AsCreateAlertMadeIt(create));
    const domain::FieldValues now = domain::CanonicalSentinel(found);
    std::set<domain::Field> ours;
    for (domain::Field f : domain::kAllFields) {
      // Title, severity and description are the service's rendering of our request (its mapping of
      // a severity may differ): ours to set. Triage fields left at their defaults are ours too.
      const bool rendered = f == domain::Field::kTitle || f == domain::Field::kSeverity || f == domain::Field::kDescription;
      if (rendered || domain::SameValue(domain::Side::kSentinel, f, now[f], defaults[f])) ours.insert(f);
    }
    if (ours.size() == domain::kAllFields.size()) {
      domain::SentinelIncident want = finished;
      want.name = found.name;
      want.etag = found.etag;
      return sentinel_.Put(want);
    }
    domain::SentinelIncident want = domain::SentinelWithFields(found, domain::CanonicalSentinel(finished), ours);
    if (domain::TwinMarkerSuffix(want.title).empty()) want.title += " " + domain::Marker(create.twin_id);
    domain::SetReservedLabel(want, domain::TwinLabel(create.twin_id), true);
    attempt.adopted = true;
    return sentinel_.Put(want);
  }

  // The Sentinel incident createAlert makes for `create`, before anyone touched it.
  static domain::SentinelIncident AsCreateAlertMadeIt(const reconcile::TwinCreate& create) {
    domain::SentinelIncident made;
    made.title = create.incident.title + " " + domain::Marker(create.twin_id);
    made.description = Utf8Prefix(domain::Marker(create.twin_id) + "\n" + create.incident.description, 5'000);
    made.severity = create.incident.severity;
    made.status = domain::ParseSStatus("New");
    return made;
  }

 public:
  domain::SentinelIncident Finished(const reconcile::TwinCreate& create) const override {
    domain::SentinelIncident want = create.incident;
    want.title = create.incident.title + " " + domain::Marker(create.twin_id);
    domain::SetReservedLabel(want, domain::TwinLabel(create.twin_id), true);
    return want;
  }

 private:

  api::DefenderClient& home_;
  api::SentinelClient& sentinel_;
  std::string workspace_id_;
  bool test_skip_search_;  // the test switch above; false in production
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
