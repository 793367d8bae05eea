#include "analyst.h"

#include <algorithm>

#include "canon.h"

namespace xdrsync::chaos {

using nlohmann::json;

namespace {

constexpr const char* kTags[] = {"t-red", "t-blue", "t-green", "t-ops", "t-vip"};
constexpr const char* kSeverities[] = {"informational", "low", "medium", "high"};

// Defender classification with a determination that belongs to it, and its Sentinel counterpart.
struct Verdict {
  const char* classification;
  const char* determination;
  const char* sentinel;
  const char* reason;  // nullptr: none
};
constexpr Verdict kVerdicts[] = {
    {"truePositive", "malware", "TruePositive", "SuspiciousActivity"},
    {"truePositive", "phishing", "TruePositive", "SuspiciousActivity"},
    {"falsePositive", "notMalicious", "FalsePositive", "InaccurateData"},
    {"falsePositive", "notEnoughDataToValidate", "FalsePositive", "IncorrectAlertLogic"},
    {"informationalExpectedActivity", "securityTesting", "BenignPositive", "SuspiciousButExpected"},
    {"unknown", "unknown", "Undetermined", nullptr},
};

// The detail beside a classification, as the daemon compares it: Defender's determination
// ("unknown" is none), Sentinel's classification reason (none for Undetermined).
std::string Determination(const std::string& determination) {
  return Lower(determination) == "unknown" ? std::string() : Lower(determination);
}
std::string DeterminationOf(const json& defender) { return Determination(StrAt(defender, "determination")); }
std::string Reason(const json& twin) {
  const json props = twin.value("properties", json::object());
  return CanonSentinelClassification(StrAt(props, "classification")).empty() ? std::string()
                                                                              : StrAt(props, "classificationReason");
}

std::string TenantAuthor(const ChaosLink& link) { return link.defender_owners.front(); }
std::string SentinelAuthor(const ChaosLink& link) { return link.sentinel_owners.front(); }

}  // namespace

std::string Analyst::Token() { return "chaos-" + std::to_string(seed_) + "-" + std::to_string(++tokens_); }

void Analyst::CreateIncident(const ChaosLink& link) {
  int alerts = 0;
  const double roll = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (roll < 0.06 && big_incidents_ < 3) {
    alerts = std::uniform_int_distribution<int>(151, 400)(rng_);
    ++big_incidents_;
  } else if (roll < 0.30) {
    alerts = std::uniform_int_distribution<int>(4, 30)(rng_);
  } else if (roll < 0.80) {
    alerts = std::uniform_int_distribution<int>(1, 3)(rng_);
  }
  // The title must not carry a comment token: alert rows in xdrsync's alert-table comment quote it.
  json spec = {{"displayName", "Chaos incident " + std::to_string(seed_) + "/" + std::to_string(++incidents_)},
               {"severity", kSeverities[Pick(4)]},
               {"alertCount", alerts},
               {"author", TenantAuthor(link)}};
  std::vector<std::string> comments;
  if (Chance(0.3)) comments.push_back("first note " + Token());
  if (!comments.empty()) spec["comments"] = comments;
  std::vector<std::string> tags;
  if (Chance(0.3)) tags.push_back(kTags[Pick(5)]);
  if (!tags.empty()) spec["customTags"] = tags;
  std::string owner;
  if (Chance(0.4)) owner = link.defender_owners[Pick(link.defender_owners.size())];
  if (!owner.empty()) spec["assignedTo"] = owner;
  const std::string status = Chance(0.2) ? "inProgress" : "active";
  spec["status"] = status;
  const ControlReply r = emu_.Call("POST", "/tenants/" + link.tenant + "/incidents", spec);
  if (!r.ok()) {
    ++failed_calls_;
    return;
  }
  ++history_.analyst_changes;
  const std::string id = StrAt(r.body, "id");
  const int64_t seq = history_.Seq();
  const auto now = std::chrono::steady_clock::now();
  history_.incidents[History::Key(link.name, id)] = {link.name, id, seq, alerts, false, false};
  history_.fields.push_back({seq, now, link.name, id, Side::kDefender, "status", CanonDefenderStatus(status)});
  history_.fields.push_back({seq, now, link.name, id, Side::kDefender, "owner", OwnerToSentinel(link, owner)});
  history_.fields.push_back({seq, now, link.name, id, Side::kDefender, "classification", ""});
  for (const auto& t : tags) history_.tags.push_back({seq, now, link.name, id, Side::kDefender, t, true});
  for (const auto& c : comments) history_.comments.push_back({link.name, id, Side::kDefender, c.substr(c.find("chaos-"))});
}

bool Analyst::PickTarget(const WorldIndex& world, bool need_twin, Target* out) {
  const ChaosLink& link = Links()[Pick(Links().size())];
  std::vector<std::string> ids;
  for (const auto& [key, info] : history_.incidents) {
    if (info.link != link.name || info.merged_away || !world.Defender(link, info.id)) continue;
    if (need_twin && !world.Twin(link, info.id)) continue;
    ids.push_back(info.id);
  }
  if (ids.empty()) return false;
  out->link = &link;
  out->id = ids[Pick(ids.size())];
  out->defender = world.Defender(link, out->id);
  out->twin = world.Twin(link, out->id);
  return StrAt(*out->defender, "status") != "redirected";
}

void Analyst::RecordField(const Target& t, Side side, const std::string& field, const std::string& before,
                          const std::string& after, int64_t seq) {
  history_.fields.push_back({seq, std::chrono::steady_clock::now(), t.link->name, t.id, side, field, after, before == after});
}

void Analyst::RecordChange(const Target& t, Side side, const std::string& field, const std::string& before_raw,
                           const std::string& after_raw, const std::string& canon, int64_t seq) {
  history_.fields.push_back(
      {seq, std::chrono::steady_clock::now(), t.link->name, t.id, side, field, canon, before_raw == after_raw});
}

bool Analyst::PatchDefender(const Target& t, json spec) {
  spec["author"] = TenantAuthor(*t.link);
  const ControlReply r = emu_.Call("PATCH", "/tenants/" + t.link->tenant + "/incidents/" + t.id, spec);
  if (!r.ok()) ++failed_calls_;
  if (r.ok()) ++history_.analyst_changes;
  return r.ok();
}

bool Analyst::PatchSentinel(const Target& t, json properties) {
  properties["author"] = SentinelAuthor(*t.link);
  const ControlReply r = emu_.Call(
      "PATCH", "/workspaces/" + t.link->workspace + "/incidents/" + StrAt(*t.twin, "name"), properties);
  if (!r.ok()) ++failed_calls_;
  if (r.ok()) ++history_.analyst_changes;
  return r.ok();
}

std::string Analyst::Status(const Target& t, Side side, bool classify, bool reopen) {
  const Canon now = side == Side::kDefender ? CanonOfDefender(*t.link, *t.defender) : CanonOfSentinel(*t.twin);
  const Verdict& v = kVerdicts[Pick(std::size(kVerdicts))];
  const int64_t seq = history_.Seq();
  if (side == Side::kDefender) {
    const std::string before = StrAt(*t.defender, "status");
    std::vector<std::string> options = reopen ? std::vector<std::string>{"active", "inProgress"}
                                              : std::vector<std::string>{"active", "inProgress", "resolved", "awaitingAction"};
    if (classify) options = {"resolved"};
    std::erase(options, before);
    if (options.empty() && !classify) return "noop";
    const std::string status = options.empty() ? before : options[Pick(options.size())];
    json spec = {{"status", status}};
    const bool with_verdict = classify || (status == "resolved" && Chance(0.5));
    if (with_verdict) {
      spec["classification"] = v.classification;
      spec["determination"] = v.determination;
    }
    if (!PatchDefender(t, spec)) return "defender status failed";
    // Defender's statuses are finer than the canon (inProgress and awaitingAction are both
    // Active): a change between them is a change the daemon weighs, so it is recorded.
    RecordChange(t, side, "status", Lower(before), Lower(status), CanonDefenderStatus(status), seq);
    if (with_verdict) {
      // The determination is part of Defender's classification for the sync: a change of it alone
      // is a change the daemon propagates (or weighs in a conflict), so it is recorded too.
      const std::string after = CanonDefenderClassification(v.classification);
      RecordChange(t, side, "classification", now.fields.at("classification") + "/" + DeterminationOf(*t.defender),
                   after + "/" + Determination(v.determination), after, seq);
    }
    return "defender status " + status + (with_verdict ? std::string(" ") + v.classification : "");
  }
  const std::string before = StrAt(t.twin->value("properties", json::object()), "status");
  std::vector<std::string> options = reopen ? std::vector<std::string>{"New", "Active"}
                                            : std::vector<std::string>{"New", "Active", "Closed"};
  if (classify) options = {"Closed"};
  std::erase(options, before);
  if (options.empty() && !classify) return "noop";
  const std::string status = options.empty() ? before : options[Pick(options.size())];
  json props = {{"status", status}};
  const bool with_verdict = status == "Closed";
  if (with_verdict) {
    props["classification"] = v.sentinel;
    props["classificationReason"] = v.reason ? json(v.reason) : json(nullptr);
  }
  if (!PatchSentinel(t, props)) return "sentinel status failed";
  RecordField(t, side, "status", now.fields.at("status"), CanonSentinelStatus(status), seq);
  if (with_verdict) {
    const std::string after = CanonSentinelClassification(v.sentinel);
    RecordChange(t, side, "classification", now.fields.at("classification") + "/" + Reason(*t.twin),
                 after + "/" + (v.reason ? v.reason : ""), after, seq);
  }
  return "sentinel status " + status + (with_verdict ? std::string(" ") + v.sentinel : "");
}

std::string Analyst::Owner(const Target& t, Side side) {
  const Canon now = side == Side::kDefender ? CanonOfDefender(*t.link, *t.defender) : CanonOfSentinel(*t.twin);
  const auto& pool = side == Side::kDefender ? t.link->defender_owners : t.link->sentinel_owners;
  const std::string owner = Chance(0.15) ? "" : pool[Pick(pool.size())];
  const int64_t seq = history_.Seq();
  if (side == Side::kDefender) {
    if (!PatchDefender(t, {{"assignedTo", owner.empty() ? json(nullptr) : json(owner)}})) return "defender owner failed";
    RecordField(t, side, "owner", now.fields.at("owner"), OwnerToSentinel(*t.link, owner), seq);
    return "defender owner " + owner;
  }
  const json value = owner.empty() ? json(nullptr)
                                   : json{{"userPrincipalName", owner}, {"email", owner},
                                          {"assignedTo", owner.substr(0, owner.find('@'))}, {"ownerType", "User"}};
  if (!PatchSentinel(t, {{"owner", value}})) return "sentinel owner failed";
  RecordField(t, side, "owner", now.fields.at("owner"), Lower(owner), seq);
  return "sentinel owner " + owner;
}

std::string Analyst::Tag(const Target& t, Side side) {
  const std::string tag = kTags[Pick(std::size(kTags))];
  const int64_t seq = history_.Seq();
  if (side == Side::kDefender) {
    json tags = t.defender->value("customTags", json::array());
    const auto it = std::find(tags.begin(), tags.end(), tag);
    const bool add = it == tags.end();
    if (add) tags.push_back(tag);
    else tags.erase(it);
    if (!PatchDefender(t, {{"customTags", tags}})) return "defender tags failed";
    history_.tags.push_back({seq, std::chrono::steady_clock::now(), t.link->name, t.id, side, tag, add});
    return std::string("defender tag ") + (add ? "+" : "-") + tag;
  }
  // The analyst edits the label list as the portal shows it: every other label stays.
  json labels = t.twin->value("properties", json::object()).value("labels", json::array());
  json next = json::array();
  bool had = false;
  for (const auto& l : labels) {
    if (StrAt(l, "labelName") == tag) had = true;
    else next.push_back(l);
  }
  if (!had) next.push_back({{"labelName", tag}, {"labelType", "User"}});
  if (!PatchSentinel(t, {{"labels", next}})) return "sentinel labels failed";
  history_.tags.push_back({seq, std::chrono::steady_clock::now(), t.link->name, t.id, side, tag, !had});
  return std::string("sentinel label ") + (had ? "-" : "+") + tag;
}

std::string Analyst::Comment(const Target& t, Side side) {
  int& n = comments_per_pair_[History::Key(t.link->name, t.id)];
  if (n >= 12) return "noop (comment budget of the pair spent)";  // far below Sentinel's 100
  const std::string token = Token();
  ControlReply r;
  if (side == Side::kDefender) {
    r = emu_.Call("POST", "/tenants/" + t.link->tenant + "/incidents/" + t.id + "/comments",
                  {{"comment", "analyst note " + token}, {"author", TenantAuthor(*t.link)}});
  } else {
    r = emu_.Call("POST", "/workspaces/" + t.link->workspace + "/incidents/" + StrAt(*t.twin, "name") + "/comments",
                  {{"message", "soc note " + token}, {"author", SentinelAuthor(*t.link)}});
  }
  if (!r.ok()) {
    ++failed_calls_;
    return "comment failed";
  }
  ++n;
  ++history_.analyst_changes;
  history_.comments.push_back({t.link->name, t.id, side, token});
  return std::string(side == Side::kDefender ? "defender" : "sentinel") + " comment " + token;
}

std::string Analyst::Merge(const WorldIndex& world) {
  const ChaosLink& link = Links()[Pick(Links().size())];
  std::vector<std::string> open;
  for (const auto& [key, info] : history_.incidents) {
    const json* d = info.link == link.name && !info.merged_away ? world.Defender(link, info.id) : nullptr;
    const std::string status = d ? StrAt(*d, "status") : "";
    if (d && status != "resolved" && status != "redirected") open.push_back(info.id);
  }
  if (open.size() < 2) return "noop (nothing to merge)";
  const std::string source = open[Pick(open.size())];
  std::erase(open, source);
  const std::string target = open[Pick(open.size())];
  const ControlReply r = emu_.Call("POST", "/tenants/" + link.tenant + "/merge", {{"source", source}, {"target", target}});
  if (!r.ok()) {
    ++failed_calls_;
    return "merge failed";
  }
  ++history_.analyst_changes;
  history_.merges.push_back({link.name, source, target});
  history_.incidents[History::Key(link.name, source)].merged_away = true;
  history_.incidents[History::Key(link.name, target)].merge_target = true;
  return "merge " + source + " -> " + target;
}

std::string Analyst::Step(const WorldIndex& world) {
  const double roll = std::uniform_real_distribution<double>(0, 100)(rng_);
  if (roll < 12) {
    const ChaosLink& link = Links()[Pick(Links().size())];
    CreateIncident(link);
    return "new incident in " + link.name;
  }
  if (roll < 15) return Merge(world);
  const bool sentinel_side = Chance(0.5);
  Target t;
  if (!PickTarget(world, sentinel_side || roll >= 90, &t)) return "noop (no target)";
  const Side side = sentinel_side ? Side::kSentinel : Side::kDefender;
  // Named with its incident, so a --verbose run lines up with the daemon's log.
  return t.link->name + "/" + t.id + ": " + Act(t, side, roll);
}

std::string Analyst::Act(const Target& t, Side side, double roll) {
  if (roll < 27) return Status(t, side, false, false);
  if (roll < 38) return Owner(t, side);
  if (roll < 47) return Status(t, side, true, false);
  if (roll < 59) return Tag(t, side);
  if (roll < 75) return Comment(t, side);
  if (roll < 82) {
    const bool closed = CanonOfDefender(*t.link, *t.defender).fields.at("status") == "Closed";
    if (!closed || (side == Side::kSentinel && !t.twin)) return Status(t, side, true, false);
    return Status(t, side, false, true) + " (reopen)";
  }
  if (roll < 90) return Comment(t, side);
  // The same field on both sides at once: Defender first, Sentinel right after.
  switch (Pick(3)) {
    case 0: return Status(t, Side::kDefender, false, false) + " | " + Status(t, Side::kSentinel, false, false);
    case 1: return Owner(t, Side::kDefender) + " | " + Owner(t, Side::kSentinel);
    default: return Tag(t, Side::kDefender) + " | " + Tag(t, Side::kSentinel);
  }
}

}  // namespace xdrsync::chaos
