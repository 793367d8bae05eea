// `xdrsync healthcheck`: the probe a container's HEALTHCHECK runs (the slim image has no curl).
// It asks GET /readyz of the daemon on the configured `listen` address and exits 0 when the answer
// is 200, 1 otherwise (Docker reads 0 as healthy, 1 as unhealthy; it reserves 2), with one line
// on stderr saying why. A blocking socket with a short deadline: no HTTP library, no threads.
#pragma once

#include <chrono>
#include <string_view>

#include "commands.h"
#include "xdrsync/app/config.h"
#include "xdrsync/core/status.h"

namespace xdrsync::cli {

// How long the whole probe (connect, request, status line) may take.
inline constexpr std::chrono::milliseconds kHealthcheckTimeout{3000};

// Where to knock for a `listen` value: the wildcard hosts ("0.0.0.0", "::", no host) read as the
// loopback of their family. kInvalidArgument when `listen` is "" (the endpoint is off), malformed,
// or has port 0 (a free port chosen at start that nobody else can know).
Result<app::ListenAddress> ProbeAddress(std::string_view listen);

// GET `path` over HTTP/1.0 and return the status code of the answer. kUnavailable with the reason
// (refused, timed out, not HTTP) otherwise. Never waits longer than `timeout` in all.
Result<int> HttpGetStatus(const app::ListenAddress& to, std::string_view path, std::chrono::milliseconds timeout);

int Healthcheck(const Args& args);

}  // namespace xdrsync::cli
