// Environment variables behind an interface, so the token providers can be tested without
// touching the process environment (a mutable global shared by every test).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xdrsync::auth {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value; nullopt when unset. An empty value counts as set. Thread-safe.
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
};

// The real process environment. Safe as long as nothing calls setenv() concurrently, which the
// daemon never does after start-up.
class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> Get(std::string_view name) const override;
};

}  // namespace xdrsync::auth
