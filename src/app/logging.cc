#include "xdrsync/app/logging.h"

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "xdrsync/core/strings.h"

namespace xdrsync::app {
namespace {

using OrderedJson = nlohmann::ordered_json;

// dump() throws type_error.316 on invalid UTF-8 unless told to replace: an incident title from
// either API must never take the daemon down.
std::string Dump(const OrderedJson& j) { return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace); }

bool NumericKey(std::string_view key) {
  return key == "duration_ms" || key == "count" || key == "attempt" || EndsWith(key, "_ms") ||
         EndsWith(key, "_count") || EndsWith(key, "_seconds");
}

std::optional<OrderedJson> AsNumber(std::string_view v) {
  if (v.empty() || v.size() > 32) return std::nullopt;
  const char* end = v.data() + v.size();
  int64_t i = 0;
  if (auto r = std::from_chars(v.data(), end, i); r.ec == std::errc() && r.ptr == end) return OrderedJson(i);
  // from_chars would also take "inf" and "nan", which JSON cannot hold.
  for (char c : v) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-') return std::nullopt;
  }
  double d = 0;
  if (auto r = std::from_chars(v.data(), end, d); r.ec == std::errc() && r.ptr == end) return OrderedJson(d);
  return std::nullopt;
}

std::string FieldKey(const std::string& key) {
  return (key == "ts" || key == "level" || key == "event") ? "_" + key : key;
}

std::string_view TextLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "TRACE";
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO ";
    case LogLevel::kWarning: return "WARN ";
    case LogLevel::kError: return "ERROR";
    case LogLevel::kCritical: return "CRIT ";
    case LogLevel::kOff: return "OFF  ";
  }
  return "INFO ";
}

// Bare when it reads unambiguously, else a JSON string (quoted, escaped, UTF-8 repaired).
std::string TextValue(const std::string& v) {
  bool bare = !v.empty() && IsValidUtf8(v);
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) bare = false;
  }
  return bare ? v : Dump(OrderedJson(v));
}

spdlog::level::level_enum SpdLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarning: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kCritical: return spdlog::level::critical;
    case LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

class SpdLogger final : public Logger {
 public:
  SpdLogger(const LogConfig& config, spdlog::sink_ptr sink, const Clock* clock)
      : json_(config.format != "text"),
        min_(ParseLogLevel(config.level).value_or(LogLevel::kInfo)),
        clock_(clock != nullptr ? *clock : system_clock_),
        // Not registered in spdlog's global registry: loggers are passed in, never looked up.
        logger_(std::make_shared<spdlog::logger>("xdrsync", std::move(sink))) {
    logger_->set_pattern("%v");
    logger_->set_level(spdlog::level::trace);
    logger_->flush_on(spdlog::level::trace);
  }

  void Log(LogLevel level, std::string_view event, const LogFields& fields) override {
    if (!Enabled(level)) return;
    try {
      const Timestamp now = clock_.Now();
      const std::string line = json_ ? RenderJsonLine(now, level, event, fields)
                                     : RenderTextLine(now, level, event, fields);
      logger_->log(SpdLevel(level), spdlog::string_view_t(line.data(), line.size()));
    } catch (...) {
      // A full disk or a closed stdout must not stop the sync; the line is lost, nothing else.
    }
  }

  bool Enabled(LogLevel level) const override {
    return level != LogLevel::kOff && min_ != LogLevel::kOff && level >= min_;
  }

 private:
  const bool json_;
  const LogLevel min_;
  SystemClock system_clock_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (LogLevel l : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError,
                     LogLevel::kCritical, LogLevel::kOff}) {
    if (LogLevelName(l) == name) return l;
  }
  return std::nullopt;
}

std::string RenderJsonLine(Timestamp ts, LogLevel level, std::string_view event, const LogFields& fields) {
  OrderedJson j;
  // Milliseconds are enough for reading logs; the 7-digit API stamps travel as fields.
  j["ts"] = ts.ToString().substr(0, 23) + "Z";
  j["level"] = std::string(LogLevelName(level));
  j["event"] = std::string(event);
  for (const auto& [key, value] : fields) {
    std::optional<OrderedJson> number = NumericKey(key) ? AsNumber(value) : std::nullopt;
    j[FieldKey(key)] = number ? *number : OrderedJson(value);
  }
  return Dump(j);
}

std::string RenderTextLine(Timestamp ts, LogLevel level, std::string_view event, const LogFields& fields) {
  std::string line = ts.ToString().substr(11, 8);
  line += ' ';
  line += TextLevel(level);
  line += ' ';
  line += TextValue(std::string(event));
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += TextValue(key);
    line += '=';
    line += value.empty() ? "\"\"" : TextValue(value);
  }
  return line;
}

std::unique_ptr<Logger> MakeLogger(const LogConfig& config, std::FILE* out, const Clock* clock) {
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_base<spdlog::details::console_mutex>>(out);
  return std::make_unique<SpdLogger>(config, std::move(sink), clock);
}

std::unique_ptr<Logger> MakeLogger(const LogConfig& config, std::ostream& out, const Clock* clock) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out, /*force_flush=*/true);
  return std::make_unique<SpdLogger>(config, std::move(sink), clock);
}

}  // namespace xdrsync::app
