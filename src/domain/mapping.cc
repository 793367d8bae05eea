#include "xdrsync/domain/mapping.h"

#include "xdrsync/core/strings.h"
#include "xdrsync/domain/owner_map.h"

namespace xdrsync::domain {
namespace {

std::optional<std::string> StatusToSentinel(const std::string& d) {
  switch (ParseDStatus(d).value) {
    case DStatus::kActive: return "New";
    case DStatus::kInProgress:
    case DStatus::kAwaitingAction:
    case DStatus::kUnknownFutureValue: return "Active";
    case DStatus::kResolved:
    case DStatus::kRedirected: return "Closed";
    case DStatus::kUnrecognized: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> StatusToDefender(const std::string& s) {
  switch (ParseSStatus(s).value) {
    case SStatus::kNew: return "active";
    case SStatus::kActive: return "inProgress";
    case SStatus::kClosed: return "resolved";
    case SStatus::kUnrecognized: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> ClassificationToSentinel(const std::string& d) {
  if (d.empty()) return "";
  const std::string cls = d.substr(0, d.find('/'));
  switch (ParseDClassification(cls).value) {
    case DClassification::kUnknown: return "";
    case DClassification::kTruePositive: return "TruePositive/SuspiciousActivity";
    case DClassification::kInformationalExpectedActivity: return "BenignPositive/SuspiciousButExpected";
    case DClassification::kFalsePositive: return "FalsePositive/InaccurateData";
    default: return std::nullopt;
  }
}

std::optional<std::string> ClassificationToDefender(const std::string& s, const std::string& current) {
  if (s.empty()) return "";
  DClassification target;
  switch (ParseSClassification(s.substr(0, s.find('/'))).value) {
    case SClassification::kUndetermined: return "";
    case SClassification::kTruePositive: target = DClassification::kTruePositive; break;
    case SClassification::kBenignPositive: target = DClassification::kInformationalExpectedActivity; break;
    case SClassification::kFalsePositive: target = DClassification::kFalsePositive; break;
    default: return std::nullopt;
  }
  std::string out(ToWire(target));
  const size_t slash = current.find('/');
  if (slash == std::string::npos) return out;  // an unset determination stays unset
  const auto det = ParseDDetermination(current.substr(slash + 1));
  if (det.known() && DeterminationFits(target, det.value)) return out + "/" + std::string(ToWire(det.value));
  return out + "/other";
}

std::optional<std::string> SeverityToSentinel(const std::string& d, const MappingPolicy& p) {
  switch (ParseDSeverity(d).value) {
    case DSeverity::kInformational: return "Informational";
    case DSeverity::kLow: return "Low";
    case DSeverity::kMedium: return "Medium";
    case DSeverity::kHigh: return "High";
    case DSeverity::kUnknown:
    case DSeverity::kUnknownFutureValue: return p.unknown_severity;
    case DSeverity::kUnrecognized: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> SeverityToDefender(const std::string& s) {
  const auto v = ParseSSeverity(s);
  if (!v.known()) return std::nullopt;
  return AsciiLower(ToWire(v.value));
}

std::string WithoutReserved(const std::string& encoded) {
  std::set<std::string> out;
  for (const auto& t : DecodeSet(encoded)) {
    if (!IsReservedLabel(t)) out.insert(t);
  }
  return EncodeSet(out);
}

}  // namespace

std::optional<Mapped> MapToSentinel(Field f, const std::string& d, const MappingPolicy& p) {
  auto wrap = [](std::optional<std::string> v) -> std::optional<Mapped> {
    if (!v) return std::nullopt;
    return Mapped{*v, ""};
  };
  switch (f) {
    case Field::kStatus: return wrap(StatusToSentinel(d));
    case Field::kOwner: return OwnerToSentinel(d, p.owners);
    case Field::kClassification: return wrap(ClassificationToSentinel(d));
    case Field::kClosingComment: return Mapped{d, ""};
    case Field::kSeverity: return wrap(SeverityToSentinel(d, p));
    case Field::kTitle: return Mapped{p.title_prefix + d, ""};
    case Field::kDescription: return Mapped{d, ""};
    case Field::kTags: return Mapped{WithoutReserved(d), ""};
  }
  return std::nullopt;
}

std::optional<Mapped> MapToDefender(Field f, const std::string& s, const std::string& current,
                                    const MappingPolicy& p) {
  auto wrap = [](std::optional<std::string> v) -> std::optional<Mapped> {
    if (!v) return std::nullopt;
    return Mapped{*v, ""};
  };
  switch (f) {
    case Field::kStatus: return wrap(StatusToDefender(s));
    case Field::kOwner: return OwnerToDefender(s, p.owners);
    case Field::kClassification: return wrap(ClassificationToDefender(s, current));
    case Field::kClosingComment: return Mapped{s, ""};
    case Field::kSeverity: return wrap(SeverityToDefender(s));
    case Field::kTitle:
      return Mapped{StartsWith(s, p.title_prefix) ? s.substr(p.title_prefix.size()) : s, ""};
    // The twin description is rendered from Defender data; it never travels back.
    case Field::kDescription: return std::nullopt;
    case Field::kTags: return Mapped{WithoutReserved(s), ""};
  }
  return std::nullopt;
}

bool Agree(Field f, const std::string& d, const std::string& s, const MappingPolicy& p) {
  const auto to_s = MapToSentinel(f, d, p);
  if (to_s && SameValue(Side::kSentinel, f, to_s->value, s)) return true;
  const auto to_d = MapToDefender(f, s, d, p);
  return to_d && SameValue(Side::kDefender, f, to_d->value, d);
}

}  // namespace xdrsync::domain
