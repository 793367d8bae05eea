// The configuration parser on arbitrary text: a Config or one Status listing the problems.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "xdrsync/app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)xdrsync::app::ParseConfig(text, "fuzz.json");
  return 0;
}
