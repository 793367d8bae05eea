// A pair's bases as one row (schema v4): every (side, field) base of the pair in one blob, so a
// pair costs one row of about its values' size instead of sixteen rows each carrying the keys.
//
// The blob is self-describing, one entry per base, concatenated:
//   <side d|s> '.' <field name> ' ' <stamp time|=> ' ' <etag len ':' bytes|=> ' ' <own 0|1> ' '
//   <value len ':' bytes|=>
// '=' for the time or the etag: the same as the entry before it on the same side. '=' for a
// Sentinel value: the same as the Defender base of that field (a synced field holds one value on
// both sides, so a long description is kept once). Field names this build does not know are kept
// as they are, so a rewrite never loses them. From schema v5 on, the value of a long title,
// description or closing comment is its digest (domain::BaseValue), which is what decoding gives
// back: the merge compares a side with its base, it never needs the base's text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/core/status.h"
#include "xdrsync/store/records.h"

namespace xdrsync::store {

struct NamedBase {
  Side side = Side::kDefender;
  std::string field;
  Base base;
};

// Defender entries first, then Sentinel ones, each in the order given.
std::string EncodeBases(const std::vector<NamedBase>& bases);
Result<std::vector<NamedBase>> DecodeBases(std::string_view blob);

// Sets (or adds) the base of (side, field) in `bases`.
void SetBase(std::vector<NamedBase>& bases, Side side, std::string_view field, const Base& base);

}  // namespace xdrsync::store
