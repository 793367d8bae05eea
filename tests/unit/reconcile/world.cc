#include "world.h"

#include <algorithm>

#include "xdrsync/domain/comments.h"

namespace xdrsync::reconcile::testing {

using domain::DefenderIncident;
using domain::SentinelIncident;

World::World(LinkPolicy p) : policy(std::move(p)) {
  if (policy.name.empty()) policy.name = "contoso-to-soc";
  if (policy.defender_tenant_id.empty()) policy.defender_tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47";
}

Timestamp World::Tick(int64_t seconds) {
  now = now + seconds;
  return now;
}

std::string World::NextEtag() { return "\"" + std::to_string(++etag_) + "\""; }

DefenderIncident& World::NewDefender(const std::string& id) {
  DefenderIncident d;
  d.id = id;
  d.tenant_id = policy.defender_tenant_id;
  d.display_name = "Incident " + id;
  d.status = domain::ParseDStatus("active");
  d.severity = domain::ParseDSeverity("medium");
  d.web_url = "https://security.microsoft.com/incidents/" + id;
  d.created = Tick();
  d.last_update = d.created;
  d.alerts = std::vector<domain::DefenderAlert>{};
  return defender[id] = d;
}

void World::TouchDefender(const std::string& id, const std::string& who) {
  auto& d = defender.at(id);
  d.last_update = Tick();
  d.last_modified_by = who;
}

void World::TouchSentinel(const std::string& name, const std::string& who) {
  auto& s = sentinel.at(name);
  s.last_modified = Tick();
  s.etag = NextEtag();
  s.last_modified_by = who;
}

void World::DefenderComment(const std::string& id, const std::string& text, const std::string& author) {
  auto& d = defender.at(id);
  d.comments.push_back({text, author, Tick()});
  d.last_update = now;
}

void World::SentinelComment(const std::string& name, const std::string& text, const std::string& author) {
  auto& s = sentinel.at(name);
  domain::SentinelComment c;
  c.id = "c" + std::to_string(++comment_seq_) + "-" + name.substr(0, 8);
  c.message = text;
  c.author_name = author;
  c.author_upn = author;
  c.created = Tick();
  s.comments.push_back(c);
  TouchSentinel(name, author);
}

void World::Merge(const std::string& from, const std::string& into) {
  auto& a = defender.at(from);
  auto& b = defender.at(into);
  a.status = domain::ParseDStatus("redirected");
  a.redirect_incident_id = into;
  for (auto& alert : *a.alerts) {
    alert.incident_id = into;
    b.alerts->push_back(alert);
  }
  a.alerts->clear();
  for (const auto& t : a.custom_tags) {
    if (std::find(b.custom_tags.begin(), b.custom_tags.end(), t) == b.custom_tags.end()) b.custom_tags.push_back(t);
  }
  a.custom_tags.clear();
  TouchDefender(from, "Microsoft Defender XDR - alert correlation");
  TouchDefender(into, "Microsoft Defender XDR - alert correlation");
}

const SentinelIncident* World::TwinOf(const std::string& defender_id) const {
  auto p = pairs.find(defender_id);
  if (p == pairs.end()) return nullptr;
  auto s = sentinel.find(p->second.sentinel_id);
  return s == sentinel.end() ? nullptr : &s->second;
}

SentinelIncident& World::Twin(const std::string& defender_id) {
  return sentinel.at(pairs.at(defender_id).sentinel_id);
}

Plan World::Cycle(const std::function<void()>& between, bool approved) {
  Input in;
  in.policy = &policy;
  in.now = now;
  in.observed.defender = defender;
  in.observed.sentinel = sentinel;
  for (const auto& name : unread_sentinel) in.observed.sentinel.erase(name);
  unread_sentinel.clear();
  in.pairs = pairs;
  in.approved = approved;
  in.remap = remap;
  Plan plan = Reconcile(in);
  journal.insert(journal.end(), plan.conflicts.begin(), plan.conflicts.end());
  if (between) between();
  if (!plan.held) Apply(plan, in);
  plans.push_back(plan);
  return plan;
}

void World::ApplyBases(const std::vector<BaseUpdate>& updates) {
  for (const auto& u : updates) {
    auto& pair = pairs.at(u.defender_id);
    FieldBase base = u.base;
    if (digest_bases && domain::DigestibleField(u.field)) base.value = domain::BaseDigest(u.side, u.field, base.value);
    (u.side == Side::kDefender ? pair.defender : pair.sentinel)[u.field] = base;
  }
}

void World::Apply(const Plan& plan, const Input& input) {
  for (const auto& u : plan.pairs) {
    auto it = pairs.find(u.state.defender_id);
    if (it == pairs.end()) {
      pairs[u.state.defender_id] = u.state;
    } else {
      it->second.kind = u.state.kind;
      it->second.merged_into = u.state.merged_into;
      it->second.sentinel_id = u.state.sentinel_id;
    }
  }
  ApplyBases(plan.base_updates);
  for (const auto& c : plan.creations) {
    SentinelIncident s = c.incident;
    s.name = c.twin_id;
    s.etag = NextEtag();
    s.created = Tick();
    s.last_modified = s.created;
    s.incident_number = ++number_;
    s.incident_url = "https://portal.azure.com/#asset/Incident/" + c.twin_id;
    s.last_modified_by = "xdrsync";
    sentinel[s.name] = s;
    ApplyBases(BasesAfterCreate(input.observed.defender.at(c.defender_id), s));
  }
  std::map<std::string, std::vector<BaseUpdate>> held;  // by pair: Sentinel halves confirmed
  for (const auto& w : plan.sentinel_writes) {
    auto& cur = sentinel.at(w.sentinel_id);
    if (cur.etag != w.incident.etag) {
      ++sentinel_conflicts;  // 409: someone wrote since our read; re-planned next cycle
      continue;
    }
    SentinelIncident next = w.incident;
    next.comments = cur.comments;
    next.incident_number = cur.incident_number;
    next.incident_url = cur.incident_url;
    next.created = cur.created;
    next.etag = NextEtag();
    next.last_modified = Tick();
    next.last_modified_by = "xdrsync";
    cur = next;
    ApplyBases(BasesAfterSentinelWrite(w, cur));
    held[w.defender_id] = HeldBasesAfterSentinelWrite(w, cur);
  }
  if (between_sides) {
    auto once = std::move(between_sides);
    between_sides = nullptr;
    once();
  }
  for (const auto& w : plan.defender_writes) {
    auto& cur = defender.at(w.defender_id);
    const domain::FieldValues now_values = DefenderValues(cur);
    const bool moved = std::any_of(w.expected.begin(), w.expected.end(), [&](const auto& e) {
      return !domain::SameValue(Side::kDefender, e.first, now_values[e.first], e.second);
    });
    if (moved) {
      ++defender_replans;
      continue;
    }
    const domain::DefenderPatch p = domain::DefenderPatchFor(w.values, w.fields);
    if (p.status) cur.status = {*p.status, std::string(domain::ToWire(*p.status))};
    if (p.assigned_to) cur.assigned_to = *p.assigned_to;
    if (p.classification) cur.classification = domain::Lenient<domain::DClassification>{*p.classification, std::string(domain::ToWire(*p.classification))};
    if (p.classification) {
      cur.determination = p.determination
                              ? std::optional(domain::Lenient<domain::DDetermination>{*p.determination, std::string(domain::ToWire(*p.determination))})
                              : std::nullopt;
    }
    if (p.resolving_comment) cur.resolving_comment = *p.resolving_comment;
    if (p.custom_tags) cur.custom_tags = *p.custom_tags;
    if (p.display_name) cur.display_name = *p.display_name;
    if (p.severity) cur.severity = {*p.severity, std::string(domain::ToWire(*p.severity))};
    TouchDefender(w.defender_id, "xdrsync");
    ApplyBases(BasesAfterDefenderWrite(w, cur));
    // As the engine does: the held bases move once both halves of a two-sided write are confirmed.
    if (auto h = held.find(w.defender_id); h != held.end() && !w.hold_base.empty()) {
      ApplyBases(h->second);
      ApplyBases(HeldBasesAfterDefenderWrite(w, cur));
    }
  }
  for (const auto& c : plan.comments) {
    auto& pair = pairs.at(c.defender_id);
    const std::string key = std::string(domain::SideName(c.target)) + "|" + c.uuid;
    if (c.target == Side::kDefender) {
      auto& d = defender.at(c.target_incident);
      // Defender comments have no ids: the engine reads first and skips a marker already there.
      const bool there = std::any_of(d.comments.begin(), d.comments.end(), [&](const domain::DefenderComment& x) {
        return domain::FindMarker(x.text) == c.uuid;
      });
      if (!there) DefenderComment(c.target_incident, c.text, "xdrsync");
    } else {
      auto& s = sentinel.at(c.target_incident);
      auto it = std::find_if(s.comments.begin(), s.comments.end(),
                             [&](const domain::SentinelComment& x) { return x.id == c.uuid; });
      if (it == s.comments.end()) {
        domain::SentinelComment sc;
        sc.id = c.uuid;
        sc.message = c.text;
        sc.author_name = "xdrsync";
        sc.created = Tick();
        s.comments.push_back(sc);
      } else {
        it->message = c.text;  // a PUT under the same id edits in place
      }
      TouchSentinel(c.target_incident, "xdrsync");
    }
    pair.copied.insert(key);
    if (!c.content_hash.empty()) {
      pair.digest_hash = c.content_hash;
      pair.digest_written = now;
    }
    ApplyBases(c.on_confirm);
  }
}

}  // namespace xdrsync::reconcile::testing
