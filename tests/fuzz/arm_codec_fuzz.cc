// Every ARM parser on arbitrary bytes; an incident that parses is serialised back as a PUT body,
// which must either succeed or refuse with a Status.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "xdrsync/api/arm_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto incident = xdrsync::api::ParseSentinelIncident(text);
  if (incident.ok()) (void)xdrsync::api::SerializeSentinelPut(*incident);
  auto page = xdrsync::api::ParseSentinelIncidentPage(text);
  if (page.ok()) {
    for (const auto& item : page->items) (void)xdrsync::api::SerializeSentinelPut(item);
  }
  (void)xdrsync::api::ParseSentinelCommentPage(text);
  (void)xdrsync::api::ParseSentinelComment(text);
  (void)xdrsync::api::ParseArmError(text);
  return 0;
}
