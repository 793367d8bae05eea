#include "fakes/fake_clients.h"

#include <algorithm>
#include <iterator>
#include <thread>

namespace xdrsync::testing {
namespace {

Status Consume(std::map<std::string, Fault>& faults, std::map<std::string, int>& calls, const std::string& method) {
  ++calls[method];
  auto it = faults.find(method);
  if (it == faults.end() || it->second.remaining == 0) return Status::Ok();
  --it->second.remaining;
  return it->second.status;
}

}  // namespace

// ---- Defender ----

Status FakeDefender::Enter(const std::string& method) { return Consume(faults_, calls_, method); }

void FakeDefender::Touch(domain::DefenderIncident& d, const std::string& who) {
  clock_.Advance(1);
  d.last_update = clock_.Now();
  d.last_modified_by = who;
}

domain::DefenderIncident& FakeDefender::Add(const std::string& id) {
  std::lock_guard lock(mu_);
  domain::DefenderIncident d;
  d.id = id;
  d.tenant_id = tenant_;
  d.display_name = "Incident " + id;
  d.status = domain::ParseDStatus("active");
  d.severity = domain::ParseDSeverity("medium");
  d.web_url = "https://security.microsoft.com/incidents/" + id;
  d.alerts = std::vector<domain::DefenderAlert>{};
  clock_.Advance(1);
  d.created = clock_.Now();
  d.last_update = d.created;
  return incidents_[id] = d;
}

domain::DefenderIncident FakeDefender::Peek(const std::string& id) const {
  std::lock_guard lock(mu_);
  return incidents_.at(id);
}

void FakeDefender::Remove(const std::string& id) {
  std::lock_guard lock(mu_);
  incidents_.erase(id);
}

void FakeDefender::FailNext(const std::string& method, Status status, int times) {
  std::lock_guard lock(mu_);
  faults_[method] = {std::move(status), times};
}

int FakeDefender::Calls(const std::string& method) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(method);
  return it == calls_.end() ? 0 : it->second;
}

std::vector<domain::DefenderPatch> FakeDefender::patches() const {
  std::lock_guard lock(mu_);
  return patches_;
}

Result<api::Listing<domain::DefenderIncident>> FakeDefender::ListChanged(Timestamp since, bool) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("ListChanged"); !s.ok()) return s;
  api::Listing<domain::DefenderIncident> out;
  for (const auto& [id, d] : incidents_) {
    if (d.last_update < since) continue;
    out.items.push_back(d);
    if (!out.newest || d.last_update > *out.newest) out.newest = d.last_update;
  }
  std::sort(out.items.begin(), out.items.end(),
            [](const auto& a, const auto& b) { return a.last_update < b.last_update; });
  if (max_listed > 0 && out.items.size() > max_listed) {
    out.items.resize(max_listed);
    out.complete = false;
    out.newest = out.items.back().last_update;
  }
  return out;
}

namespace {

// Hands `items` to `sink` in pages of `page_size`, as a paged listing would.
template <typename T>
Status InPages(std::vector<T>&& items, size_t page_size, const api::PageSink<T>& sink) {
  for (size_t at = 0; at < items.size(); at += page_size) {
    const size_t end = std::min(items.size(), at + page_size);
    std::vector<T> page(std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(at)),
                        std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(end)));
    if (Status s = sink(std::move(page)); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Result<api::Listing<domain::DefenderIncident>> FakeDefender::ListOpen(
    bool, const api::PageSink<domain::DefenderIncident>& sink) {
  std::vector<domain::DefenderIncident> open;
  size_t page_size = 50;
  {
    std::lock_guard lock(mu_);
    if (Status s = Enter("ListOpen"); !s.ok()) return s;
    for (const auto& [id, d] : incidents_) {
      if (d.status.value != domain::DStatus::kResolved && d.status.value != domain::DStatus::kRedirected) {
        open.push_back(d);
      }
    }
    page_size = std::max<size_t>(1, open_page_size);
  }
  if (Status s = InPages(std::move(open), page_size, sink); !s.ok()) return s;
  return api::Listing<domain::DefenderIncident>{};
}

Result<domain::DefenderIncident> FakeDefender::Get(const std::string& id) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("Get"); !s.ok()) return s;
  auto it = incidents_.find(id);
  if (it == incidents_.end()) return NotFound("defender incident " + id + " not found");
  return it->second;
}

Result<domain::DefenderIncident> FakeDefender::Patch(const std::string& id, const domain::DefenderPatch& p) {
  Result<domain::DefenderIncident> r = ApplyPatch(id, p);
  std::function<void()> after;
  {
    std::lock_guard lock(mu_);
    after.swap(after_next_patch_);
  }
  if (after) after();
  return r;
}

Result<domain::DefenderIncident> FakeDefender::ApplyPatch(const std::string& id, const domain::DefenderPatch& p) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("Patch"); !s.ok()) return s;
  auto it = incidents_.find(id);
  if (it == incidents_.end()) return NotFound("defender incident " + id + " not found");
  if (refuse_in_progress && p.status && *p.status == domain::DStatus::kInProgress) {
    return InvalidArgument("graph PATCH: 400 BadRequest (invalid status value)");
  }
  patches_.push_back(p);
  auto& d = it->second;
  auto wire = [](auto v) { return std::string(domain::ToWire(v)); };
  if (p.status) d.status = {*p.status, wire(*p.status)};
  if (p.assigned_to) d.assigned_to = *p.assigned_to;
  if (p.classification) d.classification = domain::Lenient<domain::DClassification>{*p.classification, wire(*p.classification)};
  if (p.determination) d.determination = domain::Lenient<domain::DDetermination>{*p.determination, wire(*p.determination)};
  if (p.resolving_comment) d.resolving_comment = *p.resolving_comment;
  if (p.custom_tags) d.custom_tags = *p.custom_tags;
  if (p.display_name) d.display_name = *p.display_name;
  if (p.description) d.description = *p.description;
  if (p.severity) d.severity = {*p.severity, wire(*p.severity)};
  Touch(d, "xdrsync-app");
  if (!lost_patch_reply_.ok()) {
    Status lost = lost_patch_reply_;
    lost_patch_reply_ = Status::Ok();
    return lost;
  }
  return d;
}

Result<std::vector<domain::DefenderComment>> FakeDefender::AddComment(const std::string& id, const std::string& text) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("AddComment"); !s.ok()) return s;
  auto it = incidents_.find(id);
  if (it == incidents_.end()) return NotFound("defender incident " + id + " not found");
  clock_.Advance(1);
  it->second.comments.push_back({text, "xdrsync-app", clock_.Now()});
  it->second.last_update = clock_.Now();
  return it->second.comments;
}

Result<std::vector<domain::DefenderAlert>> FakeDefender::AlertsCreatedSince(Timestamp since) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("AlertsCreatedSince"); !s.ok()) return s;
  std::vector<domain::DefenderAlert> out;
  for (const auto& [id, d] : incidents_) {
    if (!d.alerts) continue;
    for (const auto& a : *d.alerts) {
      if (a.created >= since) out.push_back(a);
    }
  }
  return out;
}

Result<api::CreatedAlert> FakeDefender::CreateAlert(const api::CreateAlertInput& input) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("CreateAlert"); !s.ok()) return s;
  const std::string id = std::to_string(++next_id_);
  domain::DefenderIncident d;
  d.id = id;
  d.display_name = input.title;
  d.description = input.description;
  d.status = domain::ParseDStatus("active");
  d.severity = {input.severity, std::string(domain::ToWire(input.severity))};
  clock_.Advance(1);
  d.created = d.last_update = clock_.Now();
  d.alerts = std::vector<domain::DefenderAlert>{
      {"da" + id, id, input.title, {input.severity, std::string(domain::ToWire(input.severity))}, "new",
       "microsoftSentinel", d.created, ""}};
  incidents_[id] = d;
  return api::CreatedAlert{"da" + id, id};
}

// ---- Sentinel ----

Status FakeSentinel::Enter(const std::string& method) {
  if (auto d = delays_.find(method); d != delays_.end()) std::this_thread::sleep_for(d->second);
  return Consume(faults_, calls_, method);
}

void FakeSentinel::Touch(domain::SentinelIncident& s, const std::string& who) {
  clock_.Advance(1);
  s.last_modified = clock_.Now();
  s.etag = "\"" + std::to_string(++etag_) + "\"";
  s.last_modified_by = who;
}

void FakeSentinel::AddAnalystComment(const std::string& name, const std::string& text) {
  std::lock_guard lock(mu_);
  auto& s = incidents_.at(name);
  domain::SentinelComment c;
  c.id = "analyst-" + std::to_string(s.comments.size() + 1);
  c.message = text;
  c.author_name = "Sam Analyst";
  c.author_upn = "sam@fabrikam.com";
  clock_.Advance(1);
  c.created = clock_.Now();
  s.comments.push_back(c);
  Touch(s, "sam@fabrikam.com");
}

domain::SentinelIncident FakeSentinel::Peek(const std::string& name) const {
  std::lock_guard lock(mu_);
  return incidents_.at(name);
}

std::vector<std::string> FakeSentinel::Names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [n, s] : incidents_) out.push_back(n);
  return out;
}

size_t FakeSentinel::size() const {
  std::lock_guard lock(mu_);
  return incidents_.size();
}

void FakeSentinel::Remove(const std::string& name) {
  std::lock_guard lock(mu_);
  incidents_.erase(name);
}

void FakeSentinel::FailNext(const std::string& method, Status status, int times) {
  std::lock_guard lock(mu_);
  faults_[method] = {std::move(status), times};
}

int FakeSentinel::Calls(const std::string& method) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(method);
  return it == calls_.end() ? 0 : it->second;
}

domain::SentinelIncident& FakeSentinel::AddConnectorIncident(const std::string& defender_id) {
  std::lock_guard lock(mu_);
  domain::SentinelIncident s;
  s.name = "conn-" + defender_id;
  s.title = "Incident " + defender_id;
  s.status = domain::ParseSStatus("New");
  s.severity = domain::ParseSSeverity("Medium");
  s.provider_name = "Microsoft XDR";
  s.provider_incident_id = defender_id;
  s.incident_number = ++number_;
  Touch(s, "connector");
  s.created = s.last_modified;
  return incidents_[s.name] = s;
}

Result<api::Listing<domain::SentinelIncident>> FakeSentinel::ListChanged(Timestamp since) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("ListChanged"); !s.ok()) return s;
  api::Listing<domain::SentinelIncident> out;
  for (const auto& [name, s] : incidents_) {
    if (s.last_modified < since) continue;
    domain::SentinelIncident copy = s;
    copy.comments.clear();  // the list API does not carry comments
    out.items.push_back(copy);
    if (!out.newest || s.last_modified > *out.newest) out.newest = s.last_modified;
  }
  return out;
}

Result<api::Listing<domain::SentinelIncident>> FakeSentinel::ListOpen(
    const api::PageSink<domain::SentinelIncident>& sink) {
  std::vector<domain::SentinelIncident> open;
  {
    std::lock_guard lock(mu_);
    if (Status s = Enter("ListOpen"); !s.ok()) return s;
    for (const auto& [name, s] : incidents_) {
      if (s.status.value != domain::SStatus::kNew && s.status.value != domain::SStatus::kActive) continue;
      domain::SentinelIncident copy = s;
      copy.comments.clear();  // the list API does not carry comments
      open.push_back(copy);
    }
  }
  if (Status s = InPages(std::move(open), 1000, sink); !s.ok()) return s;
  return api::Listing<domain::SentinelIncident>{};
}

Result<std::vector<domain::SentinelIncident>> FakeSentinel::ListRecent(int top) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("ListRecent"); !s.ok()) return s;
  std::vector<domain::SentinelIncident> out;
  for (const auto& [name, s] : incidents_) out.push_back(s);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created > b.created; });
  if (out.size() > static_cast<size_t>(top)) out.resize(static_cast<size_t>(top));
  return out;
}

Result<domain::SentinelIncident> FakeSentinel::Get(const std::string& name) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("Get"); !s.ok()) return s;
  if (auto f = fail_get_of_.find(name); f != fail_get_of_.end()) {
    Status failed = f->second;
    fail_get_of_.erase(f);
    return failed;
  }
  auto it = incidents_.find(name);
  if (it == incidents_.end()) return NotFound("sentinel incident " + name + " not found");
  return it->second;
}

Result<domain::SentinelIncident> FakeSentinel::Put(const domain::SentinelIncident& incident) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("Put"); !s.ok()) return s;
  auto it = incidents_.find(incident.name);
  if (it != incidents_.end() && !incident.etag.empty() && incident.etag != it->second.etag) {
    return Status(Code::kConflict, "Newer version of resource '" + incident.name + "' exists. Data was not saved");
  }
  domain::SentinelIncident next = incident;
  if (it == incidents_.end()) {
    next.incident_number = ++number_;
    next.incident_url = "https://portal.azure.com/#asset/Incident/" + incident.name;
    next.created = clock_.Now();
    next.provider_name = "Azure Sentinel";
  } else {
    next.comments = it->second.comments;
    next.incident_number = it->second.incident_number;
    next.incident_url = it->second.incident_url;
    next.created = it->second.created;
    next.provider_name = it->second.provider_name;
    next.provider_incident_id = it->second.provider_incident_id;
  }
  Touch(next, "xdrsync-app");
  incidents_[incident.name] = next;
  if (!lost_reply_.ok()) {
    Status lost = lost_reply_;
    lost_reply_ = Status::Ok();
    return lost;
  }
  domain::SentinelIncident reply = next;
  reply.comments.clear();
  return reply;
}

Result<domain::SentinelComment> FakeSentinel::PutComment(const std::string& incident, const std::string& comment_id,
                                                         const std::string& message) {
  std::lock_guard lock(mu_);
  if (Status s = Enter("PutComment"); !s.ok()) return s;
  auto it = incidents_.find(incident);
  if (it == incidents_.end()) return NotFound("sentinel incident " + incident + " not found");
  auto& comments = it->second.comments;
  auto c = std::find_if(comments.begin(), comments.end(), [&](const auto& x) { return x.id == comment_id; });
  if (c == comments.end()) {
    if (comments.size() >= 100) return InvalidArgument("incident already has 100 comments");
    domain::SentinelComment n;
    n.id = comment_id;
    n.author_name = "xdrsync-app";
    clock_.Advance(1);
    n.created = clock_.Now();
    comments.push_back(n);
    c = comments.end() - 1;
  }
  c->message = message;
  Touch(it->second, "xdrsync-app");
  return *c;
}

}  // namespace xdrsync::testing
