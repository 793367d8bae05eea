// No echo, no ping-pong: every effective write of the daemon is attributed to its pair and side
// (by incident id, twin name, or the twin marker in a createAlert body) and compared with what the
// analysts' changes on the OTHER side could need, plus fixed allowances for what xdrsync writes of
// its own accord. The bound, per pair:
//   defender writes <= sentinel-side analyst actions + 3 (deep-link comment, two first-time probes)
//   sentinel writes <= defender-side analyst actions after creation + 4 (twin creation: PUT or
//                      createAlert + finishing PUT, alert-table comment, one description/label update)
//   a merge adds to its target, on each side, the comments of its source pair (its own and those
//   earlier merges carried into it) + 3, and to the source 3 on the Sentinel side (close, label,
//   notice) and 1 on the Defender side.
// Writes beyond the bound, writes to no known pair, and any write in the idle window are echoes.
#include <map>
#include <regex>
#include <set>

#include "canon.h"
#include "oracle.h"

namespace xdrsync::chaos {

namespace {

struct Budget {
  int64_t allowed[2] = {0, 0};  // by Side
  int64_t used[2] = {0, 0};
};

size_t Index(Side s) { return s == Side::kDefender ? 0 : 1; }

}  // namespace

void CheckWrites(const OracleInput& in, Verdict& v) {
  const History& h = *in.history;
  std::map<std::string, Budget> budgets;  // by link/id
  std::map<std::string, int64_t> comments_of;
  for (const auto& [key, info] : h.incidents) {
    budgets[key].allowed[Index(Side::kDefender)] = 3;
    budgets[key].allowed[Index(Side::kSentinel)] = 4;
  }
  // One analyst action can write several fields at once (a close with its classification).
  std::set<std::tuple<std::string, int64_t, Side>> actions;
  for (const auto& op : h.fields) actions.insert({History::Key(op.link, op.defender_id), op.seq, op.side});
  for (const auto& op : h.tags) actions.insert({History::Key(op.link, op.defender_id), op.seq, op.side});
  for (const auto& [key, seq, side] : actions) {
    auto it = h.incidents.find(key);
    if (it == h.incidents.end() || it->second.created_seq == seq) continue;  // creation: its own allowance
    budgets[key].allowed[Index(side == Side::kDefender ? Side::kSentinel : Side::kDefender)] += 1;
  }
  for (const auto& c : h.comments) {
    const std::string key = History::Key(c.link, c.defender_id);
    budgets[key].allowed[Index(c.side == Side::kDefender ? Side::kSentinel : Side::kDefender)] += 1;
    ++comments_of[key];
  }
  // In the order they happened: a merge's target holds its source's comments from then on, so a
  // later merge of that target carries them on once more (a chain: A into B, then B into C).
  for (const auto& m : h.merges) {
    const std::string source = History::Key(m.link, m.source), target = History::Key(m.link, m.target);
    for (size_t s = 0; s < 2; ++s) budgets[target].allowed[s] += comments_of[source] + 3;
    budgets[source].allowed[Index(Side::kSentinel)] += 3;
    budgets[source].allowed[Index(Side::kDefender)] += 1;
    comments_of[target] += comments_of[source];
  }

  // Where each write lands.
  std::map<std::string, std::pair<std::string, Side>> graph_ids;  // Graph id -> pair, side
  std::map<std::string, std::string> arm_names;                   // workspace/name -> pair
  std::map<std::string, std::string> markers;                     // twin uuid -> pair
  for (const auto& link : Links()) {
    const LinkView& view = in.world->View(link);
    for (const auto& [id, d] : view.defender) {
      const std::string key = History::Key(link.name, id);
      graph_ids[id] = {key, Side::kDefender};
      markers[view.marker_of.at(id)] = key;
      for (const auto& t : view.twins.at(id)) arm_names[Lower(link.workspace + "/" + StrAt(t, "name"))] = key;
    }
    for (const auto& [hub_id, id] : view.home_ids) graph_ids[hub_id] = {History::Key(link.name, id), Side::kSentinel};
  }
  static const std::regex graph_path("^/(?:v1\\.0|beta)/security/incidents/([^/]+)(?:/comments)?$");
  static const std::regex arm_path("/workspaces/([^/]+)/providers/microsoft\\.securityinsights/incidents/([^/]+)(?:/comments/[^/]+)?$",
                                   std::regex::icase);
  static const std::regex marker("xdrsync:([0-9a-f-]{36})");
  int64_t unattributed = 0;
  for (const auto& w : in.log->writes()) {
    if (!w.effective()) continue;
    ++v.writes;
    std::smatch m;
    std::string key;
    Side side = Side::kSentinel;
    if (std::regex_search(w.path, m, graph_path)) {
      auto it = graph_ids.find(m[1].str());
      if (it != graph_ids.end()) std::tie(key, side) = it->second;
    } else if (std::regex_search(w.path, m, arm_path)) {
      auto it = arm_names.find(Lower(m[1].str() + "/" + m[2].str()));
      if (it != arm_names.end()) key = it->second;
    } else if (w.path.find("/createAlert") != std::string::npos && std::regex_search(w.body, m, marker)) {
      auto it = markers.find(m[1].str());
      if (it != markers.end()) key = it->second;
    }
    if (key.empty()) {
      ++unattributed;
      v.problems.push_back("write to no known pair: " + w.method + " " + w.path + " -> " + std::to_string(w.status));
      continue;
    }
    ++budgets[key].used[Index(side)];
  }
  v.echoes += unattributed;
  for (const auto& [key, b] : budgets) {
    for (size_t s = 0; s < 2; ++s) {
      if (b.used[s] <= b.allowed[s]) continue;
      v.echoes += b.used[s] - b.allowed[s];
      v.problems.push_back(key + (s == 0 ? " defender" : " sentinel") + ": " + std::to_string(b.used[s]) +
                           " writes, at most " + std::to_string(b.allowed[s]) + " needed");
    }
  }
  if (in.idle_writes > 0) {
    v.echoes += in.idle_writes;
    v.problems.push_back(std::to_string(in.idle_writes) + " writes during the idle window after settling");
  }
}

}  // namespace xdrsync::chaos
