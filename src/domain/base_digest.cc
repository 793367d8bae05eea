// Digests kept instead of the text of long free-text bases (fields.h: BaseValue).
#include <algorithm>

#include "xdrsync/core/sha1.h"
#include "xdrsync/core/sha256.h"
#include "xdrsync/domain/fields.h"

namespace xdrsync::domain {
namespace {

constexpr char kDigestMark = '\xFF';
constexpr size_t kDigestBytes = 16;  // the first 128 bits of SHA-256

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

bool DigestibleField(Field field) {
  return field == Field::kTitle || field == Field::kDescription || field == Field::kClosingComment;
}

bool IsBaseDigest(std::string_view value) {
  return value.size() == 1 + 2 * kDigestBytes && value.front() == kDigestMark &&
         std::all_of(value.begin() + 1, value.end(), IsLowerHex);
}

std::string BaseDigest(Side side, Field field, std::string_view value) {
  if (IsBaseDigest(value)) return std::string(value);
  // What SameValue compares: a Sentinel title without a defender-alert twin's marker.
  if (field == Field::kTitle && side == Side::kSentinel) value.remove_suffix(TwinMarkerSuffix(value).size());
  const Sha256Digest d = Sha256Of(value);
  return kDigestMark + HexLower(d.data(), kDigestBytes);
}

std::string BaseValue(Side side, Field field, std::string_view value) {
  if (!DigestibleField(field) || value.size() <= kBaseDigestAboveBytes) return std::string(value);
  return BaseDigest(side, field, value);
}

}  // namespace xdrsync::domain
