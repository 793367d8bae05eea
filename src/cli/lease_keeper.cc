#include "lease_keeper.h"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "xdrsync/core/shard.h"

namespace xdrsync::cli {
namespace {

using nlohmann::json;

// Kubernetes MicroTime: RFC 3339 with exactly six fractional digits.
std::string MicroTime(Timestamp t) {
  const std::string full = t.ToString();  // 2025-06-01T10:00:00.1234567Z
  return full.substr(0, 19) + "." + (full.size() >= 27 ? full.substr(20, 6) : std::string("000000")) + "Z";
}

std::string ReadToken(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  return token;
}

}  // namespace

std::string LeaseName(const std::string& link) {
  std::string name;
  for (char c : link.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    name += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
  }
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(Fnv1a64(link)));
  return "xdrsync-" + name + "-" + std::string(hash, 8);
}

LeaseKeeper::LeaseKeeper(LeaseSettings settings, http::Transport& transport, const Clock& clock, Logger& log,
                         SteadyNow steady_now)
    : settings_(std::move(settings)), transport_(transport), clock_(clock), log_(log), steady_now_(std::move(steady_now)) {}

std::string LeaseKeeper::CollectionUrl() const {
  return settings_.api_url + "/apis/coordination.k8s.io/v1/namespaces/" + settings_.lease_namespace + "/leases";
}

Result<http::Response> LeaseKeeper::Call(const std::string& method, const std::string& url, const std::string& body) {
  http::Request r;
  r.method = method;
  r.url = url;
  r.body = body;
  r.api = "kubernetes";
  r.repeatable = true;  // a repeated create answers 409, never a second lease
  r.deadline = std::chrono::milliseconds(5000);
  r.headers = {{"Accept", "application/json"}};
  if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
  if (const std::string token = ReadToken(settings_.token_file); !token.empty()) {
    r.headers.emplace_back("Authorization", "Bearer " + token);
  }
  return transport_.Send(r);
}

bool LeaseKeeper::Hold(const std::string& link, bool* taken_over) {
  std::lock_guard lock(mu_);
  *taken_over = false;
  return HoldLocked(link, leases_[link], taken_over);
}

namespace {

// What to write after reading the lease: the object to POST (new) or PUT, or why not.
struct Proposal {
  json lease;
  bool create = false;
  bool other_alive = false;  // another holder's lease that has not expired
  std::string holder;        // the holder it had
  std::string error;
};

// `observed_*`: the other holder's record as this process last saw it change (client-go's rule).
Proposal Propose(const http::Response& got, const std::string& name, const LeaseSettings& settings,
                 const std::string& stamp, std::chrono::steady_clock::time_point now, std::string& observed_version,
                 std::chrono::steady_clock::time_point& observed_at) {
  Proposal p;
  if (got.status == 404) {
    p.create = true;
    p.lease = {{"apiVersion", "coordination.k8s.io/v1"},
               {"kind", "Lease"},
               {"metadata", {{"name", name}, {"namespace", settings.lease_namespace}, {"labels", {{"app", "xdrsync"}}}}},
               {"spec", {{"acquireTime", stamp}, {"leaseTransitions", 0}}}};
  } else if (got.status != 200) {
    p.error = "GET lease " + name + ": HTTP " + std::to_string(got.status);
    return p;
  } else {
    p.lease = json::parse(got.body, nullptr, false);
    if (!p.lease.is_object() || !p.lease.contains("metadata")) {
      p.error = "the lease " + name + " is not a Lease object";
      return p;
    }
    const json spec = p.lease.value("spec", json::object());
    p.holder = spec.value("holderIdentity", "");
    const std::string version = p.lease["metadata"].value("resourceVersion", "");
    if (version != observed_version) {
      observed_version = version;
      observed_at = now;
    }
    const bool mine = p.holder == settings.identity;
    const auto their_duration = std::chrono::seconds(spec.value("leaseDurationSeconds", int64_t{0}));
    p.other_alive = !mine && !p.holder.empty() && now - observed_at <= their_duration;
    if (!mine) {
      p.lease["spec"]["acquireTime"] = stamp;
      p.lease["spec"]["leaseTransitions"] = spec.value("leaseTransitions", int64_t{0}) + 1;
    }
  }
  p.lease["spec"]["holderIdentity"] = settings.identity;
  p.lease["spec"]["leaseDurationSeconds"] = settings.duration_seconds;
  p.lease["spec"]["renewTime"] = stamp;
  return p;
}

}  // namespace

bool LeaseKeeper::HoldLocked(const std::string& link, State& st, bool* taken_over) {
  const auto now = steady_now_();
  const auto duration = std::chrono::seconds(settings_.duration_seconds);
  if (st.held && now - st.renewed < duration / 3) return true;
  const std::string name = LeaseName(link);
  const bool renew_deadline_ok = st.held && now - st.renewed < duration * 2 / 3;
  auto lost = [&](const std::string& why) {
    if (st.held) log_.Error("lease.lost", {{"link", link}, {"lease", name}, {"error", why}});
    st.held = false;
    return false;
  };
  auto fail = [&](const std::string& why) {
    log_.Warn("lease.error", {{"link", link}, {"lease", name}, {"error", why}});
    // Still ours until the renew deadline; after it, not any more.
    return renew_deadline_ok ? true : lost(why);
  };
  auto got = Call("GET", CollectionUrl() + "/" + name, "");
  if (!got.ok()) return fail(got.status().ToString());
  Proposal p;
  try {  // nlohmann throws on a field of an unexpected type
    p = Propose(*got, name, settings_, MicroTime(clock_.Now()), now, st.observed_version, st.observed_at);
  } catch (const json::exception&) {
    return fail("the lease " + name + " is not a valid Lease object");
  }
  if (!p.error.empty()) return fail(p.error);
  // Someone else's and alive: wait until it is released or expires.
  if (p.other_alive) return lost("held by " + p.holder);
  auto put = p.create ? Call("POST", CollectionUrl(), p.lease.dump())
                      : Call("PUT", CollectionUrl() + "/" + name, p.lease.dump());
  if (!put.ok()) return fail(put.status().ToString());
  if (put->status == 409) return lost("409 Conflict: another process wrote it first");
  if (put->status != 200 && put->status != 201) return fail("write lease " + name + ": HTTP " + std::to_string(put->status));
  const json written = json::parse(put->body, nullptr, false);
  const json::json_pointer version_at("/metadata/resourceVersion");
  st.resource_version = written.is_object() && written.contains(version_at) && written.at(version_at).is_string()
                            ? written.at(version_at).get<std::string>()
                            : "";
  st.observed_version = st.resource_version;
  if (!st.held) {
    *taken_over = !p.holder.empty() && p.holder != settings_.identity;
    log_.Info("lease.acquired", {{"link", link}, {"lease", name}, {"from", p.holder}});
  }
  st.held = true;
  st.renewed = now;
  return true;
}

bool LeaseKeeper::RenewDue() {
  std::lock_guard lock(mu_);
  bool ok = true;
  for (auto& [link, st] : leases_) {
    if (!st.held) continue;
    bool taken_over = false;
    ok = HoldLocked(link, st, &taken_over) && ok;
  }
  return ok;
}

void LeaseKeeper::ReleaseAll() {
  std::lock_guard lock(mu_);
  for (auto& [link, st] : leases_) {
    if (!st.held) continue;
    const std::string name = LeaseName(link);
    auto got = Call("GET", CollectionUrl() + "/" + name, "");
    json lease = got.ok() && got->status == 200 ? json::parse(got->body, nullptr, false) : json();
    const json::json_pointer holder_at("/spec/holderIdentity");
    if (!lease.is_object() || !lease.contains(holder_at) || lease.at(holder_at) != settings_.identity) continue;
    lease["spec"]["leaseDurationSeconds"] = 1;
    lease["spec"]["renewTime"] = MicroTime(clock_.Now());
    auto put = Call("PUT", CollectionUrl() + "/" + name, lease.dump());
    st.held = false;
    log_.Info("lease.released", {{"link", link}, {"lease", name},
                                 {"status", put.ok() ? std::to_string(put->status) : put.status().ToString()}});
  }
}

}  // namespace xdrsync::cli
