// What /readyz may say about a link that is not ready. On a loopback listener the operator sees the
// whole reason; on any other address (`listen 0.0.0.0` in a container) the endpoint answers
// without authentication, so the service's error text (tenant ids, request ids, hosts) is cut to
// its category: "last success 2026-12-06T10:00:00Z: unauthenticated".
#pragma once

#include <string>
#include <string_view>

namespace xdrsync::app {

std::string PublicReadinessReason(std::string_view reason);

}  // namespace xdrsync::app
