// Comment copies (append-only, deduplicated by marker), the Sentinel caps, the alert digest and
// the deep links between a pair's two incidents (spec §4 "Comments", §7).
#include <algorithm>

#include "planner.h"
#include "xdrsync/core/uuid.h"
#include "xdrsync/core/sha1.h"
#include "xdrsync/domain/comments.h"
#include "xdrsync/domain/digest.h"

namespace xdrsync::reconcile {

using domain::DefenderIncident;
using domain::SentinelIncident;

std::vector<std::string> MarkersIn(const DefenderIncident& d) {
  std::vector<std::string> out;
  for (const auto& c : d.comments) {
    if (auto m = domain::FindMarker(c.text)) out.push_back(*m);
  }
  return out;
}

std::vector<std::string> MarkersIn(const SentinelIncident& s) {
  std::vector<std::string> out;
  for (const auto& c : s.comments) {
    if (auto m = domain::FindMarker(c.message)) out.push_back(*m);
    // A copy's comment id is its marker uuid, so a retried PUT is recognised even if cut short.
    out.push_back(c.id);
  }
  return out;
}

bool Planner::AlreadyWritten(const PairState& pair, Side target, const std::string& uuid,
                             const std::vector<std::string>& target_markers) const {
  if (pair.copied.count(std::string(domain::SideName(target)) + "|" + uuid)) return true;
  return std::find(target_markers.begin(), target_markers.end(), uuid) != target_markers.end();
}

void Planner::OwnerNote(const std::string& pair_key, Side target, const std::string& target_incident,
                        const std::string& note, const std::vector<std::string>& target_markers) {
  CommentWrite c;
  c.defender_id = pair_key;
  c.target = target;
  c.target_incident = target_incident;
  c.uuid = domain::OwnCommentUuid(Link(), "owner-note", pair_key + "/" + note);
  if (std::find(target_markers.begin(), target_markers.end(), c.uuid) != target_markers.end()) return;
  if (!PlannedMarkers(target, target_incident).insert(c.uuid).second) return;
  c.text = domain::Marker(c.uuid) + " " + note;
  c.purpose = "owner-note";
  plan_.comments.push_back(std::move(c));
}

bool Planner::AddSentinelComment(const PairState& pair, const SentinelIncident& s, CommentWrite c,
                                 PendingWrites& w) {
  if (!PlannedMarkers(Side::kSentinel, s.name).insert(c.uuid).second) return true;
  size_t& planned = planned_sentinel_comments_[s.name];
  const size_t count = s.comments.size() + planned;
  const bool capped = domain::HasLabel(*w.sentinel, domain::kLabelCommentsCapped);
  if (!c.edit_in_place && (capped || count + 1 >= domain::kSentinelMaxComments)) {
    // Keep the last slot for one notice, then stop copying into this incident.
    if (!capped) {
      CommentWrite notice;
      notice.defender_id = pair.defender_id;
      notice.target = Side::kSentinel;
      notice.target_incident = s.name;
      notice.uuid = domain::OwnCommentUuid(Link(), "capped", s.name);
      notice.text = domain::Marker(notice.uuid) +
                    " This incident reached Sentinel's limit of 100 comments; xdrsync copies no more "
                    "comments into it. The Defender incident holds the full discussion.";
      notice.purpose = "comments-capped";
      plan_.comments.push_back(notice);
      ++planned;
      domain::SetReservedLabel(*w.sentinel, domain::kLabelCommentsCapped, true);
      w.labels_added.emplace_back(domain::kLabelCommentsCapped);
    }
    return false;
  }
  if (!c.edit_in_place) ++planned;
  plan_.comments.push_back(std::move(c));
  return true;
}

void Planner::CopyComments(const PairState& pair, const DefenderIncident& d, const SentinelIncident& s,
                           PendingWrites& w) {
  const std::vector<std::string> d_markers = MarkersIn(d);
  const std::vector<std::string> s_markers = MarkersIn(s);
  if (Allows(policy_.comments, Side::kDefender)) {
    const std::vector<std::string> ids = domain::CanonicalDefenderCommentIds(d.comments);
    for (size_t i = 0; i < d.comments.size(); ++i) {
      const auto& c = d.comments[i];
      if (domain::FindMarker(c.text) || domain::IsSystemCommentAuthor(c.author)) continue;
      const std::string uuid = domain::CopyUuid(Link(), Side::kDefender, d.id, ids[i]);
      if (AlreadyWritten(pair, Side::kSentinel, uuid, s_markers)) continue;
      CommentWrite cw{pair.defender_id, Side::kSentinel, s.name, uuid,
                      domain::RenderCopiedComment(uuid, Side::kDefender, c.author, c.created, c.text),
                      "copy", false, "", {}};
      if (!AddSentinelComment(pair, s, std::move(cw), w)) break;
    }
  }
  if (Allows(policy_.comments, Side::kSentinel)) {
    for (const auto& c : s.comments) {
      if (domain::FindMarker(c.message) || domain::IsSystemCommentAuthor(c.author_name)) continue;
      const std::string uuid = domain::CopyUuid(Link(), Side::kSentinel, s.name, c.id);
      if (AlreadyWritten(pair, Side::kDefender, uuid, d_markers)) continue;
      if (!PlannedMarkers(Side::kDefender, d.id).insert(uuid).second) continue;
      const std::string author = !c.author_upn.empty() ? c.author_upn : c.author_name;
      plan_.comments.push_back({pair.defender_id, Side::kDefender, d.id, uuid,
                                domain::RenderCopiedComment(uuid, Side::kSentinel, author, c.created, c.message),
                                "copy", false, "", {}});
    }
  }
}

void Planner::AlertDigest(const PairState& pair, const DefenderIncident& d, const SentinelIncident& s,
                          PendingWrites& w) {
  if (!d.alerts) return;  // nothing is ever inferred from Sentinel's capped alert list
  const size_t count = d.alerts->size();
  const bool labelled = domain::HasLabel(*w.sentinel, domain::kLabelOverflow);
  const bool want = domain::WantsOverflowLabel(count, labelled);
  if (want != labelled) {
    domain::SetReservedLabel(*w.sentinel, domain::kLabelOverflow, want);
    (want ? w.labels_added : w.labels_removed).emplace_back(domain::kLabelOverflow);
  }
  if (policy_.mode == LinkMode::kLink) {
    if (count <= domain::kSentinelMaxAlerts) return;
    CommentWrite c;
    c.defender_id = pair.defender_id;
    c.target = Side::kSentinel;
    c.target_incident = s.name;
    c.uuid = domain::OwnCommentUuid(Link(), "overflow", s.name);
    if (AlreadyWritten(pair, Side::kSentinel, c.uuid, MarkersIn(s))) return;
    c.text = domain::Marker(c.uuid) + " This incident has " + std::to_string(count) +
             " alerts in Defender; Sentinel shows at most 150. All alerts: " + d.web_url;
    c.purpose = "overflow-note";
    AddSentinelComment(pair, s, std::move(c), w);
    return;
  }
  // Mirror: the Defender incident gets one comment pointing at its twin.
  if (!s.incident_url.empty() && Allows(policy_.comments, Side::kSentinel)) {
    const std::string uuid = domain::OwnCommentUuid(Link(), "deeplink", d.id);
    if (!AlreadyWritten(pair, Side::kDefender, uuid, MarkersIn(d)) &&
        PlannedMarkers(Side::kDefender, d.id).insert(uuid).second) {
      plan_.comments.push_back({pair.defender_id, Side::kDefender, d.id, uuid,
                                domain::Marker(uuid) + " Sentinel twin: incident " +
                                    std::to_string(s.incident_number) + " " + s.incident_url,
                                "deeplink", false, "", {}});
    }
  }
  if (count == 0) return;
  const std::string table = domain::RenderAlertTable(d, *d.alerts);
  const std::string hash = Sha1Hex(table);
  if (hash == pair.digest_hash) return;
  const int64_t since = in_.now.TicksSince(pair.digest_written) / Timestamp::kTicksPerSecond;
  if (!pair.digest_written.is_zero() && since < policy_.digest_min_interval_seconds) {
    plan_.revisit.insert(pair.defender_id);
    return;
  }
  CommentWrite c;
  c.defender_id = pair.defender_id;
  c.target = Side::kSentinel;
  c.target_incident = s.name;
  // Keyed by the deterministic twin id, which a defender-alert twin also has before the service
  // names it: the table planned with the creation and every later one are the same comment. (An
  // arm twin's name is its twin id; a defender-alert table written under its service name earlier
  // keeps that id.)
  auto find = [&](const std::string& id) {
    return std::find_if(s.comments.begin(), s.comments.end(), [&](const domain::SentinelComment& x) { return x.id == id; });
  };
  auto has = [&](const std::string& id) { return find(id) != s.comments.end(); };
  const std::string by_name = domain::OwnCommentUuid(Link(), "alerts", s.name);
  c.uuid = has(by_name) ? by_name : domain::OwnCommentUuid(Link(), "alerts", TwinId(policy_.defender_tenant_id, d.id));
  c.text = domain::Marker(c.uuid) + "\n" + table;
  // The table is there already, word for word (the pair's record of it was lost): nothing to write.
  if (auto there = find(c.uuid); there != s.comments.end() && there->message == c.text) return;
  c.purpose = "alerts";
  c.edit_in_place = has(c.uuid);
  c.content_hash = hash;
  AddSentinelComment(pair, s, std::move(c), w);
}

}  // namespace xdrsync::reconcile
