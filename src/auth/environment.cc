#include "xdrsync/auth/environment.h"

#include <cstdlib>

namespace xdrsync::auth {

std::optional<std::string> ProcessEnvironment::Get(std::string_view name) const {
  const std::string key(name);
  const char* value = std::getenv(key.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace xdrsync::auth
