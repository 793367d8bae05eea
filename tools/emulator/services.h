// Everything one emulator instance owns, shared by the HTTP route handlers. The handlers are
// free functions over this struct so each API's HTTP mapping lives in its own file.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "auth_service.h"
#include "emu_clock.h"
#include "fault_injector.h"
#include "http_message.h"
#include "id_source.h"
#include "journal.h"
#include "rate_limiter.h"
#include "world.h"

namespace xdrsync::emulator {

struct RateLimitSettings {
  bool enabled = true;
  // Graph: per app per tenant. The /security rows of Graph's throttling table give 150/min.
  BucketSpec graph{150, 2.5};
  // ARM token bucket per subscription and principal (reads 250 +25/s, writes and deletes 200 +10/s).
  BucketSpec arm_reads{250, 25};
  BucketSpec arm_writes{200, 10};
  BucketSpec arm_deletes{200, 10};
  double arm_global_multiplier = 15;  // the subscription-wide bucket across all principals
};

// What a handler learned about the request, for the request log.
struct RequestContext {
  std::string service;  // "token", "graph", "arm", "control", "unknown"
  std::string route;
  std::string principal;
};

struct Services {
  explicit Services(uint64_t seed, EmuClock::Source source)
      : clock(std::move(source)),
        ids(seed),
        world(&clock, &ids, &journal),
        auth(&clock, &ids, "emulator-signing-key-" + std::to_string(seed)),
        faults(seed) {}

  EmuClock clock;
  IdSource ids;
  Journal journal;
  World world;
  AuthService auth;
  FaultInjector faults;
  RateLimiter limiter;
  int port = 0;
  bool tls = false;

  RateLimitSettings limits() const {
    std::lock_guard<std::mutex> lock(limits_mu);
    return limit_settings;
  }
  void set_limits(const RateLimitSettings& s) {
    std::lock_guard<std::mutex> lock(limits_mu);
    limit_settings = s;
  }
  std::string BaseUrl() const { return (tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port); }

  mutable std::mutex limits_mu;
  RateLimitSettings limit_settings;
};

HttpResponse HandleToken(Services& s, const HttpRequest& request, RequestContext* context);
// OpenID Connect metadata, instance discovery and keys (the paths IsDiscoveryPath accepts).
bool IsDiscoveryPath(const std::string& path);
HttpResponse HandleDiscovery(Services& s, const HttpRequest& request, RequestContext* context);
HttpResponse HandleGraph(Services& s, const HttpRequest& request, RequestContext* context);
HttpResponse HandleArm(Services& s, const HttpRequest& request, RequestContext* context);
HttpResponse HandleControl(Services& s, const HttpRequest& request);

// Error replies in each service's own shape (used by handlers and by injected faults).
HttpResponse GraphErrorResponse(Services& s, int status, const std::string& code,
                                const std::string& message);
HttpResponse ArmErrorResponse(int status, const std::string& code, const std::string& message);

}  // namespace xdrsync::emulator
