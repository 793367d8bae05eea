#include "common.h"

#include <cstdio>

#include "xdrsync/app/logging.h"
#include "xdrsync/core/shard.h"
#include "xdrsync/http/cpprest_transport.h"

namespace xdrsync::cli {

std::optional<app::Config> LoadConfigOrReport(const std::string& path) {
  auto config = app::LoadConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "xdrsync: configuration error: %s\n", Printable(config.status().message()).c_str());
    return std::nullopt;
  }
  return std::move(*config);
}

std::string DumpForTerminal(const nlohmann::json& j) {
  const std::string raw = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size());
  static const char* kHex = "0123456789abcdef";
  for (size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    unsigned code = 0x100;  // none
    if (c == 0x7f) {
      code = c;
    } else if (c == 0xC2 && i + 1 < raw.size() && static_cast<unsigned char>(raw[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(raw[i + 1]) < 0xA0) {
      code = static_cast<unsigned char>(raw[++i]);
    }
    if (code == 0x100) {
      out += raw[i];
    } else {
      out += "\\u00";
      out += kHex[code >> 4];
      out += kHex[code & 15];
    }
  }
  return out;
}

namespace {

// Takes the writer lock for `p`, waiting while keep_waiting() says so. False when it gave up
// (nothing printed: the caller says why) or the lock file is unusable (printed).
bool WaitForWriterLock(Process& p, const app::Config& config, const std::function<bool()>& keep_waiting) {
  for (bool told = false;;) {
    auto lock = store::WriterLock::TryAcquire(config.state_path);
    if (lock.ok()) {
      p.lock = std::move(*lock);
      if (told) p.log->Info("state.lock_acquired", {{"state_path", config.state_path}});
      return true;
    }
    if (lock.status().code() != Code::kUnavailable) {
      std::fprintf(stderr, "xdrsync: %s\n", Printable(lock.status().ToString()).c_str());
      return false;
    }
    if (!told) {
      p.log->Warn("state.locked", {{"state_path", config.state_path},
                                   {"detail", "another xdrsync instance is writing this state; waiting for it"}});
      told = true;
    }
    if (!keep_waiting()) return false;
  }
}

std::unique_ptr<Process> MakeProcess(const app::Config& config, bool quiet, std::FILE* log_out) {
  auto p = std::make_unique<Process>();
  app::LogConfig lc = config.log;
  if (quiet) lc.level = "warning";
  p->log = app::MakeLogger(lc, log_out, &p->clock);
  return p;
}

// The transport and the runtime, over the links of the configuration's shard.
std::unique_ptr<Process> Wire(std::unique_ptr<Process> p, const app::Config& config) {
  http::IgnoreSigpipe();
  http::TransportOptions options;
  if (Status s = http::CheckTransportOptions(options); !s.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(s.ToString()).c_str());
    return nullptr;
  }
  p->transport = http::MakeCpprestTransport(options);
  p->served = config;
  if (auto shard = ParseShard(p->served.shard); !p->served.shard.empty() && shard.ok()) {  // checked at load
    std::erase_if(p->served.links, [&](const app::LinkConfig& l) { return !shard->Serves(l.name); });
  }
  auto rt = app::Runtime::Build(p->served, *p->transport, *p->log, p->metrics, p->sleeper, p->clock);
  if (!rt.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(rt.status().ToString()).c_str());
    return nullptr;
  }
  p->runtime = std::move(*rt);
  return p;
}

}  // namespace

std::unique_ptr<Process> StartProcess(const app::Config& config, bool quiet, std::FILE* log_out,
                                      const std::function<bool()>& keep_waiting) {
  auto p = MakeProcess(config, quiet, log_out);
  // One writer per state (spec §9): the lock comes before the store is opened (migrations write).
  if (keep_waiting && !WaitForWriterLock(*p, config, keep_waiting)) return nullptr;
  return Wire(std::move(p), config);
}

std::unique_ptr<Process> StartProcess(const app::Config& config, bool quiet, std::FILE* log_out,
                                      std::unique_ptr<store::WriterLock> lock) {
  auto p = MakeProcess(config, quiet, log_out);
  p->lock = std::move(lock);
  return Wire(std::move(p), config);
}

}  // namespace xdrsync::cli
