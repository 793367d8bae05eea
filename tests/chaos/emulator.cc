#include "emulator.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "../integration/control_client.h"

namespace xdrsync::chaos {

using nlohmann::json;

std::unique_ptr<Emulator> Emulator::Start(const std::string& dir, const json& scenario, uint64_t seed,
                                          std::string* error) {
  const std::string scenario_path = dir + "/scenario.json";
  std::ofstream(scenario_path) << scenario.dump(2);
  // Rate limits off: throttling comes from the 429 faults, at the rate the run asks for.
  const std::vector<std::string> argv = {EMULATOR_BIN, "--port",       "0", "--seed-file", scenario_path,
                                         "--seed",     std::to_string(seed), "--no-rate-limits"};
  auto child = std::make_unique<integration::ChildProcess>(argv, std::map<std::string, std::string>{},
                                                           dir + "/emulator.out", dir + "/emulator.err");
  std::unique_ptr<Emulator> emu(new Emulator(std::move(child)));
  const std::string marker = "listening on http://127.0.0.1:";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = emu->child_->Stdout();
    if (const size_t at = out.find(marker); at != std::string::npos && out.find('\n', at) != std::string::npos) {
      emu->port_ = std::stoi(out.substr(at + marker.size()));
      return emu;
    }
    if (!emu->child_->running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *error = "the emulator did not start: " + emu->child_->Stderr();
  return nullptr;
}

Emulator::~Emulator() {
  child_->Signal(SIGTERM);
  if (child_->Wait(std::chrono::seconds(5)).timed_out) child_->Signal(SIGKILL);
}

ControlReply Emulator::Call(const std::string& method, const std::string& path, const json& body) const {
  ControlReply reply;
  for (int attempt = 0; attempt < 3 && reply.status == 0; ++attempt) {
    const integration::HttpReply r =
        integration::HttpCall(port_, method, "/_control" + path, body.is_null() ? "" : body.dump(), 60000);
    reply.status = r.status;
    reply.body = r.Json();
  }
  return reply;
}

json Emulator::World() const {
  const ControlReply r = Call("GET", "/state");
  return r.ok() && r.body.is_object() ? r.body.value("world", json::object()) : json::object();
}

}  // namespace xdrsync::chaos
