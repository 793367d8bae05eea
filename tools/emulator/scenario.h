// JSON readers for the configuration pieces a scenario or the control API can carry.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "auth_service.h"
#include "world.h"

namespace xdrsync::emulator {

bool ClientFromJson(const nlohmann::json& j, ClientConfig* client, std::string* error);
bool WorkspaceFromJson(const nlohmann::json& j, WorkspaceConfig* workspace, std::string* error);

}  // namespace xdrsync::emulator
