// The command line, checked before any command runs: every mistake (an unknown command or option,
// an option without its value, a value that is not a number, too many or too few arguments) is one
// line on stderr and exit 64 (EX_USAGE), never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "commands.h"
#include "xdrsync/core/status.h"

namespace xdrsync::cli {

// Parses argv. `--help` and `--version` come back as the commands "help" and "version".
// kInvalidArgument with the one-line message on any mistake.
Result<Args> ParseArgs(int argc, const char* const* argv);

// An option's value as a whole number in [min, max], or kInvalidArgument naming the option.
Result<int64_t> IntegerOption(const Args& args, const std::string& name, int64_t min, int64_t max);
// `--wait SECONDS` (0 to 86400) of a command that takes the state's writer lock, `fallback` when
// it is not given.
Result<int64_t> WaitSeconds(const Args& args, int64_t fallback);
// The option's value, if given.
std::optional<std::string> Option(const Args& args, const std::string& name);

}  // namespace xdrsync::cli
