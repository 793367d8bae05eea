#include "emulator.h"

#include "../integration/control_client.h"

namespace xdrsync::chaos {

using nlohmann::json;

std::unique_ptr<Emulator> Emulator::Start(const std::string& dir, const json& scenario, uint64_t seed,
                                          const std::vector<std::string>& extra_args, std::string* error) {
  // Rate limits off: throttling comes from the 429 faults, at the rate the run asks for.
  std::vector<std::string> args = {"--seed", std::to_string(seed), "--no-rate-limits"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto process = integration::EmulatorProcess::Start(dir, scenario, args, error);
  if (!process) return nullptr;
  return std::unique_ptr<Emulator>(new Emulator(std::move(process)));
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
