#include "emulator_process.h"

#include <signal.h>

#include <fstream>
#include <thread>

#include "control_client.h"

namespace xdrsync::integration {

using nlohmann::json;

std::unique_ptr<EmulatorProcess> EmulatorProcess::Start(const std::string& dir, const json& scenario,
                                                        const std::vector<std::string>& extra_args,
                                                        std::string* error) {
  const std::string scenario_path = dir + "/scenario.json";
  std::ofstream(scenario_path) << scenario.dump(2);
  std::vector<std::string> argv = {EMULATOR_BIN, "--port", "0", "--seed-file", scenario_path};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  auto child = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, dir + "/emulator.out",
                                              dir + "/emulator.err");
  std::unique_ptr<EmulatorProcess> emu(new EmulatorProcess(std::move(child)));
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

EmulatorProcess::~EmulatorProcess() {
  child_->Signal(SIGTERM);
  if (child_->Wait(std::chrono::seconds(5)).timed_out) child_->Signal(SIGKILL);
}

json EmulatorProcess::Call(const std::string& method, const std::string& path, const json& body) const {
  return Control(port_, method, path, body);
}

json EmulatorProcess::World() const { return Call("GET", "/state").value("world", json::object()); }

json EmulatorProcess::Requests() const { return Call("GET", "/requests").value("requests", json::array()); }

void EmulatorProcess::ClearRequests() const { Call("DELETE", "/requests"); }

std::string EmulatorProcess::CreateIncident(const std::string& tenant, const json& spec) const {
  return Call("POST", "/tenants/" + tenant + "/incidents", spec).value("id", std::string());
}

void EmulatorProcess::UpdateIncident(const std::string& tenant, const std::string& id, const json& spec) const {
  Call("PATCH", "/tenants/" + tenant + "/incidents/" + id, spec);
}

void EmulatorProcess::CommentIncident(const std::string& tenant, const std::string& id, const std::string& text,
                                      const std::string& author) const {
  Call("POST", "/tenants/" + tenant + "/incidents/" + id + "/comments", {{"comment", text}, {"author", author}});
}

json EmulatorProcess::Incident(const std::string& tenant, const std::string& id) const {
  const json world = World();  // a named copy: range-for over a temporary's member would dangle
  for (const auto& i : world["tenants"][tenant]["incidents"]) {
    if (i.value("id", "") == id) return i;
  }
  return nullptr;
}

void EmulatorProcess::UpdateArm(const std::string& workspace, const std::string& name, const json& properties) const {
  Call("PATCH", "/workspaces/" + workspace + "/incidents/" + name, properties);
}

void EmulatorProcess::CommentArm(const std::string& workspace, const std::string& name, const std::string& message,
                                 const std::string& author) const {
  Call("POST", "/workspaces/" + workspace + "/incidents/" + name + "/comments",
       {{"message", message}, {"author", author}});
}

json EmulatorProcess::ArmIncidents(const std::string& workspace) const {
  return World()["workspaces"][workspace].value("incidents", json::array());
}

json EmulatorProcess::ArmIncident(const std::string& workspace, const std::string& name) const {
  for (const auto& i : ArmIncidents(workspace)) {
    if (i.value("name", "") == name) return i;
  }
  return nullptr;
}

void EmulatorProcess::AddFault(const json& rule) const { Call("POST", "/faults", rule); }

std::vector<json> Writes(const json& requests) {
  std::vector<json> out;
  for (const auto& r : requests) {
    const std::string path = r.value("path", "");
    if (r.value("method", "") == "GET" || path.find("/oauth2/") != std::string::npos) continue;
    out.push_back(r);
  }
  return out;
}

std::string Describe(const std::vector<json>& requests) {
  std::string out;
  for (const auto& r : requests) {
    out += r.value("method", "") + " " + r.value("path", "") + " -> " + std::to_string(r.value("status", 0)) + "\n";
  }
  return out;
}

}  // namespace xdrsync::integration
