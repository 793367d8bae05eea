// ISO-8601 UTC text for timestamps as both services write them: seven fractional digits
// ("2025-06-01T10:00:00.1234567Z"). Parsing accepts any precision and a Z or ±hh:mm offset.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace xdrsync::emulator {

using TimePoint = std::chrono::system_clock::time_point;

std::string FormatTime(TimePoint t);
// Seconds since the Unix epoch, as token responses carry them.
long long EpochSeconds(TimePoint t);
std::optional<TimePoint> ParseTime(const std::string& text);

}  // namespace xdrsync::emulator
