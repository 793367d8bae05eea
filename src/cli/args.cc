#include "args.h"

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace xdrsync::cli {
namespace {

// What each command accepts: positional arguments (min..max) and options that take a value.
struct CommandSpec {
  const char* name;
  size_t min_positional;
  size_t max_positional;
  std::vector<std::string> options;
  const char* positional_usage;
};

const std::vector<CommandSpec>& Specs() {
  static const std::vector<CommandSpec> kSpecs = {
      {"check-config", 0, 0, {}, ""},
      {"run", 0, 0, {"--shard"}, ""},
      {"once", 0, 0, {"--wait"}, ""},
      {"plan", 0, 0, {}, ""},
      {"status", 0, 0, {}, ""},
      {"audit", 0, 0, {"--incident", "--link", "--limit"}, ""},
      {"rebuild-state", 0, 0, {"--wait"}, ""},
      {"approve", 1, 1, {"--wait"}, "LINK"},
      {"demo", 0, 0, {}, ""},
      {"healthcheck", 0, 0, {}, ""},
      {"forget", 1, 2, {"--wait"}, "LINK [DEFENDER_ID]"},
      {"resync", 2, 2, {"--wait"}, "LINK DEFENDER_ID"},
      {"remap", 1, 1, {"--wait"}, "LINK"},
  };
  return kSpecs;
}

const CommandSpec* FindSpec(const std::string& name) {
  for (const auto& s : Specs()) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

bool Takes(const CommandSpec& spec, const std::string& option) {
  for (const auto& o : spec.options) {
    if (o == option) return true;
  }
  return false;
}

// Options that take no value, by command.
bool TakesFlag(const CommandSpec& spec, const std::string& flag) {
  static const std::vector<std::pair<std::string, std::string>> kFlags = {
      {"forget", "--dry-run"}, {"resync", "--dry-run"}, {"remap", "--dry-run"}};
  for (const auto& [command, f] : kFlags) {
    if (command == spec.name && f == flag) return true;
  }
  return false;
}

xdrsync::Status UsageError(const std::string& message) { return InvalidArgument(message); }

// A value as the user typed it, made safe to print: at most 40 characters, controls escaped.
std::string Shown(const std::string& value) {
  std::string out;
  for (char c : value.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  if (value.size() > 40) out += "...";
  return out;
}

}  // namespace

Result<Args> ParseArgs(int argc, const char* const* argv) {
  Args args;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) words.emplace_back(argv[i]);
  const CommandSpec* spec = nullptr;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& a = words[i];
    if (a == "--help" || a == "-h" || a == "help") {
      args.command = "help";
      return args;
    }
    if (a == "--version") {
      args.command = "version";
      return args;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      name = a.substr(0, a.find('='));
      value = a.substr(a.find('=') + 1);
      inline_value = true;
    }
    if (spec != nullptr && TakesFlag(*spec, name)) {
      if (inline_value) return UsageError(name + " takes no value");
      args.flags.insert(name);
      continue;
    }
    const bool is_config = name == "--config" || name == "-c";
    if (is_config || (spec != nullptr && Takes(*spec, name))) {
      if (!inline_value) {
        if (i + 1 >= words.size()) return UsageError(name + " needs a value");
        value = words[++i];
      }
      if (value.empty()) return UsageError(name + " needs a non-empty value");
      if (is_config) {
        args.config_path = value;
      } else {
        args.options[name] = value;
      }
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      return UsageError("unknown option '" + Shown(name) + "'" +
                   (spec != nullptr ? " for " + args.command : std::string(" (options of a command follow it)")));
    }
    if (spec == nullptr) {
      spec = FindSpec(a);
      if (spec == nullptr) return UsageError("unknown command '" + Shown(a) + "' (xdrsync --help lists them)");
      args.command = a;
      continue;
    }
    args.rest.push_back(a);
  }
  if (spec == nullptr) return UsageError("no command given (xdrsync --help lists them)");
  if (args.rest.size() < spec->min_positional) {
    return UsageError(args.command + " needs " + spec->positional_usage);
  }
  if (args.rest.size() > spec->max_positional) {
    return UsageError(args.command + ": unexpected argument '" + Shown(args.rest[spec->max_positional]) + "'");
  }
  return args;
}

std::optional<std::string> Option(const Args& args, const std::string& name) {
  auto it = args.options.find(name);
  if (it == args.options.end()) return std::nullopt;
  return it->second;
}

Result<int64_t> IntegerOption(const Args& args, const std::string& name, int64_t min, int64_t max) {
  const auto text = Option(args, name);
  if (!text) return InvalidArgument(name + " is not set");
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || end != text->c_str() + text->size() || errno == ERANGE || v < min || v > max) {
    return InvalidArgument(name + " expects a whole number from " + std::to_string(min) + " to " +
                           std::to_string(max) + ", not '" + Shown(*text) + "'");
  }
  return static_cast<int64_t>(v);
}

Result<int64_t> WaitSeconds(const Args& args, int64_t fallback) {
  if (!Option(args, "--wait")) return fallback;
  return IntegerOption(args, "--wait", 0, 86'400);
}

}  // namespace xdrsync::cli
