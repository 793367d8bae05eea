// The timestamp parser on arbitrary text; what it accepts must format and parse back to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "xdrsync/core/timestamp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = xdrsync::Timestamp::Parse(text);
  if (!parsed.ok()) return 0;
  const auto again = xdrsync::Timestamp::Parse(parsed->ToString());
  if (!again.ok() || again->ticks() != parsed->ticks()) std::abort();
  (void)parsed->ToSecondsString();
  (void)parsed->unix_seconds();
  return 0;
}
