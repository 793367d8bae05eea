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

bool LeaseKeeper::HoldLocked(const std::string& link, State& st, bool* taken_over) {
  const auto now = steady_now_();
  const auto duration = std::chrono::seconds(settings_.duration_seconds);
  if (st.held && now - st.renewed < duration / 3) return true;
  const std::string name = LeaseName(link);
  const bool renew_deadline_ok = st.held && now - st.renewed < duration * 2 / 3;
  auto fail = [&](const std::string& why) {
    log_.Warn("lease.error", {{"link", link}, {"lease", name}, {"error", why}});
    if (st.held && !renew_deadline_ok) log_.Error("lease.lost", {{"link", link}, {"lease", name}, {"error", why}});
    st.held = renew_deadline_ok;  // still ours until the renew deadline; after it, not any more
    return st.held;
  };
  auto got = Call("GET", CollectionUrl() + "/" + name, "");
  if (!got.ok()) return fail(got.status().ToString());
  const std::string stamp = MicroTime(clock_.Now());
  json lease;
  std::string holder;
  if (got->status == 404) {
    lease = {{"apiVersion", "coordination.k8s.io/v1"},
             {"kind", "Lease"},
             {"metadata", {{"name", name}, {"namespace", settings_.lease_namespace}, {"labels", {{"app", "xdrsync"}}}}},
             {"spec", {{"acquireTime", stamp}, {"leaseTransitions", 0}}}};
  } else if (got->status == 200) {
    lease = json::parse(got->body, nullptr, false);
    if (!lease.is_object() || !lease.contains("metadata")) return fail("the lease " + name + " is not a Lease object");
    const json& spec = lease.value("spec", json::object());
    holder = spec.value("holderIdentity", "");
    const std::string version = lease["metadata"].value("resourceVersion", "");
    if (version != st.observed_version) {
      st.observed_version = version;
      st.observed_at = now;
    }
    const auto their_duration = std::chrono::seconds(spec.value("leaseDurationSeconds", int64_t{0}));
    const bool mine = holder == settings_.identity;
    if (!mine && !holder.empty() && now - st.observed_at <= their_duration) {
      if (st.held) log_.Error("lease.lost", {{"link", link}, {"lease", name}, {"holder", holder}});
      st.held = false;
      return false;  // someone else's and alive: wait until it is released or expires
    }
    if (!mine) {
      lease["spec"]["acquireTime"] = stamp;
      lease["spec"]["leaseTransitions"] = spec.value("leaseTransitions", int64_t{0}) + 1;
    }
  } else {
    return fail("GET lease " + name + ": HTTP " + std::to_string(got->status));
  }
  lease["spec"]["holderIdentity"] = settings_.identity;
  lease["spec"]["leaseDurationSeconds"] = settings_.duration_seconds;
  lease["spec"]["renewTime"] = stamp;
  const bool create = got->status == 404;
  auto put = create ? Call("POST", CollectionUrl(), lease.dump()) : Call("PUT", CollectionUrl() + "/" + name, lease.dump());
  if (!put.ok()) return fail(put.status().ToString());
  if (put->status == 409) {
    if (st.held) log_.Error("lease.lost", {{"link", link}, {"lease", name}, {"error", "409 Conflict"}});
    st.held = false;
    return false;  // another process wrote it first: the API server decided
  }
  if (put->status != 200 && put->status != 201) return fail((create ? "POST" : "PUT") + std::string(" lease ") + name +
                                                           ": HTTP " + std::to_string(put->status));
  const json written = json::parse(put->body, nullptr, false);
  st.resource_version = written.is_object() ? written["metadata"].value("resourceVersion", "") : "";
  st.observed_version = st.resource_version;
  if (!st.held) {
    *taken_over = !holder.empty() && holder != settings_.identity;
    log_.Info("lease.acquired", {{"link", link}, {"lease", name}, {"from", holder}});
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
    if (!lease.is_object() || lease["spec"].value("holderIdentity", "") != settings_.identity) continue;
    lease["spec"]["leaseDurationSeconds"] = 1;
    lease["spec"]["renewTime"] = MicroTime(clock_.Now());
    auto put = Call("PUT", CollectionUrl() + "/" + name, lease.dump());
    st.held = false;
    log_.Info("lease.released", {{"link", link}, {"lease", name},
                                 {"status", put.ok() ? std::to_string(put->status) : put.status().ToString()}});
  }
}

}  // namespace xdrsync::cli
