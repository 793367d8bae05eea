// The real xdrsync-emulator binary on port 0, driven through its control API. Unlike the
// integration tests' helper, a failed control call is a value, not a test failure: the harness
// retries or counts it, and never aborts a run half way.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "../integration/emulator_process.h"

namespace xdrsync::chaos {

struct ControlReply {
  int status = 0;  // 0 when nothing came back
  nlohmann::json body;
  bool ok() const { return status >= 200 && status < 300; }
};

class Emulator {
 public:
  // Writes the scenario to dir/scenario.json and starts the emulator; nullptr (reason in *error)
  // when it did not report its port within 20 s.
  // `extra_args` go to the emulator's command line (the API-variance flags).
  static std::unique_ptr<Emulator> Start(const std::string& dir, const nlohmann::json& scenario, uint64_t seed,
                                         const std::vector<std::string>& extra_args, std::string* error);
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // One control call (/_control + path); a reply of status 0 is retried a few times.
  ControlReply Call(const std::string& method, const std::string& path,
                    const nlohmann::json& body = nullptr) const;
  nlohmann::json World() const;  // the "world" of GET /_control/state, {} when unreachable
  bool running() { return process_->running(); }

 private:
  explicit Emulator(std::unique_ptr<integration::EmulatorProcess> process)
      : process_(std::move(process)), port_(process_->port()) {}
  std::unique_ptr<integration::EmulatorProcess> process_;  // started and stopped as in the integration tests
  int port_ = 0;
};

}  // namespace xdrsync::chaos
