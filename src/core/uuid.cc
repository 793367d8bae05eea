#include "xdrsync/core/uuid.h"

#include "xdrsync/core/sha1.h"
#include "xdrsync/core/strings.h"

namespace xdrsync {
namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<Uuid> Uuid::Parse(std::string_view text) {
  std::string_view t = text;
  if (t.size() == 38 && t.front() == '{' && t.back() == '}') t = t.substr(1, 36);
  if (t.size() != 36) return ParseError("invalid UUID '" + std::string(text.substr(0, 40)) + "'");
  Uuid u;
  size_t out = 0;
  for (size_t i = 0; i < t.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (t[i] != '-') return ParseError("invalid UUID '" + std::string(text) + "'");
      ++i;
      continue;
    }
    const int hi = HexValue(t[i]), lo = HexValue(t[i + 1]);
    if (hi < 0 || lo < 0) return ParseError("invalid UUID '" + std::string(text) + "'");
    u.bytes_[out++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return u;
}

Uuid Uuid::V5(const Uuid& name_space, std::string_view name) {
  Sha1 sha;
  sha.Update(name_space.bytes_.data(), name_space.bytes_.size());
  sha.Update(name);
  const Sha1Digest d = sha.Finish();
  Uuid u;
  for (size_t i = 0; i < 16; ++i) u.bytes_[i] = d[i];
  u.bytes_[6] = static_cast<uint8_t>((u.bytes_[6] & 0x0F) | 0x50);
  u.bytes_[8] = static_cast<uint8_t>((u.bytes_[8] & 0x3F) | 0x80);
  return u;
}

std::string Uuid::ToString() const {
  std::string hex = HexLower(bytes_.data(), bytes_.size());
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

const Uuid& XdrsyncNamespace() {
  static const Uuid kNamespace = *Uuid::Parse("1953c2ad-1f91-4e8e-9778-b4a684bb2037");
  return kNamespace;
}

std::string TwinId(std::string_view defender_tenant_id, std::string_view defender_incident_id) {
  std::string name = AsciiLower(defender_tenant_id);
  name += '/';
  name += defender_incident_id;
  return Uuid::V5(XdrsyncNamespace(), name).ToString();
}

}  // namespace xdrsync
