#include "common.h"

#include <cstdio>

#include "xdrsync/app/logging.h"
#include "xdrsync/http/cpprest_transport.h"

namespace xdrsync::cli {

std::optional<app::Config> LoadConfigOrReport(const std::string& path) {
  auto config = app::LoadConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "xdrsync: configuration error: %s\n", config.status().message().c_str());
    return std::nullopt;
  }
  return std::move(*config);
}

std::unique_ptr<Process> StartProcess(const app::Config& config, bool quiet, std::FILE* log_out) {
  auto p = std::make_unique<Process>();
  app::LogConfig lc = config.log;
  if (quiet) lc.level = "warning";
  p->log = app::MakeLogger(lc, log_out, &p->clock);
  http::IgnoreSigpipe();
  http::TransportOptions options;
  if (Status s = http::CheckTransportOptions(options); !s.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", s.ToString().c_str());
    return nullptr;
  }
  p->transport = http::MakeCpprestTransport(options);
  auto rt = app::Runtime::Build(config, *p->transport, *p->log, p->metrics, p->sleeper, p->clock);
  if (!rt.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", rt.status().ToString().c_str());
    return nullptr;
  }
  p->runtime = std::move(*rt);
  return p;
}

}  // namespace xdrsync::cli
