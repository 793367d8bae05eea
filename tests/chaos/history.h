// What the analysts did during a run, in the order the harness did it: the input of the oracle.
// Values are in canon form (canon.h), so a Defender write and a Sentinel write compare directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace xdrsync::chaos {

enum class Side { kDefender, kSentinel };

struct FieldOp {
  int64_t seq = 0;
  std::chrono::steady_clock::time_point when;
  std::string link, defender_id;
  Side side = Side::kDefender;
  std::string field;  // status, owner, classification
  std::string value;  // canon
  // The side already held this value in the world the step read, so the write may have changed
  // nothing the daemon can see; or the daemon wrote another value in between and it was a change.
  // Either outcome is right: such a write is never "the last write", but the final value may be it.
  bool maybe_noop = false;
};

struct TagOp {
  int64_t seq = 0;
  std::chrono::steady_clock::time_point when;
  std::string link, defender_id;
  Side side = Side::kDefender;
  std::string tag;
  bool add = true;
};

struct CommentOp {
  std::string link, defender_id;
  Side side = Side::kDefender;
  std::string token;  // unique text in the comment
};

struct IncidentInfo {
  std::string link, id;
  int64_t created_seq = 0;
  int alerts = 0;
  bool merged_away = false;   // redirected into another incident
  bool merge_target = false;  // received another incident's alerts and tags
};

struct History {
  int64_t next_seq = 1;
  int64_t analyst_changes = 0;  // control calls that changed something
  std::vector<FieldOp> fields;
  std::vector<TagOp> tags;
  std::vector<CommentOp> comments;
  std::map<std::string, IncidentInfo> incidents;  // by link + "/" + id
  struct Merge {
    std::string link, source, target;
  };
  std::vector<Merge> merges;

  int64_t Seq() { return next_seq++; }
  static std::string Key(const std::string& link, const std::string& id) { return link + "/" + id; }
};

}  // namespace xdrsync::chaos
