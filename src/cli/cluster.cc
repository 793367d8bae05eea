#include "cluster.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "args.h"
#include "xdrsync/http/cpprest_transport.h"

namespace xdrsync::cli {
namespace {

constexpr const char* kNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The settings, with what the configuration leaves out taken from the pod's environment.
Result<LeaseSettings> Complete(const app::LeaseConfig& c) {
  LeaseSettings s;
  s.api_url = c.api_url;
  if (s.api_url.empty()) {
    const std::string host = Env("KUBERNETES_SERVICE_HOST"), port = Env("KUBERNETES_SERVICE_PORT");
    if (host.empty()) return InvalidArgument("leases: api_url is not set and $KUBERNETES_SERVICE_HOST is empty (not in a pod?)");
    s.api_url = "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                (port.empty() ? "443" : port);
  }
  s.lease_namespace = c.lease_namespace.empty() ? FirstLine(kNamespaceFile) : c.lease_namespace;
  if (s.lease_namespace.empty()) return InvalidArgument("leases: namespace is not set and " + std::string(kNamespaceFile) + " is empty");
  s.identity = c.identity.empty() ? Env("HOSTNAME") : c.identity;
  if (s.identity.empty()) return InvalidArgument("leases: identity is not set and $HOSTNAME is empty");
  s.token_file = c.token_file;
  s.duration_seconds = c.duration_seconds;
  return s;
}

}  // namespace

Result<std::optional<Shard>> SelectShard(const Args& args, app::Config& config) {
  const auto flag = Option(args, "--shard");
  if (!flag && config.shard.empty()) return std::optional<Shard>();
  auto shard = ParseShard(flag ? *flag : config.shard);
  if (!shard.ok()) return InvalidArgument((flag ? "--shard: " : "configuration shard: ") + shard.status().message());
  std::erase_if(config.links, [&](const app::LinkConfig& l) { return !shard->Serves(l.name); });
  config.shard.clear();  // applied: StartProcess must not apply the configuration's over the flag's
  return std::optional<Shard>(*shard);
}

LeaseGate::LeaseGate(Process& process, std::unique_ptr<http::Transport> transport, LeaseSettings settings)
    : process_(process), transport_(std::move(transport)), settings_(std::move(settings)) {
  keeper_ = std::make_unique<LeaseKeeper>(settings_, *transport_, process_.clock, *process_.log);
}

LeaseGate::~LeaseGate() {
  if (renewer_.joinable()) renewer_.join();
}

Result<std::unique_ptr<LeaseGate>> LeaseGate::Start(const app::LeaseConfig& config, Process& process) {
  auto settings = Complete(config);
  if (!settings.ok()) return settings.status();
  http::TransportOptions options;
  if (!http::IsLoopbackUrl(settings->api_url)) options.ca_file = config.ca_file;  // the cluster's CA
  if (xdrsync::Status s = http::CheckTransportOptions(options); !s.ok()) return s.Annotate("leases");
  std::unique_ptr<LeaseGate> gate(new LeaseGate(process, http::MakeCpprestTransport(options), *settings));
  const int64_t every_ms = settings->duration_seconds * 1000 / 6;
  gate->renewer_ = std::thread([g = gate.get(), every_ms] {
    while (g->process_.sleeper.Sleep(every_ms)) {
      if (!g->keeper_->RenewDue()) {
        g->process_.log->Error("daemon.exit", {{"reason", "a link's lease could not be renewed in time; exiting so "
                                                          "that no write happens without it"}});
        std::_Exit(kExitLinkFailed);
      }
    }
  });
  process.log->Info("leases.enabled", {{"api_url", settings->api_url}, {"namespace", settings->lease_namespace},
                                       {"identity", settings->identity},
                                       {"duration_seconds", std::to_string(settings->duration_seconds)}});
  return gate;
}

std::function<bool(const std::string&)> LeaseGate::MayRun() {
  return [this](const std::string& link) {
    bool taken_over = false;
    if (!keeper_->Hold(link, &taken_over)) return false;
    if (taken_over) {
      // Another process synced this link meanwhile: what this state remembers of it is stale.
      auto dropped = process_.runtime->store().Forget({link, std::nullopt}, false, process_.clock.Now(),
                                                      "lease: link taken over from another process");
      process_.log->Info("lease.state_dropped", {{"link", link},
                                                 {"pairs", dropped.ok() ? std::to_string(dropped->pairs.size()) : "0"},
                                                 {"error", dropped.ok() ? "" : dropped.status().ToString()}});
      if (!dropped.ok()) return false;
    }
    return true;
  };
}

void LeaseGate::Stop() {
  if (renewer_.joinable()) renewer_.join();
  keeper_->ReleaseAll();
}

}  // namespace xdrsync::cli
