// The deterministic twin id of spec §3, computed here independently of the daemon (OpenSSL SHA-1),
// so a test catches the daemon naming twins differently.
#pragma once

#include <string>

namespace xdrsync::integration {

// RFC 9562 UUIDv5 of `name` in the namespace `namespace_uuid`, lower-case text.
std::string UuidV5(const std::string& namespace_uuid, const std::string& name);

// The ARM name of the twin of Defender incident `incident_id` of `tenant_id`.
std::string TwinName(const std::string& tenant_id, const std::string& incident_id);

}  // namespace xdrsync::integration
