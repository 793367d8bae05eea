// UUIDs: name-based version 5 (RFC 9562 §5.5) for deterministic twin and comment ids.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "xdrsync/core/status.h"

namespace xdrsync {

class Uuid {
 public:
  Uuid() = default;
  // Accepts the canonical 8-4-4-4-12 form, any case, optionally in braces.
  static Result<Uuid> Parse(std::string_view text);
  static Uuid V5(const Uuid& name_space, std::string_view name);

  // Lower-case canonical form.
  std::string ToString() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  bool operator==(const Uuid&) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

// The xdrsync namespace for every id we derive: twins, copied comments, markers.
const Uuid& XdrsyncNamespace();

// The Sentinel incident name of the twin of a Defender incident: UUIDv5 of
// "<lower-case tenant id>/<incident id>".
std::string TwinId(std::string_view defender_tenant_id, std::string_view defender_incident_id);

}  // namespace xdrsync
