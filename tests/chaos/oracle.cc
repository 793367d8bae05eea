#include "oracle.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "canon.h"

namespace xdrsync::chaos {

using nlohmann::json;

namespace {

constexpr auto kConcurrent = std::chrono::seconds(3);  // both sides within three poll intervals

void Problem(Verdict& v, int64_t* counter, const std::string& what) {
  if (counter) ++*counter;
  v.problems.push_back(what);
}

const IncidentInfo* InfoOf(const History& h, const std::string& link, const std::string& id) {
  auto it = h.incidents.find(History::Key(link, id));
  return it == h.incidents.end() ? nullptr : &it->second;
}

// Every in-scope Defender incident has exactly one twin; one merged away before the daemon saw it
// open may have none. No Sentinel incident is a twin of nothing.
void CheckTwins(const OracleInput& in, Verdict& v) {
  for (const auto& link : Links()) {
    const LinkView& view = in.world->View(link);
    for (const auto& [id, twins] : view.twins) {
      const IncidentInfo* info = InfoOf(*in.history, link.name, id);
      size_t n = twins.size();
      if (link.way == "defender-alert") {
        auto h = view.home_twins.find(id);
        n = std::max(n, h == view.home_twins.end() ? size_t{0} : h->second);
      }
      if (n > 1) {
        v.duplicates += static_cast<int64_t>(n - 1);
        v.problems.push_back(link.name + " " + id + ": " + std::to_string(n) + " twins");
      } else if (n == 0 && !(info && info->merged_away)) {
        Problem(v, &v.lost, link.name + " " + id + ": no twin");
      }
    }
  }
}

// The key a comment is known by: the analyst's token, else its text without xdrsync's markers
// (two alert-table comments with different ids but the same rows are one comment written twice).
std::string CommentKey(const std::string& text) {
  static const std::regex token("chaos-[0-9]+-[0-9]+");
  static const std::regex marker("\\[xdrsync:[0-9a-f-]+\\]");
  std::smatch m;
  if (std::regex_search(text, m, token)) return m.str();
  return std::regex_replace(text, marker, "[xdrsync:*]");
}

std::map<std::string, int> CommentKeys(const json& comments, const char* text_key, bool arm) {
  std::map<std::string, int> out;
  for (const auto& c : comments) {
    const std::string text = arm ? StrAt(c.value("properties", json::object()), text_key) : StrAt(c, text_key);
    ++out[CommentKey(text)];
  }
  return out;
}

void CheckComments(const OracleInput& in, Verdict& v) {
  std::map<std::string, std::map<std::string, int>> defender_keys, sentinel_keys;  // by link/id
  for (const auto& link : Links()) {
    const LinkView& view = in.world->View(link);
    for (const auto& [id, d] : view.defender) {
      const std::string key = History::Key(link.name, id);
      defender_keys[key] = CommentKeys(d.value("comments", json::array()), "comment", false);
      for (const auto& twin : view.twins.at(id)) {
        for (const auto& [k, n] : CommentKeys(twin.value("_comments", json::array()), "message", true)) {
          sentinel_keys[key][k] += n;
        }
      }
    }
  }
  for (const auto* side : {&defender_keys, &sentinel_keys}) {
    for (const auto& [incident, keys] : *side) {
      for (const auto& [k, n] : keys) {
        if (n > 1) {
          v.duplicates += n - 1;
          v.problems.push_back(incident + (side == &defender_keys ? " defender" : " sentinel") + ": comment " +
                               k.substr(0, 80) + " x" + std::to_string(n));
        }
      }
    }
  }
  for (const auto& c : in.history->comments) {
    const IncidentInfo* info = InfoOf(*in.history, c.link, c.defender_id);
    if (!info || info->merged_away) continue;  // carried to the survivor; checked there for doubles only
    const std::string key = History::Key(c.link, c.defender_id);
    const bool on_d = defender_keys[key].count(c.token) > 0;
    const bool on_s = sentinel_keys[key].count(c.token) > 0;
    if (!on_d || !on_s) {
      Problem(v, &v.lost, key + ": comment " + c.token + " missing on " + (on_d ? "sentinel" : "defender"));
    }
  }
}

bool Journaled(const OracleInput& in, const std::string& link, const std::string& id, const std::string& field) {
  return in.state->conflicts.count({link, id, field}) > 0;
}

// The analysts' writes by what they wrote to: link/id/field and link/id/tag.
struct Writes {
  std::map<std::string, std::vector<const FieldOp*>> fields;
  std::map<std::string, std::vector<const TagOp*>> tags;
};

Writes WritesOf(const History& h) {
  Writes w;
  for (const auto& op : h.fields) w.fields[History::Key(op.link, op.defender_id) + "/" + op.field].push_back(&op);
  for (const auto& op : h.tags) w.tags[History::Key(op.link, op.defender_id) + "/" + op.tag].push_back(&op);
  return w;
}

// A Defender incident and its one twin, each side in canonical form.
struct Pair {
  std::string link, id;
  std::string key;  // link/id
  Canon defender, sentinel;
};

// After a lost state, a disagreement the daemon journaled is for an operator to settle: counted,
// not a problem.
bool LeftToOperator(const OracleInput& in, const Pair& p, const std::string& field, Verdict& v) {
  if (!in.state_lost || !Journaled(in, p.link, p.id, field)) return false;
  ++v.left_to_operator;
  return true;
}

// Both sides hold the same fields and tags. Returns what they disagree on ("tags" for the tags).
std::set<std::string> CheckAgreement(const OracleInput& in, const Pair& p, Verdict& v) {
  std::set<std::string> disagreeing;
  for (const char* f : kFields) {
    const std::string& d = p.defender.fields.at(f);
    const std::string& s = p.sentinel.fields.at(f);
    if (d != s) {
      disagreeing.insert(f);
      if (LeftToOperator(in, p, f, v)) continue;
      Problem(v, &v.lost, p.key + ": " + f + " defender '" + d + "' sentinel '" + s + "'");
    }
  }
  if (p.defender.tags != p.sentinel.tags && (disagreeing.insert("tags"), !LeftToOperator(in, p, "tags", v))) {
    std::string dt, st;
    for (const auto& t : p.defender.tags) dt += t + ",";
    for (const auto& t : p.sentinel.tags) st += t + ",";
    Problem(v, &v.lost, p.key + ": tags defender {" + dt + "} sentinel {" + st + "}");
  }
  return disagreeing;
}

// A field holds what the conflict policy picks from the analysts' writes to it (`list`): the
// latest one, or, when both sides changed it, the other side's last value with the conflict journaled.
void CheckFieldWrites(const OracleInput& in, const Pair& p, const char* f, const std::vector<const FieldOp*>& list,
                      Verdict& v) {
  const FieldOp* last_d = nullptr;
  const FieldOp* last_s = nullptr;
  for (const FieldOp* op : list) {
    if (!op->maybe_noop) (op->side == Side::kDefender ? last_d : last_s) = op;
  }
  if (!last_d && !last_s) return;
  const FieldOp* latest = last_s && (!last_d || last_s->seq > last_d->seq) ? last_s : last_d;
  const FieldOp* other = latest == last_d ? last_s : last_d;
  const std::string& final_value = p.defender.fields.at(f);
  if (final_value == latest->value) return;
  // A later write of the final value that the step's (older) view of the world took for a
  // no-op: it was a change if the daemon's write landed in between.
  if (std::any_of(list.begin(), list.end(), [&](const FieldOp* op) {
        return op->maybe_noop && op->seq > latest->seq && op->value == final_value;
      })) {
    ++v.ambiguous;
    return;
  }
  if (other && final_value == other->value) {
    if (Journaled(in, p.link, p.id, f)) return;
    if (latest->when - other->when < kConcurrent) {
      ++v.ambiguous;
      return;
    }
  }
  Problem(v, &v.lost, p.key + ": " + f + " is '" + final_value + "', the analysts last wrote '" + latest->value +
                          (other ? "' (other side '" + other->value + "')" : "'"));
}

// Each tag the analysts touched is present or absent as their last write to it left it.
void CheckTagWrites(const OracleInput& in, const Pair& p, const std::map<std::string, std::vector<const TagOp*>>& tags,
                    Verdict& v) {
  for (const auto& [tk, list] : tags) {
    if (tk.rfind(p.key + "/", 0) != 0) continue;
    const TagOp* last = list.back();
    const bool present = p.defender.tags.count(last->tag) > 0;
    if (present == last->add) continue;
    const TagOp* before = list.size() > 1 ? list[list.size() - 2] : nullptr;
    if (before && before->side != last->side && last->when - before->when < kConcurrent) {
      ++v.ambiguous;
      continue;
    }
    // After a lost state, tags that differ between the sides are united (nothing is taken
    // away without a base to say it was removed) and the disagreement journaled: a tag
    // removed while the state was lost can come back, for an operator to see.
    if (!last->add && present && LeftToOperator(in, p, "tags", v)) continue;
    Problem(v, &v.lost, p.key + ": tag " + last->tag + (present ? " present" : " absent") + ", last " +
                            (last->add ? "added" : "removed") + " on " +
                            (last->side == Side::kDefender ? "defender" : "sentinel"));
  }
}

// Agreement of every pair, and no lost change: each field holds what the conflict policy picks
// from the analysts' writes — the latest one, or, when both sides changed, either side's last
// value with the conflict in the journal.
void CheckFields(const OracleInput& in, Verdict& v) {
  const Writes writes = WritesOf(*in.history);
  for (const auto& link : Links()) {
    for (const auto& [id, d] : in.world->View(link).defender) {
      const IncidentInfo* info = InfoOf(*in.history, link.name, id);
      const json* twin = in.world->Twin(link, id);
      if (!info || !twin) continue;  // no pair: counted by CheckTwins
      const Pair p{link.name, id, History::Key(link.name, id), CanonOfDefender(link, d), CanonOfSentinel(*twin)};
      if (info->merged_away) {
        if (p.sentinel.fields.at("status") != "Closed") Problem(v, &v.lost, p.key + ": merged away, twin not closed");
        continue;
      }
      const std::set<std::string> disagreeing = CheckAgreement(in, p, v);
      if (info->merge_target) continue;  // a merge moves fields and tags the analysts did not write here
      for (const char* f : kFields) {
        const auto list = writes.fields.find(p.key + "/" + f);
        if (disagreeing.count(f) || list == writes.fields.end()) continue;
        CheckFieldWrites(in, p, f, list->second, v);
      }
      if (!disagreeing.count("tags")) CheckTagWrites(in, p, writes.tags, v);
    }
  }
}

void CheckState(const OracleInput& in, Verdict& v) {
  if (!in.state->opened) {
    Problem(v, &v.state_errors, "state database not readable");
    return;
  }
  if (in.state->integrity != "ok") Problem(v, &v.state_errors, "integrity_check: " + in.state->integrity);
  if (in.state->outbox != 0) Problem(v, &v.state_errors, "outbox holds " + std::to_string(in.state->outbox) + " rows");
}

}  // namespace

void CheckWrites(const OracleInput& in, Verdict& v);       // write_budget.cc
void CheckPatchGuards(const OracleInput& in, Verdict& v);  // patch_guard.cc

Verdict Check(const OracleInput& in) {
  Verdict v;
  CheckTwins(in, v);
  CheckComments(in, v);
  CheckFields(in, v);
  CheckWrites(in, v);
  CheckPatchGuards(in, v);
  CheckState(in, v);
  return v;
}

}  // namespace xdrsync::chaos
