#include "xdrsync/domain/owner_map.h"

#include "xdrsync/core/strings.h"

namespace xdrsync::domain {
namespace {

// "bob@contoso.com" with from=contoso.com, to=fabrikam.com -> "bob@fabrikam.com".
std::optional<std::string> RewriteDomain(const std::string& upn, const std::string& from, const std::string& to) {
  const size_t at = upn.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  if (!EqualsIgnoreCase(upn.substr(at + 1), from)) return std::nullopt;
  return upn.substr(0, at + 1) + AsciiLower(to);
}

std::string UnmappedNote(const std::string& who) {
  return "owner '" + who + "' has no mapping on the other side; left unassigned";
}

}  // namespace

std::optional<Mapped> OwnerToSentinel(const std::string& d, const OwnerMap& map) {
  if (d.empty()) return Mapped{"", ""};
  for (const auto& e : map.entries) {
    if (EqualsIgnoreCase(e.defender, d)) {
      return Mapped{OwnerValue({AsciiLower(e.sentinel), AsciiLower(e.sentinel_object_id), "", ""}), ""};
    }
  }
  for (const auto& [from, to] : map.domains) {
    if (auto r = RewriteDomain(d, from, to)) return Mapped{OwnerValue({*r, "", "", ""}), ""};
  }
  if (map.unmapped == OwnerMap::Unmapped::kKeepUnassigned) return Mapped{"", UnmappedNote(d)};
  // Defender holds a UPN or, for groups, a plain name.
  if (d.find('@') != std::string::npos) return Mapped{OwnerValue({d, "", "", ""}), ""};
  return Mapped{OwnerValue({"", "", "", d}), ""};
}

std::optional<Mapped> OwnerToDefender(const std::string& s, const OwnerMap& map) {
  const OwnerParts p = ParseOwnerValue(s);
  if (p.empty()) return Mapped{"", ""};
  for (const auto& e : map.entries) {
    const bool by_oid = !p.object_id.empty() && EqualsIgnoreCase(e.sentinel_object_id, p.object_id);
    const bool by_upn = !p.upn.empty() && EqualsIgnoreCase(e.sentinel, p.upn);
    if (by_oid || by_upn) return Mapped{AsciiLower(e.defender), ""};
  }
  const std::string upn = !p.upn.empty() ? p.upn : p.email;
  for (const auto& [from, to] : map.domains) {
    if (auto r = RewriteDomain(upn, to, from)) return Mapped{*r, ""};
  }
  const std::string who = !upn.empty() ? upn : (!p.name.empty() ? p.name : p.object_id);
  if (map.unmapped == OwnerMap::Unmapped::kKeepUnassigned) return Mapped{"", UnmappedNote(who)};
  if (!upn.empty()) return Mapped{AsciiLower(upn), ""};
  if (!p.name.empty()) return Mapped{AsciiLower(p.name), ""};
  return std::nullopt;  // an object id alone names nobody Defender knows
}

}  // namespace xdrsync::domain
