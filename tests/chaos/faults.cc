#include "faults.h"

#include <map>
#include <vector>

namespace xdrsync::chaos {

using nlohmann::json;

namespace {

struct Share {
  const char* label;
  double weight;
  json rule;
};

std::vector<Share> Background() {
  return {
      {"429", 0.14, {{"kind", "429"}, {"retry_after_s", 0.5}}},
      {"503", 0.14, {{"kind", "503"}, {"retry_after_s", 0.3}}},
      {"500", 0.10, {{"kind", "500"}}},
      {"504", 0.05, {{"kind", "504"}}},
      {"reset", 0.10, {{"kind", "reset"}}},
      {"latency", 0.10, {{"kind", "latency"}, {"latency_ms", 700}}},
      {"hang", 0.03, {{"kind", "hang"}, {"hang_ms", 2500}}},
      {"truncate", 0.06, {{"kind", "truncate"}}},
      {"drop_after_apply", 0.08, {{"kind", "drop_after_apply"}}},
      {"drop_after_apply_reused", 0.06, {{"kind", "drop_after_apply"}, {"connection", "reused"}}},
      {"malformed_json", 0.06, {{"kind", "malformed_json"}}},
      {"unknown_enum", 0.03, {{"kind", "unknown_enum"}, {"field", "status"}}},
      {"conflict_next_put", 0.05, {{"kind", "conflict_next_put"}, {"method", "*"}}},
  };
}

struct Aim {
  const char* label;
  const char* method;
  const char* glob;
};

constexpr Aim kAims[] = {
    {"createAlert", "POST", "/beta/security/alerts_v2/createAlert"},
    {"graph-comment", "POST", "/v1.0/security/incidents/*/comments"},
    {"graph-patch", "PATCH", "/v1.0/security/incidents/*"},
    {"arm-comment", "PUT", "/subscriptions/**/incidents/*/comments/*"},
    {"arm-put", "PUT", "/subscriptions/**/incidents/*"},
};

}  // namespace

void Faults::Enable() {
  json rules = json::array();
  for (auto& s : Background()) {
    json r = s.rule;
    r["id"] = std::string("bg-") + s.label;
    r["path_glob"] = "/**";
    if (!r.contains("method")) r["method"] = "*";
    r["probability"] = rate_ * s.weight;
    rules.push_back(r);
  }
  emu_.Call("POST", "/faults", {{"seed", seed_}, {"faults", rules}});
}

void Faults::LoseFirstCreateAlert() {
  emu_.Call("POST", "/faults",
            {{"id", "planted-create-alert"}, {"kind", "drop_after_apply"}, {"method", "POST"},
             {"path_glob", kAims[0].glob}, {"count", 1}});
}

std::string Faults::Step() {
  if (!std::bernoulli_distribution(std::min(1.0, rate_ * 2))(rng_)) return "";
  const Aim& aim = kAims[std::uniform_int_distribution<size_t>(0, std::size(kAims) - 1)(rng_)];
  static const char* kKinds[] = {"drop_after_apply", "drop_after_apply", "reset", "503", "truncate",
                                 "malformed_json", "latency"};
  const std::string kind = kKinds[std::uniform_int_distribution<size_t>(0, std::size(kKinds) - 1)(rng_)];
  json rule = {{"kind", kind}, {"method", aim.method}, {"path_glob", aim.glob}, {"count", 1}, {"latency_ms", 1500}};
  if (kind == "drop_after_apply" && std::bernoulli_distribution(0.5)(rng_)) rule["connection"] = "reused";
  const ControlReply r = emu_.Call("POST", "/faults", rule);
  return r.ok() ? "aimed " + kind + (rule.contains("connection") ? " (reused)" : "") + " at " + aim.label : "";
}

void Faults::Disable() {
  const ControlReply r = emu_.Call("GET", "/faults");
  if (r.ok()) {
    for (const auto& f : r.body.value("faults", json::array())) {
      const int64_t n = f.value("fired", 0);
      fired_ += n;
      if (n > 0) by_kind_[f.value("kind", std::string("?")) + (f.value("connection", "any") == "reused" ? "(reused)" : "")] += n;
    }
  }
  emu_.Call("DELETE", "/faults");
}

std::string Faults::Describe() const {
  std::string out;
  for (const auto& [kind, n] : by_kind_) out += (out.empty() ? "" : " ") + kind + "=" + std::to_string(n);
  return out;
}

}  // namespace xdrsync::chaos
