#include "xdrsync/domain/fields.h"

#include <algorithm>

#include "xdrsync/core/strings.h"
#include "xdrsync/domain/comments.h"

namespace xdrsync::domain {
namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "status", "owner", "classification", "closing_comment", "severity", "title", "description", "tags"};

std::string DefenderClassification(const DefenderIncident& d) {
  std::string cls = d.classification ? WireText(*d.classification) : std::string("unknown");
  std::string det = d.determination ? WireText(*d.determination) : std::string();
  if (det == "unknown") det.clear();
  if (cls == "unknown" && det.empty()) return "";
  return det.empty() ? cls : cls + "/" + det;
}

std::string SentinelClassification(const SentinelIncident& s) {
  if (!s.classification) return "";
  std::string cls = WireText(*s.classification);
  // Undetermined and "no classification" mean the same to both APIs' users.
  if (cls == "Undetermined") return "";
  std::string reason = s.classification_reason ? WireText(*s.classification_reason) : std::string();
  return reason.empty() ? cls : cls + "/" + reason;
}

}  // namespace

std::string_view SideName(Side s) { return s == Side::kDefender ? "defender" : "sentinel"; }

std::optional<Side> ParseSide(std::string_view s) {
  if (s == "defender") return Side::kDefender;
  if (s == "sentinel") return Side::kSentinel;
  return std::nullopt;
}

std::string_view FieldName(Field f) { return kFieldNames[static_cast<size_t>(f)]; }

std::optional<Field> ParseField(std::string_view s) {
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (kFieldNames[i] == s) return kAllFields[i];
  }
  return std::nullopt;
}

bool IsNewer(const VersionStamp& observed, const VersionStamp& base) {
  if (observed.time != base.time) return observed.time > base.time;
  return !observed.etag.empty() && observed.etag != base.etag;
}

std::string EncodeSet(const std::set<std::string>& s) {
  return Join(std::vector<std::string>(s.begin(), s.end()), "\n");
}

std::set<std::string> DecodeSet(std::string_view encoded) {
  std::set<std::string> out;
  if (encoded.empty()) return out;
  for (auto& part : Split(encoded, '\n')) {
    if (!part.empty()) out.insert(std::move(part));
  }
  return out;
}

bool IsReservedLabel(std::string_view label) {
  return label == kLabelRedirected || label == kLabelOverflow || StartsWith(label, "xdrsync:");
}

OwnerParts ParseOwnerValue(std::string_view canonical) {
  OwnerParts p;
  if (canonical.empty()) return p;
  for (const auto& part : Split(canonical, '|')) {
    const size_t colon = part.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = part.substr(0, colon), value = part.substr(colon + 1);
    if (key == "upn") p.upn = value;
    else if (key == "oid") p.object_id = value;
    else if (key == "email") p.email = value;
    else if (key == "name") p.name = value;
  }
  return p;
}

std::string OwnerValue(const OwnerParts& p) {
  std::vector<std::string> parts;
  if (!p.upn.empty()) parts.push_back("upn:" + AsciiLower(p.upn));
  if (!p.object_id.empty()) parts.push_back("oid:" + AsciiLower(p.object_id));
  if (!p.email.empty()) parts.push_back("email:" + AsciiLower(p.email));
  if (!p.name.empty()) parts.push_back("name:" + p.name);
  return Join(parts, "|");
}

std::string CanonicalSentinelOwner(const SentinelOwner* owner) {
  if (owner == nullptr) return "";
  OwnerParts p{owner->user_principal_name, owner->object_id, owner->email, owner->assigned_to};
  // A display name alone only identifies a group; for users the UPN or object id decides.
  if (!p.upn.empty() || !p.object_id.empty() || !p.email.empty()) p.name.clear();
  return OwnerValue(p);
}

bool SameValue(Side side, Field field, std::string_view a, std::string_view b) {
  if (IsBaseDigest(a) || IsBaseDigest(b)) {
    return DigestibleField(field) && BaseDigest(side, field, a) == BaseDigest(side, field, b);
  }
  if (field == Field::kTags) return DecodeSet(a) == DecodeSet(b);
  if (field == Field::kTitle && side == Side::kSentinel) {
    // Bases stored by earlier versions kept a defender-alert twin's marker in its title.
    return a.substr(0, a.size() - TwinMarkerSuffix(a).size()) == b.substr(0, b.size() - TwinMarkerSuffix(b).size());
  }
  if (field != Field::kOwner || side != Side::kSentinel) return a == b;
  const OwnerParts x = ParseOwnerValue(a), y = ParseOwnerValue(b);
  if (x.empty() || y.empty()) return x.empty() && y.empty();
  if (!x.object_id.empty() && !y.object_id.empty()) return x.object_id == y.object_id;
  if (!x.upn.empty() && !y.upn.empty()) return x.upn == y.upn;
  if (!x.email.empty() && !y.email.empty()) return x.email == y.email;
  return EqualsIgnoreCase(x.name, y.name) && x.upn == y.upn && x.email == y.email &&
         x.object_id == y.object_id;
}

FieldValues CanonicalDefender(const DefenderIncident& d, const std::string& rendered_description) {
  FieldValues f;
  f[Field::kStatus] = WireText(d.status);
  f[Field::kOwner] = d.assigned_to ? AsciiLower(Trim(*d.assigned_to)) : std::string();
  f[Field::kClassification] = DefenderClassification(d);
  f[Field::kClosingComment] = d.resolving_comment.value_or("");
  f[Field::kSeverity] = WireText(d.severity);
  f[Field::kTitle] = d.display_name;
  f[Field::kDescription] = rendered_description;
  f[Field::kTags] = EncodeSet(std::set<std::string>(d.custom_tags.begin(), d.custom_tags.end()));
  return f;
}

std::string_view TwinMarkerSuffix(std::string_view title) {
  // " [xdrsync:<uuid>]": a space, the marker of 9 + 36 + 1 characters.
  constexpr size_t kSuffix = 1 + 9 + 36 + 1;
  if (title.size() < kSuffix || title[title.size() - kSuffix] != ' ') return {};
  const std::string_view tail = title.substr(title.size() - kSuffix + 1);
  const auto marker = FindMarker(tail);
  return marker && tail == Marker(*marker) ? title.substr(title.size() - kSuffix) : std::string_view();
}

FieldValues CanonicalSentinel(const SentinelIncident& s) {
  FieldValues f;
  f[Field::kStatus] = WireText(s.status);
  f[Field::kOwner] = CanonicalSentinelOwner(s.owner ? &*s.owner : nullptr);
  f[Field::kClassification] = SentinelClassification(s);
  f[Field::kClosingComment] = s.classification_comment;
  f[Field::kSeverity] = WireText(s.severity);
  // A defender-alert twin's title ends in its marker, which finds the twin again: not content.
  const std::string_view title = s.title;
  f[Field::kTitle] = std::string(title.substr(0, title.size() - TwinMarkerSuffix(title).size()));
  f[Field::kDescription] = s.description;
  std::set<std::string> tags;
  for (const auto& l : s.labels) {
    if (l.type != "AutoAssigned" && !IsReservedLabel(l.name)) tags.insert(l.name);
  }
  f[Field::kTags] = EncodeSet(tags);
  return f;
}

DefenderPatch DefenderPatchFor(const FieldValues& values, const std::set<Field>& fields) {
  DefenderPatch p;
  for (Field f : fields) {
    const std::string& v = values[f];
    switch (f) {
      case Field::kStatus: {
        const auto s = ParseDStatus(v);
        if (s.known()) p.status = s.value;
        break;
      }
      case Field::kOwner:
        p.assigned_to = v.empty() ? std::optional<std::string>() : std::optional<std::string>(v);
        break;
      case Field::kClassification: {
        const size_t slash = v.find('/');
        const auto cls = ParseDClassification(v.empty() ? "unknown" : v.substr(0, slash));
        if (cls.known()) p.classification = cls.value;
        const auto det = ParseDDetermination(slash == std::string::npos ? "unknown" : v.substr(slash + 1));
        if (det.known()) p.determination = det.value;
        break;
      }
      case Field::kClosingComment: p.resolving_comment = v; break;
      case Field::kSeverity: {
        const auto s = ParseDSeverity(v);
        if (s.known()) p.severity = s.value;
        break;
      }
      case Field::kTitle: p.display_name = v; break;
      case Field::kDescription: p.description = v; break;
      case Field::kTags: {
        const auto set = DecodeSet(v);
        p.custom_tags = std::vector<std::string>(set.begin(), set.end());
        break;
      }
    }
  }
  return p;
}

bool HasLabel(const SentinelIncident& s, std::string_view label) {
  return std::any_of(s.labels.begin(), s.labels.end(), [&](const SentinelLabel& l) { return l.name == label; });
}

std::string TwinLabel(std::string_view twin_id) { return "xdrsync:" + std::string(twin_id); }

std::optional<std::string> TwinIdFromLabels(const SentinelIncident& s) {
  constexpr std::string_view kPrefix = "xdrsync:";
  for (const auto& l : s.labels) {
    if (l.name.size() != kPrefix.size() + 36 || l.name.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    const std::string id = l.name.substr(kPrefix.size());
    const bool uuid = std::all_of(id.begin(), id.end(), [](char c) {
      return c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (uuid && id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-') return id;
  }
  return std::nullopt;
}

void SetReservedLabel(SentinelIncident& s, std::string_view label, bool present) {
  if (present) {
    if (!HasLabel(s, label)) s.labels.push_back({std::string(label), "User"});
  } else {
    std::erase_if(s.labels, [&](const SentinelLabel& l) { return l.name == label; });
  }
}

SentinelIncident SentinelWithFields(const SentinelIncident& current, const FieldValues& values,
                                    const std::set<Field>& fields) {
  SentinelIncident s = current;
  for (Field f : fields) {
    const std::string& v = values[f];
    switch (f) {
      case Field::kStatus: s.status = ParseSStatus(v); break;
      case Field::kOwner: {
        const OwnerParts p = ParseOwnerValue(v);
        if (p.empty()) {
          s.owner.reset();
        } else {
          SentinelOwner o;
          o.user_principal_name = p.upn;
          o.object_id = p.object_id;
          o.email = p.email;
          o.assigned_to = p.name;
          o.owner_type = (p.upn.empty() && p.object_id.empty() && p.email.empty())
                             ? Lenient<SOwnerType>{SOwnerType::kGroup, "Group"}
                             : Lenient<SOwnerType>{SOwnerType::kUser, "User"};
          s.owner = o;
        }
        break;
      }
      case Field::kClassification: {
        if (v.empty()) {
          s.classification.reset();
          s.classification_reason.reset();
          break;
        }
        const size_t slash = v.find('/');
        s.classification = ParseSClassification(v.substr(0, slash));
        if (slash == std::string::npos) s.classification_reason.reset();
        else s.classification_reason = ParseSReason(v.substr(slash + 1));
        break;
      }
      case Field::kClosingComment: s.classification_comment = v; break;
      case Field::kSeverity: s.severity = ParseSSeverity(v); break;
      case Field::kTitle: s.title = v + std::string(TwinMarkerSuffix(current.title)); break;
      case Field::kDescription: s.description = v; break;
      case Field::kTags: {
        std::vector<SentinelLabel> labels;
        for (const auto& l : current.labels) {
          if (l.type == "AutoAssigned" || IsReservedLabel(l.name)) labels.push_back(l);
        }
        for (const auto& t : DecodeSet(v)) labels.push_back({t, "User"});
        s.labels = std::move(labels);
        break;
      }
    }
  }
  // Sentinel refuses Closed without a classification and a classification without its reason.
  if (s.status.value == SStatus::kClosed) {
    if (!s.classification) s.classification = Lenient<SClassification>{SClassification::kUndetermined, "Undetermined"};
    const auto reason = s.classification_reason ? s.classification_reason->value : SReason::kUnrecognized;
    const bool valid_pair =
        (s.classification->value == SClassification::kTruePositive && reason == SReason::kSuspiciousActivity) ||
        (s.classification->value == SClassification::kBenignPositive && reason == SReason::kSuspiciousButExpected) ||
        (s.classification->value == SClassification::kFalsePositive &&
         (reason == SReason::kIncorrectAlertLogic || reason == SReason::kInaccurateData));
    if (s.classification->value == SClassification::kUndetermined) {
      s.classification_reason.reset();
    } else if (!valid_pair) {
      switch (s.classification->value) {
        case SClassification::kTruePositive: s.classification_reason = {SReason::kSuspiciousActivity, "SuspiciousActivity"}; break;
        case SClassification::kBenignPositive: s.classification_reason = {SReason::kSuspiciousButExpected, "SuspiciousButExpected"}; break;
        case SClassification::kFalsePositive: s.classification_reason = {SReason::kInaccurateData, "InaccurateData"}; break;
        default: break;
      }
    }
  }
  return s;
}

bool IsDefenderProviderName(std::string_view provider_name) {
  return EqualsIgnoreCase(provider_name, "Microsoft XDR") ||
         EqualsIgnoreCase(provider_name, "Microsoft Defender XDR") ||
         EqualsIgnoreCase(provider_name, "Microsoft 365 Defender");
}

}  // namespace xdrsync::domain
