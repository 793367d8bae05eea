#include "runtime.h"

#include <algorithm>
#include <map>

#include "metric_help.h"
#include "xdrsync/api/http_clients.h"
#include "xdrsync/api/shared_listings.h"
#include "xdrsync/auth/token_provider.h"
#include "xdrsync/engine/twin_creator.h"
#include "xdrsync/http/authorizing_transport.h"
#include "xdrsync/http/budget_transport.h"
#include "xdrsync/http/metrics_transport.h"
#include "xdrsync/http/retrying_transport.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::app {
namespace {

// Exports how long each token has left, so an operator sees a credential about to stop working.
class MeteredTokenProvider final : public auth::TokenProvider {
 public:
  MeteredTokenProvider(std::unique_ptr<auth::TokenProvider> inner, std::string tenant, Metrics& metrics,
                       const Clock& clock)
      : inner_(std::move(inner)), tenant_(std::move(tenant)), metrics_(metrics), clock_(clock) {}
  Result<auth::AccessToken> Token(std::string_view scope, bool force_refresh) override {
    auto t = inner_->Token(scope, force_refresh);
    const Labels labels = {{"tenant", tenant_}, {"scope", std::string(scope)}};
    if (t.ok()) {
      metrics_.Set("xdrsync_token_expiry_seconds", labels,
                   static_cast<double>(t->expires_on.TicksSince(clock_.Now())) / Timestamp::kTicksPerSecond);
    } else {
      metrics_.Add("xdrsync_token_failures_total", labels);
    }
    return t;
  }

 private:
  std::unique_ptr<auth::TokenProvider> inner_;
  std::string tenant_;
  Metrics& metrics_;
  const Clock& clock_;
};

// One API of one tenant: its decorated transport chain and the token provider behind it.
struct Channel {
  std::unique_ptr<auth::TokenProvider> tokens;
  std::unique_ptr<http::Transport> retrying, authorized;
};

}  // namespace

struct Runtime::Parts {
  // Shared by every channel: one metrics layer and one budget, whose buckets are keyed by API,
  // read/write and tenant, so two workspaces of one tenant draw from the same bucket.
  std::unique_ptr<http::Transport> metered, budgeted, login_retrying;
  http::BudgetTransport* budget = nullptr;  // = budgeted
  std::map<std::string, Channel> channels;  // by ChannelKey: API, tenant and client identity
  std::map<std::string, std::unique_ptr<api::DefenderClient>> defenders;  // by tenant name, "ws:<name>" home Graph
  std::map<std::string, std::unique_ptr<api::SentinelClient>> sentinels;  // by workspace name
  std::map<std::string, std::unique_ptr<engine::TwinCreator>> creators;    // by workspace name
  std::vector<std::unique_ptr<engine::LinkRunner>> runners;
};

Runtime::Runtime() : parts_(std::make_unique<Parts>()) {}
Runtime::~Runtime() = default;

std::vector<engine::LinkRunner*> Runtime::runners() {
  std::vector<engine::LinkRunner*> out;
  for (auto& r : parts_->runners) out.push_back(r.get());
  return out;
}

std::function<bool(const std::string& link)> Runtime::MayHurry() {
  // Half a bucket: no request of the link is queueing, and the faster poll's two list calls leave
  // the burst for the reads of the changes it finds.
  constexpr double kRoom = 0.5;
  return [this](const std::string& link) {
    const auto it = link_tenants_.find(link);
    if (it == link_tenants_.end() || parts_->budget == nullptr) return false;
    return parts_->budget->ReadHeadroom("graph", it->second.graph) >= kRoom &&
           parts_->budget->ReadHeadroom("arm", it->second.arm) >= kRoom;
  };
}

engine::LinkRunner* Runtime::runner(const std::string& link) {
  for (auto& r : parts_->runners) {
    if (r->name() == link) return r.get();
  }
  return nullptr;
}

namespace {

// What a channel really is: one API, one sign-in authority and tenant, one client identity and
// the place its credential comes from. Configuration names are unique only within their own list
// (a tenant and a workspace may both be called "soc"), so they must never key a channel: two
// entries share a channel (and its token cache) only when they sign in as the same app in the
// same tenant. The key holds where a secret is read from, never the secret.
std::string ChannelKey(std::string_view api, const auth::AuthConfig& a) {
  std::string key(api);
  for (const std::string* part : {&a.login_url, &a.tenant_id, &a.client_id, &a.client_secret_env, &a.client_secret_file,
                                  &a.client_secret_credential, &a.certificate_file, &a.private_key_file,
                                  &a.managed_identity_client_id, &a.imds_url, &a.federated_token_file}) {
    key += '\x1f';
    key += *part;
  }
  key += '\x1f';
  key += std::to_string(static_cast<int>(a.kind));
  return key;
}

Result<http::Transport*> MakeChannel(Runtime::Parts& p, std::string_view api, const auth::AuthConfig& auth,
                                     const std::string& scope, Logger& log, Metrics& metrics, Sleeper& sleeper,
                                     const Clock& clock) {
  const std::string key = ChannelKey(api, auth);
  auto it = p.channels.find(key);
  if (it != p.channels.end()) return it->second.authorized.get();
  Channel ch;
  auto tokens = auth::MakeTokenProvider(auth, *p.login_retrying, clock);
  if (!tokens.ok()) return tokens.status();
  ch.tokens = std::make_unique<MeteredTokenProvider>(std::move(*tokens), auth.tenant_id, metrics, clock);
  // Outermost first: the token (401 -> refresh once), then retries, each retry paying into the
  // shared rate budget, counted by the metrics, sent by the base transport.
  ch.retrying = std::make_unique<http::RetryingTransport>(*p.budgeted, http::RetryPolicy{}, sleeper, clock, metrics, log);
  ch.authorized = std::make_unique<http::AuthorizingTransport>(*ch.retrying, *ch.tokens, scope);
  http::Transport* out = ch.authorized.get();
  p.channels[key] = std::move(ch);
  return out;
}

struct WayChoice {
  std::string way, reason, error;
  engine::TwinCreator* creator = nullptr;
};

// Failures that say nothing about the configuration or the grants: the next try may work.
bool MayPassOnItsOwn(const Status& s) {
  const Code c = s.code();
  return c == Code::kUnavailable || c == Code::kParseError || c == Code::kInternal || c == Code::kDataLoss ||
         c == Code::kResourceExhausted;
}

WayChoice ChooseWay(Runtime::Parts& p, const SentinelWorkspace& ws, Logger& log, Metrics& metrics, Sleeper& sleeper,
                    const Clock& clock) {
  api::SentinelClient& sentinel = *p.sentinels.at(ws.name);
  WayChoice c;
  if (ws.portal == Portal::kAzure) {
    c = {"arm", "portal: azure (configured)", "", nullptr};
  } else if (ws.portal == Portal::kDefender) {
    c = {"defender-alert", "portal: defender (configured)", "", nullptr};
  } else {
    // auto: Defender-portal workspaces show every incident under this provider name.
    auto recent = sentinel.ListRecent(50);
    if (!recent.ok()) {
      c = {"arm", "portal: auto, but the workspace's incidents could not be read (" + recent.status().ToString() +
                      "); assuming azure",
           "", nullptr};
      log.Warn("portal.detect_failed", {{"workspace", ws.name}, {"error", recent.status().ToString()}});
    } else if (recent->empty()) {
      c = {"arm", "portal: auto, the workspace has no incidents yet so it counts as azure; set portal explicitly",
           "", nullptr};
      log.Warn("portal.empty_workspace", {{"workspace", ws.name}});
    } else {
      bool onboarded = false;
      for (const auto& s : *recent) onboarded |= s.provider_name == "Microsoft Defender XDR";
      c = onboarded ? WayChoice{"defender-alert",
                                "portal: auto, recent incidents carry provider 'Microsoft Defender XDR' (onboarded "
                                "to the Defender portal)",
                                "", nullptr}
                    : WayChoice{"arm", "portal: auto, recent incidents are not from the Defender portal", "", nullptr};
    }
  }
  if (auto it = p.creators.find(ws.name); it != p.creators.end()) {
    c.creator = it->second.get();
    return c;
  }
  if (c.way == "arm") {
    p.creators[ws.name] = engine::MakeArmTwinCreator(sentinel);
    c.creator = p.creators[ws.name].get();
    return c;
  }
  // defender-alert twins are created through Graph in the workspace's own tenant.
  auto ch = MakeChannel(p, "graph", ws.auth, ws.endpoints.graph_scope, log, metrics, sleeper, clock);
  if (!ch.ok()) {
    c.error = "workspace " + ws.name + ": " + ch.status().ToString();
    return c;
  }
  auto& tokens = *p.channels.at(ChannelKey("graph", ws.auth)).tokens;
  auto token = tokens.Token(ws.endpoints.graph_scope);
  // A sign-in that failed on the way (a reset, a 5xx, an unreadable answer) is tried again a few
  // times before the link is refused: refused, it stays off until the next start.
  for (int attempt = 1; !token.ok() && MayPassOnItsOwn(token.status()) && attempt < 5; ++attempt) {
    log.Warn("workspace.token_retry", {{"workspace", ws.name}, {"attempt", std::to_string(attempt)},
                                       {"error", token.status().ToString()}});
    if (!sleeper.Sleep(int64_t{1000} << (attempt - 1))) break;
    token = tokens.Token(ws.endpoints.graph_scope);
  }
  if (!token.ok()) {
    c.error = "workspace " + ws.name + ": no Graph token for its own tenant: " + token.status().ToString();
    return c;
  }
  if (!token->tenant_id.empty() && !EqualsIgnoreCase(token->tenant_id, ws.tenant_id)) {
    // Twins created in the wrong tenant would be mirrored again there: never write with it.
    c.error = "workspace " + ws.name + ": its Graph token was issued for tenant " + token->tenant_id +
              ", not the workspace's tenant " + ws.tenant_id + "; check the workspace's auth settings";
    return c;
  }
  if (!auth::HasAnyRole(*token, {"SecurityAlert.Create.All", "SecurityAlert.ReadWrite.All"})) {
    c.error = "workspace " + ws.name + " is onboarded to the Defender portal, but the app in tenant " + ws.tenant_id +
              " lacks SecurityAlert.Create.All: grant it (admin consent) so twins can be created with createAlert";
    return c;
  }
  api::GraphClientOptions o;
  o.graph_url = ws.endpoints.graph_url;
  o.tenant = ws.tenant_id;
  p.defenders["ws:" + ws.name] = api::MakeGraphDefenderClient(**ch, o, clock, log, metrics);
  const std::string workspace_id = "/subscriptions/" + ws.subscription_id + "/resourceGroups/" + ws.resource_group +
                                   "/providers/Microsoft.OperationalInsights/workspaces/" + ws.workspace;
  p.creators[ws.name] = engine::MakeDefenderAlertTwinCreator(*p.defenders["ws:" + ws.name], sentinel, workspace_id);
  c.creator = p.creators[ws.name].get();
  return c;
}

// How old a listing of a workspace its links may share (api::ShareListings), in ticks: 0 (none) for
// a workspace of one link, else half the floor of adaptive polling and at most 2 s, so a link is
// never answered with the listing of its own previous cycle.
int64_t ListingShareWindow(const Config& config, const std::string& workspace) {
  const auto links = std::count_if(config.links.begin(), config.links.end(),
                                   [&](const LinkConfig& l) { return l.sentinel == workspace; });
  if (links < 2) return 0;
  const int64_t floor = std::min(config.min_poll_seconds, config.poll_interval_seconds);
  return std::min<int64_t>(2 * Timestamp::kTicksPerSecond, floor * Timestamp::kTicksPerSecond / 2);
}

}  // namespace

std::vector<std::string> CredentialWarnings(const Config& config) {
  const auth::ProcessEnvironment env;
  std::vector<std::string> out;
  for (const auto& t : config.defender_tenants) {
    for (const auto& w : auth::CredentialFileWarnings(t.auth, env)) out.push_back("defender tenant " + t.name + ": " + w);
  }
  for (const auto& ws : config.sentinel_workspaces) {
    for (const auto& w : auth::CredentialFileWarnings(ws.auth, env)) {
      out.push_back("sentinel workspace " + ws.name + ": " + w);
    }
  }
  return out;
}

Result<std::unique_ptr<Runtime>> Runtime::Build(const Config& config, http::Transport& base, Logger& log,
                                                Metrics& metrics, Sleeper& sleeper, const Clock& clock) {
  std::unique_ptr<Runtime> rt(new Runtime());
  Parts& p = *rt->parts_;
  DescribeSyncMetrics(metrics);
  for (const auto& w : CredentialWarnings(config)) log.Warn("credential.file", {{"warning", w}});
  auto store = store::OpenStateStore(config.state_path);
  if (!store.ok()) return store.status();
  rt->store_ = std::move(*store);
  http::BudgetOptions budget = http::DefaultBudgetOptions();
  for (const auto& t : config.defender_tenants) {
    budget.limits["graph/read/" + t.tenant_id] = {static_cast<double>(t.reads_per_minute) / 6, t.reads_per_minute / 60.0};
    budget.limits["graph/write/" + t.tenant_id] = {static_cast<double>(t.writes_per_minute) / 6, t.writes_per_minute / 60.0};
  }
  for (const auto& w : config.sentinel_workspaces) {
    budget.limits["arm/read/" + w.tenant_id] = {w.reads_per_second * 10, w.reads_per_second};
    budget.limits["arm/write/" + w.tenant_id] = {w.writes_per_second * 10, w.writes_per_second};
  }
  p.metered = std::make_unique<http::MetricsTransport>(base, metrics, log);
  auto budgeted = std::make_unique<http::BudgetTransport>(*p.metered, budget, sleeper, clock, metrics);
  p.budget = budgeted.get();
  p.budgeted = std::move(budgeted);
  p.login_retrying = std::make_unique<http::RetryingTransport>(*p.metered, http::RetryPolicy{}, sleeper, clock,
                                                               metrics, log);
  for (const auto& t : config.defender_tenants) {
    auto ch = MakeChannel(p, "graph", t.auth, t.endpoints.graph_scope, log, metrics, sleeper, clock);
    if (!ch.ok()) return ch.status().Annotate("defender tenant " + t.name);
    api::GraphClientOptions o;
    o.graph_url = t.endpoints.graph_url;
    o.tenant = t.tenant_id;
    p.defenders[t.name] = api::MakeGraphDefenderClient(**ch, o, clock, log, metrics);
  }
  for (const auto& w : config.sentinel_workspaces) {
    auto ch = MakeChannel(p, "arm", w.auth, w.endpoints.arm_scope, log, metrics, sleeper, clock);
    if (!ch.ok()) return ch.status().Annotate("sentinel workspace " + w.name);
    api::ArmClientOptions o;
    o.arm_url = w.endpoints.arm_url;
    o.subscription_id = w.subscription_id;
    o.resource_group = w.resource_group;
    o.workspace = w.workspace;
    o.api_version = w.api_version;
    o.tenant = w.tenant_id;
    p.sentinels[w.name] = api::MakeArmSentinelClient(**ch, o, clock, log, metrics);
    if (const int64_t window = ListingShareWindow(config, w.name); window > 0) {
      p.sentinels[w.name] = api::ShareListings(std::move(p.sentinels[w.name]), window, clock, metrics, w.name);
    }
  }
  for (const auto& l : config.links) {
    LinkInfo info{l.name, l.defender, l.sentinel,
                  l.policy.mode == reconcile::LinkMode::kMirror ? "mirror" : "link", "link", "", l.paused, ""};
    const SentinelWorkspace* ws = config.FindWorkspace(l.sentinel);
    const DefenderTenant* tenant = config.FindTenant(l.defender);
    if (ws == nullptr || tenant == nullptr) return InvalidArgument("link " + l.name + ": unknown tenant or workspace");
    rt->link_tenants_[l.name] = {tenant->tenant_id, ws->tenant_id};
    engine::TwinCreator* creator = nullptr;
    if (l.policy.mode == reconcile::LinkMode::kMirror) {
      const WayChoice way = ChooseWay(p, *ws, log, metrics, sleeper, clock);
      info.way = way.way;
      info.way_reason = way.reason;
      info.error = way.error;
      if (info.error.empty() && info.way == "defender-alert" && ws->tenant_id == tenant->tenant_id) {
        info.error = "a mirror link between a Defender tenant and a workspace onboarded to the Defender portal of "
                     "the same tenant is refused: both sides are one and the same incident (use mode link)";
      }
      creator = info.error.empty() ? way.creator : nullptr;
    } else {
      info.way_reason = "link mode pairs with the connector's incidents; it never creates";
    }
    log.Info("link.configured", {{"link", l.name}, {"mode", info.mode}, {"way", info.way}, {"reason", info.way_reason},
                                 {"paused", l.paused ? "true" : "false"}, {"error", info.error}});
    (void)rt->store_->SetLinkMeta(l.name, "way", info.way);
    (void)rt->store_->SetLinkMeta(l.name, "way_reason", info.way_reason);
    metrics.Set("xdrsync_link_way", {{"link", l.name}, {"way", info.way}}, 1);
    if (!info.error.empty()) {
      log.Error("link.refused", {{"link", l.name}, {"error", info.error}});
    } else if (!l.paused) {
      engine::LinkContext ctx;
      ctx.policy = &l.policy;
      ctx.defender = p.defenders.at(l.defender).get();
      ctx.sentinel = p.sentinels.at(l.sentinel).get();
      ctx.creator = creator;
      ctx.store = rt->store_.get();
      ctx.clock = &clock;
      ctx.log = &log;
      ctx.metrics = &metrics;
      ctx.options.overlap_seconds = config.overlap_seconds;
      ctx.options.initial_lookback_hours = config.initial_lookback_hours;
      ctx.options.sweep_overlap_seconds = config.sweep_overlap_seconds;
      ctx.options.max_attempts = config.max_attempts;
      ctx.options.drain_seconds = config.poll_interval_seconds;
      ctx.options.create_recheck_seconds = config.create_recheck_seconds;
      p.runners.push_back(std::make_unique<engine::LinkRunner>(ctx));
    }
    rt->links_.push_back(info);
  }
  return rt;
}

}  // namespace xdrsync::app
