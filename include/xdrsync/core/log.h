// Structured logging as an interface: one event name plus key/value fields per line. The app layer
// renders it (JSON lines or text, through spdlog); the engine and the adapters only see this, and
// tests use MemoryLogger. Loggers are passed in, never looked up globally. Never log a secret.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xdrsync {

enum class LogLevel { kTrace, kDebug, kInfo, kWarning, kError, kCritical, kOff };
std::string_view LogLevelName(LogLevel level);

using LogFields = std::vector<std::pair<std::string, std::string>>;

class Logger {
 public:
  virtual ~Logger() = default;
  // Thread-safe. Field values are text; invalid UTF-8 is replaced by the renderer, never thrown.
  virtual void Log(LogLevel level, std::string_view event, const LogFields& fields) = 0;
  virtual bool Enabled(LogLevel level) const = 0;

  void Info(std::string_view event, const LogFields& fields = {}) { Log(LogLevel::kInfo, event, fields); }
  void Warn(std::string_view event, const LogFields& fields = {}) { Log(LogLevel::kWarning, event, fields); }
  void Error(std::string_view event, const LogFields& fields = {}) { Log(LogLevel::kError, event, fields); }
  void Debug(std::string_view event, const LogFields& fields = {}) {
    if (Enabled(LogLevel::kDebug)) Log(LogLevel::kDebug, event, fields);
  }
};

class NullLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view, const LogFields&) override {}
  bool Enabled(LogLevel) const override { return false; }
};

// Keeps every event in memory, for tests.
class MemoryLogger final : public Logger {
 public:
  struct Entry {
    LogLevel level;
    std::string event;
    LogFields fields;
    std::string Field(std::string_view key) const;
  };
  void Log(LogLevel level, std::string_view event, const LogFields& fields) override;
  bool Enabled(LogLevel) const override { return true; }
  std::vector<Entry> entries() const;
  size_t Count(std::string_view event) const;

 private:
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace xdrsync
