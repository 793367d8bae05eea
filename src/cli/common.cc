#include "common.h"

#include <cstdio>

#include "xdrsync/app/logging.h"
#include "xdrsync/core/shard.h"
#include "xdrsync/http/cpprest_transport.h"
#include "xdrsync/store/state_store.h"

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

// A state that cannot be written now (a full disk, a read-only or unreachable mount), as opposed
// to one that is broken or misconfigured: worth waiting for.
bool Unwritable(const Status& s) {
  return s.code() == Code::kResourceExhausted || s.code() == Code::kPermissionDenied || s.code() == Code::kUnavailable;
}

// The writer lock, and (with `waiting`) a state that opens for writing; nullptr after reporting
// why not on stderr.
std::unique_ptr<store::WriterLock> AcquireState(const app::Config& config, Logger& log,
                                                const std::function<bool()>& keep_waiting, const WaitReport& waiting) {
  const bool wait_unwritable = static_cast<bool>(waiting);
  for (bool locked_told = false, unwritable_told = false;;) {
    auto lock = store::WriterLock::TryAcquire(config.state_path);
    Status problem = lock.status();
    if (lock.ok() && wait_unwritable) problem = store::OpenStateStore(config.state_path).status();
    if (lock.ok() && problem.ok()) {
      if (locked_told) log.Info("state.lock_acquired", {{"state_path", config.state_path}});
      if (unwritable_told) log.Info("state.writable", {{"state_path", config.state_path}});
      if (waiting) waiting("");
      return std::move(*lock);
    }
    const bool held = !lock.ok() && problem.code() == Code::kUnavailable;
    if (!held && !(wait_unwritable && Unwritable(problem))) {
      std::fprintf(stderr, "xdrsync: %s\n", Printable(problem.ToString()).c_str());
      return nullptr;
    }
    if (held && !locked_told) {
      log.Warn("state.locked", {{"state_path", config.state_path},
                                {"detail", "another xdrsync instance is writing this state; waiting for it"}});
      locked_told = true;
    } else if (!held && !unwritable_told) {
      log.Error("state.unwritable", {{"error", problem.ToString()},
                                     {"detail", "waiting for the state to be writable; nothing is synced until then"}});
      unwritable_told = true;
    }
    if (waiting) waiting(held ? "waiting for the writer lock: another xdrsync instance holds it"
                              : "state not writable: " + problem.ToString());
    if (!keep_waiting()) {
      if (waiting) {
        std::fprintf(stderr, "xdrsync: gave up waiting for the state %s: %s\n", Printable(config.state_path).c_str(),
                     Printable(problem.ToString()).c_str());
      }
      return nullptr;
    }
  }
}

}  // namespace

std::unique_ptr<Process> NewProcess(const app::Config& config, bool quiet, std::FILE* log_out) {
  auto p = std::make_unique<Process>();
  app::LogConfig lc = config.log;
  if (quiet) lc.level = "warning";
  p->log = app::MakeLogger(lc, log_out, &p->clock);
  return p;
}

std::unique_ptr<Process> StartProcess(const app::Config& config, bool quiet, std::FILE* log_out,
                                      const std::function<bool()>& keep_waiting, const WaitReport& waiting) {
  auto p = NewProcess(config, quiet, log_out);
  if (!FinishProcess(*p, config, keep_waiting, waiting)) return nullptr;
  return p;
}

std::unique_ptr<Process> StartProcess(const app::Config& config, bool quiet, std::FILE* log_out,
                                      std::unique_ptr<store::WriterLock> lock) {
  auto p = NewProcess(config, quiet, log_out);
  p->lock = std::move(lock);
  if (!FinishProcess(*p, config, nullptr, nullptr)) return nullptr;
  return p;
}

bool FinishProcess(Process& p, const app::Config& config, const std::function<bool()>& keep_waiting,
                   const WaitReport& waiting) {
  // One writer per state (spec §9): the lock comes before the store is opened (migrations write).
  if (keep_waiting) {
    p.lock = AcquireState(config, *p.log, keep_waiting, waiting);
    if (!p.lock) return false;
  }
  http::IgnoreSigpipe();
  http::TransportOptions options;
  if (Status s = http::CheckTransportOptions(options); !s.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(s.ToString()).c_str());
    return false;
  }
  p.transport = http::MakeCpprestTransport(options);
  p.served = config;
  if (auto shard = ParseShard(p.served.shard); !p.served.shard.empty() && shard.ok()) {  // checked at load
    std::erase_if(p.served.links, [&](const app::LinkConfig& l) { return !shard->Serves(l.name); });
  }
  auto rt = app::Runtime::Build(p.served, *p.transport, *p.log, p.metrics, p.sleeper, p.clock);
  if (!rt.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(rt.status().ToString()).c_str());
    return false;
  }
  p.runtime = std::move(*rt);
  return true;
}

}  // namespace xdrsync::cli
