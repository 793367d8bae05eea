#include "xdrsync/core/log.h"

#include <algorithm>

namespace xdrsync {

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
    case LogLevel::kCritical: return "critical";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

std::string MemoryLogger::Entry::Field(std::string_view key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return "";
}

void MemoryLogger::Log(LogLevel level, std::string_view event, const LogFields& fields) {
  std::lock_guard lock(mu_);
  entries_.push_back({level, std::string(event), fields});
}

std::vector<MemoryLogger::Entry> MemoryLogger::entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

size_t MemoryLogger::Count(std::string_view event) const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(
      std::count_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.event == event; }));
}

}  // namespace xdrsync
