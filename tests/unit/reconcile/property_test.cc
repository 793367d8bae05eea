// Seeded property test: thousands of random analyst histories on two in-memory sides (lossy
// mappings, owner maps across tenants, merges, concurrent edits between plan and write). After each
// burst of edits the sides must converge within two cycles (three when an edit raced a write), a
// further cycle must plan nothing, and every analyst change must end on both sides or in the
// conflict journal. XDRSYNC_PROPERTY_HISTORIES and XDRSYNC_PROPERTY_SEED override the defaults.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>

#include "world.h"
#include "xdrsync/domain/comments.h"

namespace xdrsync::reconcile::testing {
namespace {

using domain::Field;

struct Edit {
  std::string pair;
  Side side;
  Field field;
  std::string value;
  int seq = 0;  // order of the edit within the round
};

class History {
 public:
  explicit History(uint64_t seed, bool trace = false, bool digest_bases = false)
      : rng_(seed), w_(RandomPolicy()), trace_(trace) {
    w_.digest_bases = digest_bases;
  }

  // Returns an empty string when every property held, else what broke.
  std::string Run() {
    const int initial = Pick(1, 4);
    for (int i = 0; i < initial; ++i) NewIncident();
    if (auto e = Settle(false); !e.empty()) return "initial: " + e;
    const int rounds = Pick(1, 5);
    for (int r = 0; r < rounds; ++r) {
      round_edits_.clear();
      merged_this_round_.clear();
      merge_targets_.clear();
      start_tags_ = CurrentTags();
      start_values_ = CurrentValues();
      start_pairs_ = w_.pairs;
      const int actions = Pick(1, 5);
      for (int a = 0; a < actions; ++a) RandomAction();
      const bool race = Chance(0.25);
      race_ = race;
      if (auto e = Settle(race); !e.empty()) return "round " + std::to_string(r) + ": " + e;
      if (auto e = Check(); !e.empty()) return "round " + std::to_string(r) + ": " + e;
    }
    return "";
  }

 private:
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& OneOf(const std::vector<T>& v) { return v[static_cast<size_t>(Pick(0, static_cast<int>(v.size()) - 1))]; }

  LinkPolicy RandomPolicy() {
    LinkPolicy p = LinkPolicy::Defaults(LinkMode::kMirror);
    p.digest_min_interval_seconds = 0;
    p.newest_min_gap_seconds = Chance(0.5) ? 60 : 0;
    p.tie_side = Chance(0.5) ? Side::kDefender : Side::kSentinel;
    p.mapping.title_prefix = Chance(0.5) ? "[contoso] " : "";
    p.mapping.owners.domains = {{"contoso.com", "fabrikam.com"}};
    p.mapping.owners.unmapped =
        Chance(0.5) ? domain::OwnerMap::Unmapped::kCopyAsIs : domain::OwnerMap::Unmapped::kKeepUnassigned;
    const std::vector<ConflictPolicy> policies = {ConflictPolicy::kNewest, ConflictPolicy::kNewest,
                                                  ConflictPolicy::kDefenderWins, ConflictPolicy::kSentinelWins,
                                                  ConflictPolicy::kManual};
    for (auto& c : p.conflicts) c = OneOf(policies);
    return p;
  }

  std::vector<std::string> LivePairs() const {
    std::vector<std::string> out;
    for (const auto& [id, pair] : w_.pairs) {
      if (pair.kind == PairKind::kActive && w_.defender.at(id).status.value != domain::DStatus::kRedirected &&
          w_.sentinel.count(pair.sentinel_id)) {
        out.push_back(id);
      }
    }
    return out;
  }

  void NewIncident() {
    auto& d = w_.NewDefender("inc" + std::to_string(++next_id_));
    d.severity = domain::ParseDSeverity(OneOf<std::string>({"low", "medium", "high", "informational", "unknown"}));
    if (Chance(0.3)) d.assigned_to = OneOf<std::string>({"alice@contoso.com", "eve@elsewhere.org"});
    if (Chance(0.3)) d.custom_tags = {OneOf<std::string>({"t1", "t2"})};
    if (Chance(0.3)) w_.DefenderComment(d.id, "initial note " + d.id, "alice@contoso.com");
  }

  void Record(const std::string& pair, Side side, Field f, const std::string& value) {
    if (trace_) {
      std::fprintf(stderr, "edit %s %s %s = '%s'\n", pair.c_str(), std::string(domain::SideName(side)).c_str(),
                   std::string(domain::FieldName(f)).c_str(), value.c_str());
    }
    round_edits_[{pair, static_cast<int>(side), static_cast<int>(f)}] = {pair, side, f, value, ++edit_seq_};
  }

  void RandomAction() {
    const auto live = LivePairs();
    const int kind = Pick(0, 99);
    if (kind < 8 || live.empty()) {
      NewIncident();
    } else if (kind < 14 && live.size() >= 2) {
      const std::string a = OneOf(live);
      std::string b = OneOf(live);
      if (a == b) return;
      w_.Merge(a, b);
      merged_this_round_.insert(a);
      merge_targets_.insert(b);  // Defender moved a's tags onto it
    } else if (kind < 57) {
      DefenderEdit(OneOf(live));
    } else {
      SentinelEdit(OneOf(live));
    }
  }

  void DefenderEdit(const std::string& id) {
    auto& d = w_.defender.at(id);
    const int what = Pick(0, 7);
    switch (what) {
      case 0: d.status = domain::ParseDStatus(OneOf<std::string>({"active", "inProgress", "awaitingAction", "resolved"})); break;
      case 1: {
        const std::string o = OneOf<std::string>({"", "alice@contoso.com", "bob@contoso.com", "eve@elsewhere.org", "SOC Group"});
        d.assigned_to = o.empty() ? std::nullopt : std::optional<std::string>(o);
        break;
      }
      case 2: {
        const auto [c, det] = OneOf<std::pair<std::string, std::string>>(
            {{"", ""}, {"truePositive", "malware"}, {"truePositive", "phishing"}, {"truePositive", ""},
             {"falsePositive", "notMalicious"}, {"informationalExpectedActivity", "securityTesting"},
             {"informationalExpectedActivity", "other"}});
        d.classification = c.empty() ? std::nullopt : std::optional(domain::ParseDClassification(c));
        d.determination = det.empty() ? std::nullopt : std::optional(domain::ParseDDetermination(det));
        break;
      }
      case 3: d.resolving_comment = "closing note " + std::to_string(Pick(0, 9)); break;
      case 4: d.severity = domain::ParseDSeverity(OneOf<std::string>({"low", "medium", "high"})); break;
      case 5: d.display_name = "renamed " + std::to_string(Pick(0, 99)); break;
      case 6: {
        const std::string t = OneOf<std::string>({"t1", "t2", "t3"});
        auto it = std::find(d.custom_tags.begin(), d.custom_tags.end(), t);
        if (it == d.custom_tags.end()) d.custom_tags.push_back(t); else d.custom_tags.erase(it);
        break;
      }
      default:
        w_.DefenderComment(id, "defender note " + std::to_string(++comment_seq_), "alice@contoso.com");
        return;
    }
    w_.TouchDefender(id);
    const Field f = what == 0 ? Field::kStatus : what == 1 ? Field::kOwner : what == 2 ? Field::kClassification
                    : what == 3 ? Field::kClosingComment : what == 4 ? Field::kSeverity : what == 5 ? Field::kTitle
                                                                                                    : Field::kTags;
    Record(id, Side::kDefender, f, DefenderValues(d)[f]);
  }

  void SentinelEdit(const std::string& id) {
    auto& s = w_.Twin(id);
    const int what = Pick(0, 5);
    auto classify = [&] {
      const auto [c, r] = OneOf<std::pair<std::string, std::string>>(
          {{"TruePositive", "SuspiciousActivity"}, {"BenignPositive", "SuspiciousButExpected"},
           {"FalsePositive", "IncorrectAlertLogic"}, {"FalsePositive", "InaccurateData"}, {"Undetermined", ""}});
      s.classification = domain::ParseSClassification(c);
      s.classification_reason = r.empty() ? std::nullopt : std::optional(domain::ParseSReason(r));
    };
    std::vector<Field> fields;
    switch (what) {
      case 0:
        s.status = domain::ParseSStatus(OneOf<std::string>({"New", "Active", "Closed"}));
        fields.push_back(Field::kStatus);
        if (s.status.value == domain::SStatus::kClosed && !s.classification) {
          classify();  // Sentinel refuses Closed without a classification
          fields.push_back(Field::kClassification);
        }
        break;
      case 1: {
        const std::string o = OneOf<std::string>({"", "alice@fabrikam.com", "bob@fabrikam.com", "zed@other.org"});
        if (o.empty()) s.owner.reset();
        else s.owner = domain::SentinelOwner{"", o, "", o, domain::ParseSOwnerType("User")};
        fields.push_back(Field::kOwner);
        break;
      }
      case 2: classify(); fields.push_back(Field::kClassification); break;
      case 3: s.classification_comment = "sentinel closing " + std::to_string(Pick(0, 9)); fields.push_back(Field::kClosingComment); break;
      case 4: {
        const std::string t = OneOf<std::string>({"t1", "t2", "t3"});
        if (domain::HasLabel(s, t)) std::erase_if(s.labels, [&](const auto& l) { return l.name == t; });
        else s.labels.push_back({t, "User"});
        fields.push_back(Field::kTags);
        break;
      }
      default:
        w_.SentinelComment(s.name, "sentinel note " + std::to_string(++comment_seq_), "sam@fabrikam.com");
        return;
    }
    w_.TouchSentinel(s.name);
    const auto sv = domain::CanonicalSentinel(s);
    for (Field f : fields) Record(id, Side::kSentinel, f, sv[f]);
  }

  std::string Settle(bool race) {
    journal_start_ = w_.journal.size();
    const int budget = race ? 3 : 2;
    for (int i = 0; i < budget; ++i) {
      std::function<void()> between;
      if (race && i == 0) between = [this] {
        const auto live = LivePairs();
        if (live.empty()) return;
        if (Chance(0.5)) DefenderEdit(OneOf(live)); else SentinelEdit(OneOf(live));
      };
      const Plan p = w_.Cycle(between);
      if (trace_) std::fprintf(stderr, "  cycle %d: %s\n", i, Describe(p).c_str());
    }
    const Plan extra = w_.Cycle();
    if (!extra.empty()) return "a further cycle still plans " + Describe(extra);
    last_conflicts_ = extra.conflicts;
    return "";
  }

  static std::string Describe(const Plan& p) {
    std::ostringstream o;
    o << p.creations.size() << " creations, " << p.sentinel_writes.size() << " sentinel writes, "
      << p.defender_writes.size() << " defender writes, " << p.comments.size() << " comments, "
      << p.base_updates.size() << " base moves, " << p.pairs.size() << " pair changes";
    for (const auto& w : p.sentinel_writes) {
      for (const auto& c : w.changes) o << " [S " << domain::FieldName(c.field) << ": '" << c.from << "' -> '" << c.to << "']";
    }
    for (const auto& w : p.defender_writes) {
      for (const auto& c : w.changes) o << " [D " << domain::FieldName(c.field) << ": '" << c.from << "' -> '" << c.to << "']";
    }
    for (const auto& c : p.comments) o << " [comment " << c.purpose << "]";
    for (const auto& b : p.base_updates) o << " [base " << domain::SideName(b.side) << " " << domain::FieldName(b.field) << "]";
    return o.str();
  }

  bool Journaled(const std::string& pair, Field f) const {
    for (size_t i = journal_start_; i < w_.journal.size(); ++i) {
      if (w_.journal[i].defender_id == pair && w_.journal[i].field == f) return true;
    }
    return false;
  }

  bool OpenManual(const std::string& pair, Field f) const {
    return std::any_of(last_conflicts_.begin(), last_conflicts_.end(), [&](const Conflict& c) {
      return c.defender_id == pair && c.field == f && c.decision == "manual";
    });
  }

  std::map<std::pair<std::string, int>, domain::FieldValues> CurrentValues() const {
    std::map<std::pair<std::string, int>, domain::FieldValues> out;
    for (const auto& id : LivePairs()) {
      out[{id, 0}] = DefenderValues(w_.defender.at(id));
      out[{id, 1}] = domain::CanonicalSentinel(*w_.TwinOf(id));
    }
    return out;
  }

  std::map<std::pair<std::string, int>, std::set<std::string>> CurrentTags() const {
    std::map<std::pair<std::string, int>, std::set<std::string>> out;
    for (const auto& id : LivePairs()) {
      out[{id, 0}] = domain::DecodeSet(DefenderValues(w_.defender.at(id))[Field::kTags]);
      out[{id, 1}] = domain::DecodeSet(domain::CanonicalSentinel(*w_.TwinOf(id))[Field::kTags]);
    }
    return out;
  }

  std::string Check() {
    std::ostringstream err;
    for (const auto& id : LivePairs()) {
      const auto dv = DefenderValues(w_.defender.at(id));
      const auto sv = domain::CanonicalSentinel(*w_.TwinOf(id));
      for (Field f : domain::kAllFields) {
        if (OpenManual(id, f)) continue;
        if (!domain::Agree(f, dv[f], sv[f], w_.policy.mapping)) {
          err << id << " " << domain::FieldName(f) << " diverged: defender '" << dv[f] << "' sentinel '" << sv[f] << "'; ";
        }
      }
    }
    for (const auto& [key, e] : round_edits_) {
      if (merged_this_round_.count(e.pair) || e.field == Field::kTags) continue;
      if (w_.pairs.at(e.pair).kind != PairKind::kActive || !start_pairs_.count(e.pair)) continue;
      // An edit that the same side undid within the round changed nothing.
      auto start = start_values_.find({e.pair, static_cast<int>(e.side)});
      if (start != start_values_.end() && domain::SameValue(e.side, e.field, start->second[e.field], e.value)) continue;
      // Back to the side's base is no change by the spec's definition (observed != base): with a
      // manual conflict open, the other side's pending change then goes through.
      const auto& bases = e.side == Side::kDefender ? start_pairs_.at(e.pair).defender : start_pairs_.at(e.pair).sentinel;
      if (bases[e.field] && domain::SameValue(e.side, e.field, bases[e.field]->value, e.value)) continue;
      // A later edit of the same field on the other side (one that raced a write) supersedes it.
      auto other = round_edits_.find({e.pair, 1 - static_cast<int>(e.side), static_cast<int>(e.field)});
      if (other != round_edits_.end() && other->second.seq > e.seq) continue;
      const std::string now = e.side == Side::kDefender ? DefenderValues(w_.defender.at(e.pair))[e.field]
                                                        : domain::CanonicalSentinel(*w_.TwinOf(e.pair))[e.field];
      if (!domain::SameValue(e.side, e.field, now, e.value) && !Journaled(e.pair, e.field)) {
        err << "lost " << domain::SideName(e.side) << " edit of " << e.pair << " " << domain::FieldName(e.field)
            << " = '" << e.value << "' (now '" << now << "'); ";
      }
    }
    CheckTags(err);
    CheckComments(err);
    return err.str();
  }

  void CheckTags(std::ostringstream& err) {
    const auto end = CurrentTags();
    for (const auto& id : LivePairs()) {
      if (merged_this_round_.count(id) || merge_targets_.count(id) || !start_tags_.count({id, 0})) continue;
      const auto& final_set = end.at({id, 0});
      // What each side's analysts did to the set this round, net.
      std::set<std::string> added[2], removed[2];
      int last_seq[2] = {0, 0};
      for (const auto& [key, e] : round_edits_) {
        if (e.pair == id && e.field == Field::kTags) last_seq[static_cast<int>(e.side)] = e.seq;
      }
      for (const auto& [key, e] : round_edits_) {
        if (e.pair != id || e.field != Field::kTags) continue;
        // Only a race makes one side's tag edit land after the other side's was already synced;
        // then the later edit decides, as for any field.
        if (last_seq[1 - static_cast<int>(e.side)] > e.seq && race_) continue;
        const int s = static_cast<int>(e.side);
        const auto before = start_tags_.at({id, s});
        const auto after = domain::DecodeSet(e.value);
        for (const auto& t : after) if (!before.count(t)) added[s].insert(t);
        for (const auto& t : before) if (!after.count(t)) removed[s].insert(t);
      }
      for (int s = 0; s < 2; ++s) {
        for (const auto& t : added[s]) {
          if (!removed[1 - s].count(t) && !final_set.count(t)) err << id << " lost added tag " << t << "; ";
        }
        for (const auto& t : removed[s]) {
          if (!added[1 - s].count(t) && final_set.count(t)) err << id << " lost removal of tag " << t << "; ";
        }
      }
    }
  }

  void CheckComments(std::ostringstream& err) {
    for (const auto& [id, d] : w_.defender) {
      std::map<std::string, int> seen;
      for (const auto& c : d.comments) {
        if (auto m = domain::FindMarker(c.text); m && ++seen[*m] > 1) err << "duplicate comment in " << id << "; ";
      }
    }
    for (const auto& [name, s] : w_.sentinel) {
      std::map<std::string, int> seen;
      for (const auto& c : s.comments) {
        if (auto m = domain::FindMarker(c.message); m && ++seen[*m] > 1) err << "duplicate comment in twin " << name << "; ";
      }
    }
    std::set<std::string> twins;
    for (const auto& [id, pair] : w_.pairs) {
      if (!twins.insert(pair.sentinel_id).second) err << "two pairs share twin " << pair.sentinel_id << "; ";
    }
    if (w_.sentinel.size() != w_.pairs.size()) err << "twins without pairs; ";
    for (const auto& id : LivePairs()) {
      const auto& d = w_.defender.at(id);
      const auto& s = *w_.TwinOf(id);
      auto has = [](const auto& comments, const std::string& text, auto get) {
        return std::count_if(comments.begin(), comments.end(), [&](const auto& c) {
          return get(c).find(text) != std::string::npos;
        });
      };
      auto d_text = [](const domain::DefenderComment& c) { return c.text; };
      auto s_text = [](const domain::SentinelComment& c) { return c.message; };
      for (const auto& c : d.comments) {
        if (domain::FindMarker(c.text)) continue;
        if (has(s.comments, c.text, s_text) != 1) err << "defender comment '" << c.text << "' not copied once; ";
      }
      for (const auto& c : s.comments) {
        if (domain::FindMarker(c.message)) continue;
        if (has(d.comments, c.message, d_text) != 1) err << "sentinel comment '" << c.message << "' not copied once; ";
      }
    }
  }

  std::mt19937_64 rng_;
  World w_;
  bool trace_ = false;
  bool race_ = false;
  int next_id_ = 0;
  int comment_seq_ = 0;
  int edit_seq_ = 0;
  size_t journal_start_ = 0;
  std::vector<Conflict> last_conflicts_;
  std::map<std::tuple<std::string, int, int>, Edit> round_edits_;
  std::set<std::string> merged_this_round_;
  std::set<std::string> merge_targets_;
  std::map<std::pair<std::string, int>, std::set<std::string>> start_tags_;
  std::map<std::pair<std::string, int>, domain::FieldValues> start_values_;
  std::map<std::string, PairState> start_pairs_;
};

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

void RunHistories(uint64_t histories, bool digest_bases) {
  const uint64_t seed = EnvOr("XDRSYNC_PROPERTY_SEED", 20261126);
  int failures = 0;
  for (uint64_t h = 0; h < histories && failures < 5; ++h) {
    History history(seed + h, std::getenv("XDRSYNC_PROPERTY_TRACE") != nullptr, digest_bases);
    const std::string error = history.Run();
    if (!error.empty()) {
      ++failures;
      ADD_FAILURE() << "history seed " << seed + h << ": " << error;
    }
  }
}

TEST(PropertyTest, RandomHistoriesConvergeWithoutEchoOrLoss) {
  const uint64_t histories = EnvOr("XDRSYNC_PROPERTY_HISTORIES", 10'000);
  RunHistories(histories, false);
  RecordProperty("histories", std::to_string(histories));
}

// The state store keeps long free-text bases as digests: the same histories hold with every
// title, description and closing comment base a digest.
TEST(PropertyTest, RandomHistoriesHoldWithFreeTextBasesKeptAsDigests) {
  const uint64_t histories = EnvOr("XDRSYNC_PROPERTY_HISTORIES", 10'000) / 4;
  RunHistories(histories, true);
  RecordProperty("histories", std::to_string(histories));
}

}  // namespace
}  // namespace xdrsync::reconcile::testing
