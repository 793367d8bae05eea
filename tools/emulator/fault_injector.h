// Fault rules matched per request (method + path regex or glob), drawn from a seeded RNG so a
// chaos run replays exactly. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xdrsync::emulator {

enum class FaultKind {
  kStatus,           // reply `status` (429/500/503/504...) with the service's error body
  kLatency,          // wait latency_ms, then serve normally
  kHang,             // never answer (until hang_ms passes or the emulator stops)
  kReset,            // TCP reset before the request is applied
  kTruncate,         // apply, then send half the body and close
  kDropAfterApply,   // apply, then close without a reply (the reply is lost)
  kMalformedJson,    // apply, then send a body that is not JSON
  kUnknownEnum,      // apply, then replace `field` in the reply with `enum_value`
  kConflictNextPut,  // the next matching PUT/PATCH gets 409 and is not applied
  kReplaceBody,      // apply, then send `body` (or the bytes of `body_file`) in place of the reply
};

struct FaultRule {
  std::string id;
  std::string method = "*";
  std::string path_regex;  // ECMAScript regex over the decoded path; or set path_glob
  std::string path_glob;   // '*' = any run of characters except '/', '**' = anything
  FaultKind kind = FaultKind::kStatus;
  double probability = 1.0;
  int count = -1;          // fires at most this often; -1 = unlimited
  int skip = 0;            // let this many matching requests pass first
  // Connection condition: "any", "reused" (only a request that is not the first on its kept-alive
  // connection: the case in which an HTTP client may silently resend) or "fresh" (only the first).
  std::string connection = "any";
  int status = 500;
  int latency_ms = 0;
  int hang_ms = 120000;
  double retry_after_s = 1.0;
  std::string field = "status";
  std::string enum_value = "someFutureValue";
  std::string body;       // kReplaceBody: the reply body as text
  std::string body_file;  // kReplaceBody: a file read each time the rule fires (any bytes)
  int fired = 0;
  int matched = 0;
};

// JSON <-> rule; kinds by name: "status" (or "429","500","503","504"), "latency", "hang",
// "reset", "truncate", "drop_after_apply", "malformed_json", "unknown_enum", "conflict_next_put",
// "replace_body".
bool FaultRuleFromJson(const nlohmann::json& j, FaultRule* out, std::string* error);
nlohmann::json FaultRuleToJson(const FaultRule& rule);
// The body a kReplaceBody rule serves: `body_file`'s bytes when set (a note saying it cannot be
// read otherwise, so the test sees the mistake), else `body`.
std::string ReplacementBody(const FaultRule& rule);

class FaultInjector {
 public:
  explicit FaultInjector(uint64_t seed) : rng_(seed) {}
  std::string Add(FaultRule rule);  // returns the rule id (generated when empty)
  bool Remove(const std::string& id);
  void Clear();
  void Reseed(uint64_t seed);
  nlohmann::json List() const;
  // The first rule that matches and fires for this request, consuming its count.
  // `sequence_on_connection` is 1 for the first request on its connection.
  std::optional<FaultRule> Draw(const std::string& method, const std::string& path, int sequence_on_connection = 1);

 private:
  struct Entry {
    FaultRule rule;
    std::regex re;
  };
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::vector<Entry> entries_;
  int next_id_ = 1;
};

}  // namespace xdrsync::emulator
