// The seam that creates Sentinel twins (spec §3, "two ways to create a twin"). `arm` PUTs the twin
// under its deterministic name; `defender-alert` raises a Defender alert in the workspace's own
// tenant (Graph beta createAlert), which makes a real Defender incident that the onboarded
// workspace shows through ARM as well — the only way that keeps working once the Azure portal's
// Sentinel experience retires (31 March 2027).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "xdrsync/api/clients.h"
#include "xdrsync/core/status.h"
#include "xdrsync/reconcile/plan.h"

namespace xdrsync::engine {

// What the engine remembers between attempts at one creation. A create request that makes a new
// object each time (Graph createAlert) and whose outcome was unknown (sent, no answer) must not be
// sent again until the twin it may have made had time to show: until then attempts only search.
inline constexpr int64_t kUnknownCreateRecheckSeconds = 60;

struct CreateAttempt {
  Timestamp now;
  std::optional<Timestamp> unknown_since;  // in: an earlier request's outcome is unknown since then
  // in: how long after an unknown outcome the alerts are looked at for it (Graph makes the alert at
  // once and its incident later): none with our marker means the request was not applied.
  int64_t recheck_seconds = kUnknownCreateRecheckSeconds;
  // in: this cycle's Sentinel listing shows no twin where one made since the Defender incident was
  // created would show, and no earlier attempt exists: create without looking first (arm twins).
  bool known_absent = false;
  bool sent_unknown = false;               // out: this attempt sent a request with an unknown outcome
  // out: the twin was there already, made whole by an earlier attempt that never recorded it (a
  // kill, a lost answer, a lost state); what it holds now may be an analyst's since then, so it is
  // returned as found, never rewritten. Its bases are then what the creation wrote (Finished)
  // and the Defender incident as that creation was first planned from.
  bool adopted = false;
};
// How long a twin from a request with an unknown outcome is searched for before another is sent,
// when its alert shows that it was applied.
inline constexpr int64_t kUnknownCreateGraceSeconds = 600;

class TwinCreator {
 public:
  virtual ~TwinCreator() = default;
  virtual std::string_view Way() const = 0;  // "arm" or "defender-alert"
  // Creates the twin of `source` (or finds the one an earlier, interrupted attempt made) and
  // returns it as Sentinel shows it, its synced fields set from the plan. Idempotent.
  virtual Result<domain::SentinelIncident> Create(const reconcile::TwinCreate& create,
                                                  const domain::DefenderIncident& source, CreateAttempt& attempt) = 0;
  // The twin as a finished creation leaves it (the base of a twin that is adopted).
  virtual domain::SentinelIncident Finished(const reconcile::TwinCreate& create) const = 0;
};

std::unique_ptr<TwinCreator> MakeArmTwinCreator(api::SentinelClient& sentinel);

// `home` is the Graph client of the workspace's own tenant; `workspace_id` the workspace's ARM
// resource id for createAlert's `sentinelWorkspace`.
std::unique_ptr<TwinCreator> MakeDefenderAlertTwinCreator(api::DefenderClient& home, api::SentinelClient& sentinel,
                                                          std::string workspace_id);

}  // namespace xdrsync::engine
