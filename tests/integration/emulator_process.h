// The real xdrsync-emulator binary, spawned on port 0 with a scenario file, and the control-API
// calls the tests use: seed and change incidents as an analyst, faults, the request log, state.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.h"

namespace xdrsync::integration {

class EmulatorProcess {
 public:
  // Writes `scenario` to dir/scenario.json and starts the emulator on it; nullptr (with the
  // reason in *error) when it did not report its port within 20 s.
  static std::unique_ptr<EmulatorProcess> Start(const std::string& dir, const nlohmann::json& scenario,
                                                const std::vector<std::string>& extra_args, std::string* error);
  ~EmulatorProcess();  // SIGTERM, then SIGKILL if it lingers

  int port() const { return port_; }
  bool running() const { return child_->running(); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  nlohmann::json Call(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) const;
  nlohmann::json World() const;  // GET /_control/state -> world
  nlohmann::json Requests() const;
  void ClearRequests() const;

  // Defender side, as an analyst.
  std::string CreateIncident(const std::string& tenant, const nlohmann::json& spec) const;  // returns the id
  void UpdateIncident(const std::string& tenant, const std::string& id, const nlohmann::json& spec) const;
  void CommentIncident(const std::string& tenant, const std::string& id, const std::string& text,
                       const std::string& author) const;
  nlohmann::json Incident(const std::string& tenant, const std::string& id) const;  // from the world dump

  // Sentinel side, as an analyst.
  void UpdateArm(const std::string& workspace, const std::string& name, const nlohmann::json& properties) const;
  void CommentArm(const std::string& workspace, const std::string& name, const std::string& message,
                  const std::string& author) const;
  nlohmann::json ArmIncidents(const std::string& workspace) const;
  nlohmann::json ArmIncident(const std::string& workspace, const std::string& name) const;  // null when absent

  void AddFault(const nlohmann::json& rule) const;

 private:
  explicit EmulatorProcess(std::unique_ptr<ChildProcess> child) : child_(std::move(child)) {}

  std::unique_ptr<ChildProcess> child_;
  int port_ = 0;
};

// The requests that changed something: every non-GET except token requests.
std::vector<nlohmann::json> Writes(const nlohmann::json& requests);
// "METHOD path -> status" lines, for failure messages.
std::string Describe(const std::vector<nlohmann::json>& requests);

}  // namespace xdrsync::integration
