// The production Logger: one event per line on stdout (systemd hands it to the journal), as JSON
// lines for machines or text for humans, through spdlog. Built once in main and passed down.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "xdrsync/app/config.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/core/log.h"

namespace xdrsync::app {

// "trace", "debug", "info", "warning", "error", "critical", "off".
std::optional<LogLevel> ParseLogLevel(std::string_view name);

// A thread-safe Logger writing to `out`, each line flushed as it is written (a crash loses nothing
// already logged). Events below `config.level` are dropped. `clock` (optional, borrowed) stamps
// the lines; the system clock when null. Log() never throws: invalid UTF-8 in any field is
// replaced by U+FFFD, and a write error drops the line.
std::unique_ptr<Logger> MakeLogger(const LogConfig& config, std::FILE* out = stdout, const Clock* clock = nullptr);
std::unique_ptr<Logger> MakeLogger(const LogConfig& config, std::ostream& out, const Clock* clock = nullptr);

// The two line formats, without the newline:
//   {"ts":"2026-11-26T12:00:00.123Z","level":"info","event":"cycle","link":"contoso","duration_ms":42}
//   12:00:00 INFO  cycle link=contoso duration_ms=42
// Field values are text; a numeric value of `duration_ms`, `count`, `attempt` or a key ending in
// `_ms`, `_count` or `_seconds` is emitted as a JSON number. A field named ts, level or event is
// written as _ts, _level or _event so it cannot shadow the line's own.
std::string RenderJsonLine(Timestamp ts, LogLevel level, std::string_view event, const LogFields& fields);
std::string RenderTextLine(Timestamp ts, LogLevel level, std::string_view event, const LogFields& fields);

}  // namespace xdrsync::app
