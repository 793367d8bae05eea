#include "fault_injector.h"

#include <fstream>
#include <map>
#include <sstream>

namespace xdrsync::emulator {
namespace {

const std::map<std::string, FaultKind>& KindNames() {
  static const std::map<std::string, FaultKind> kNames = {
      {"status", FaultKind::kStatus},
      {"latency", FaultKind::kLatency},
      {"hang", FaultKind::kHang},
      {"reset", FaultKind::kReset},
      {"truncate", FaultKind::kTruncate},
      {"drop_after_apply", FaultKind::kDropAfterApply},
      {"malformed_json", FaultKind::kMalformedJson},
      {"unknown_enum", FaultKind::kUnknownEnum},
      {"conflict_next_put", FaultKind::kConflictNextPut},
      {"replace_body", FaultKind::kReplaceBody}};
  return kNames;
}

std::string GlobToRegex(const std::string& glob) {
  std::string re;
  for (size_t i = 0; i < glob.size(); ++i) {
    char c = glob[i];
    if (c == '*') {
      if (i + 1 < glob.size() && glob[i + 1] == '*') {
        re += ".*";
        ++i;
      } else {
        re += "[^/]*";
      }
    } else if (c == '?') {
      re += "[^/]";
    } else if (std::string("\\^$.|+()[]{}").find(c) != std::string::npos) {
      re += '\\';
      re += c;
    } else {
      re += c;
    }
  }
  return re;
}

}  // namespace

bool FaultRuleFromJson(const nlohmann::json& j, FaultRule* out, std::string* error) {
  if (!j.is_object()) {
    *error = "a fault rule must be a JSON object";
    return false;
  }
  FaultRule r;
  r.id = j.value("id", "");
  r.method = j.value("method", "*");
  r.path_regex = j.value("path_regex", j.value("path", ""));
  r.path_glob = j.value("path_glob", "");
  std::string kind = j.value("kind", "status");
  if (kind == "429" || kind == "500" || kind == "503" || kind == "504") {
    r.status = std::stoi(kind);
    kind = "status";
  }
  auto it = KindNames().find(kind);
  if (it == KindNames().end()) {
    *error = "unknown fault kind '" + kind + "'";
    return false;
  }
  r.kind = it->second;
  r.probability = j.value("probability", 1.0);
  r.count = j.value("count", r.kind == FaultKind::kConflictNextPut ? 1 : -1);
  r.skip = j.value("skip", 0);
  r.connection = j.value("connection", "any");
  if (r.connection != "any" && r.connection != "reused" && r.connection != "fresh") {
    *error = "connection must be \"any\", \"reused\" or \"fresh\", not '" + r.connection + "'";
    return false;
  }
  r.status = j.value("status", r.status);
  r.latency_ms = j.value("latency_ms", 0);
  r.hang_ms = j.value("hang_ms", 120000);
  r.retry_after_s = j.value("retry_after_s", 1.0);
  r.field = j.value("field", "status");
  r.enum_value = j.value("enum_value", "someFutureValue");
  r.body = j.value("body", "");
  r.body_file = j.value("body_file", "");
  try {
    std::regex test(r.path_glob.empty() ? (r.path_regex.empty() ? ".*" : r.path_regex)
                                        : GlobToRegex(r.path_glob));
  } catch (const std::regex_error& e) {
    *error = std::string("invalid path pattern: ") + e.what();
    return false;
  }
  *out = r;
  return true;
}

nlohmann::json FaultRuleToJson(const FaultRule& r) {
  std::string kind;
  for (const auto& [name, k] : KindNames()) {
    if (k == r.kind) kind = name;
  }
  return {{"id", r.id},           {"method", r.method},     {"path_regex", r.path_regex},
          {"path_glob", r.path_glob}, {"kind", kind},       {"probability", r.probability},
          {"count", r.count},     {"skip", r.skip},         {"connection", r.connection},         {"status", r.status},
          {"latency_ms", r.latency_ms}, {"hang_ms", r.hang_ms},
          {"retry_after_s", r.retry_after_s}, {"field", r.field},
          {"enum_value", r.enum_value}, {"body_file", r.body_file},
          {"body_bytes", r.body.size()}, {"fired", r.fired}, {"matched", r.matched}};
}

std::string ReplacementBody(const FaultRule& rule) {
  if (rule.body_file.empty()) return rule.body;
  std::ifstream in(rule.body_file, std::ios::binary);
  if (!in) return "emulator: replace_body cannot read body_file " + rule.body_file;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string FaultInjector::Add(FaultRule rule) {
  std::lock_guard<std::mutex> lock(mu_);
  if (rule.id.empty()) rule.id = "fault-" + std::to_string(next_id_++);
  std::string pattern = rule.path_glob.empty()
                            ? (rule.path_regex.empty() ? ".*" : rule.path_regex)
                            : GlobToRegex(rule.path_glob);
  entries_.push_back({rule, std::regex(pattern)});
  return rule.id;
}

bool FaultInjector::Remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto before = entries_.size();
  std::erase_if(entries_, [&](const Entry& e) { return e.rule.id == id; });
  return entries_.size() != before;
}

void FaultInjector::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

void FaultInjector::Reseed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  rng_.seed(seed);
}

nlohmann::json FaultInjector::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : entries_) out.push_back(FaultRuleToJson(e.rule));
  return out;
}

std::optional<FaultRule> FaultInjector::Draw(const std::string& method, const std::string& path,
                                             int sequence_on_connection) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& e : entries_) {
    FaultRule& r = e.rule;
    if (r.count == 0) continue;
    if (r.method != "*" && r.method != method) continue;
    if (r.kind == FaultKind::kConflictNextPut && method != "PUT" && method != "PATCH") continue;
    if (r.connection == "reused" && sequence_on_connection <= 1) continue;
    if (r.connection == "fresh" && sequence_on_connection > 1) continue;
    if (!std::regex_match(path, e.re)) continue;
    ++r.matched;
    if (r.matched <= r.skip) continue;
    if (r.probability < 1.0) {
      std::uniform_real_distribution<double> draw(0.0, 1.0);
      if (draw(rng_) >= r.probability) continue;
    }
    if (r.count > 0) --r.count;
    ++r.fired;
    return r;
  }
  return std::nullopt;
}

}  // namespace xdrsync::emulator
