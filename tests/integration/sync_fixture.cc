#include "sync_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "twin_id.h"

namespace xdrsync::integration {

using nlohmann::json;

void SyncTest::SetUp() {
  std::string pattern = (std::filesystem::temp_directory_path() / "xdrsync-it-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  dir_ = pattern;
}

void SyncTest::TearDown() {
  emu_.reset();
  if (!HasFailure() && std::getenv("XDRSYNC_IT_KEEP") == nullptr)
    std::filesystem::remove_all(dir_);
  else
    std::printf("kept %s for inspection\n", dir_.c_str());
}

json SyncTest::DefaultScenario() {
  json clients = json::array();
  for (const char* t : {kContoso, kFabrikam, kSoc}) {
    clients.push_back({{"tenant", t}, {"client_id", kClientId}, {"secret", kSecret}});
  }
  return {{"tenants", {kContoso, kFabrikam, kSoc}},
          {"workspaces",
           {{{"tenant", kSoc},
             {"subscription", kSubscription},
             {"resource_group", "soc-rg"},
             {"name", kWorkspace},
             {"onboarded", false}}}},
          {"clients", clients},
          {"settings", {{"list_lag_ms", 0}}}};
}

json SyncTest::OnboardedScenario(const std::string& tenant, const json& soc_roles) {
  json s = DefaultScenario();
  s["workspaces"][0]["tenant"] = tenant;
  s["workspaces"][0]["onboarded"] = true;
  for (auto& c : s["clients"]) {
    if (c["tenant"] == kSoc) c["graph_roles"] = soc_roles;
  }
  return s;
}

void SyncTest::StartEmulator(const json& scenario, bool rate_limits) {
  std::string error;
  std::vector<std::string> args;
  if (!rate_limits) args.push_back("--no-rate-limits");
  emu_ = EmulatorProcess::Start(dir_, scenario, args, &error);
  ASSERT_NE(emu_, nullptr) << error;
  config_ = {{"state_path", dir_ + "/state.db"},
             {"poll_interval_seconds", 1},
             {"listen", ""},
             {"log", {{"format", "json"}, {"level", "info"}}},
             {"defender_tenants", {Tenant("contoso", kContoso)}},
             {"sentinel_workspaces", {Workspace("soc", kWorkspace, kSoc, "azure")}},
             {"links", {Link("contoso-to-soc", "contoso", "soc")}}};
}

json SyncTest::Tenant(const std::string& name, const std::string& tenant_id) const {
  return {{"name", name},
          {"tenant_id", tenant_id},
          {"graph_url", emu_->base_url()},
          {"login_url", emu_->base_url()},
          {"reads_per_minute", 60000},
          {"writes_per_minute", 60000},
          {"auth", {{"kind", "client_secret"}, {"client_id", kClientId}, {"client_secret_env", kSecretEnv}}}};
}

json SyncTest::Workspace(const std::string& name, const std::string& workspace, const std::string& tenant_id,
                         const std::string& portal) const {
  return {{"name", name},
          {"subscription_id", kSubscription},
          {"resource_group", "soc-rg"},
          {"workspace", workspace},
          {"tenant_id", tenant_id},
          {"arm_url", emu_->base_url()},
          {"login_url", emu_->base_url()},
          {"graph_url", emu_->base_url()},
          {"portal", portal},
          {"reads_per_second", 1000},
          {"writes_per_second", 1000},
          {"auth", {{"kind", "client_secret"}, {"client_id", kClientId}, {"client_secret_env", kSecretEnv}}}};
}

json SyncTest::Link(const std::string& name, const std::string& defender, const std::string& sentinel) {
  return {{"name", name},
          {"defender", defender},
          {"sentinel", sentinel},
          {"mode", "mirror"},
          {"digest_min_interval_seconds", 0}};
}

std::string SyncTest::WriteConfig() const {
  const std::string path = dir_ + "/xdrsync.json";
  std::ofstream(path) << config_.dump(2);
  return path;
}

ProcessResult SyncTest::Xdrsync(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {XDRSYNC_BIN, "--config", WriteConfig()};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string prefix = dir_ + "/run" + std::to_string(++runs_);
  return RunProcess(argv, {{kSecretEnv, kSecret}}, prefix, timeout);
}

ProcessResult SyncTest::Once() {
  ProcessResult r = Xdrsync({"once"});
  EXPECT_EQ(r.exit_code, 0) << "xdrsync once failed\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
  return r;
}

std::unique_ptr<ChildProcess> SyncTest::StartDaemon() {
  const std::string prefix = dir_ + "/daemon" + std::to_string(++runs_);
  return std::make_unique<ChildProcess>(std::vector<std::string>{XDRSYNC_BIN, "--config", WriteConfig(), "run"},
                                        std::map<std::string, std::string>{{kSecretEnv, kSecret}}, prefix + ".out",
                                        prefix + ".err");
}

json SyncTest::Twin(const std::string& id, const std::string& tenant) const {
  return emu_->ArmIncident(kWorkspace, TwinName(tenant, id));
}

std::vector<json> SyncTest::WritesSinceClear() const { return Writes(emu_->Requests()); }

std::string Str(const json& j, const std::string& pointer) {
  const json::json_pointer p(pointer);
  if (!j.is_object() || !j.contains(p) || j.at(p).is_null()) return "";
  const json& v = j.at(p);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::vector<std::string> LabelNames(const json& arm_incident) {
  std::vector<std::string> out;
  for (const auto& l : arm_incident["properties"].value("labels", json::array()))
    out.push_back(l.value("labelName", ""));
  return out;
}

bool HasLabel(const json& arm_incident, const std::string& label) {
  for (const auto& l : LabelNames(arm_incident)) {
    if (l == label) return true;
  }
  return false;
}

std::vector<std::string> CommentTexts(const json& graph_incident) {
  std::vector<std::string> out;
  for (const auto& c : graph_incident.value("comments", json::array())) out.push_back(c.value("comment", ""));
  return out;
}

std::vector<std::string> ArmCommentTexts(const json& arm_incident) {
  std::vector<std::string> out;
  for (const auto& c : arm_incident.value("_comments", json::array()))
    out.push_back(c["properties"].value("message", ""));
  return out;
}

size_t CountContaining(const std::vector<std::string>& texts, const std::string& needle) {
  size_t n = 0;
  for (const auto& t : texts) n += t.find(needle) != std::string::npos ? 1u : 0u;
  return n;
}

std::string FreePort() {
  // Bind port 0, read the port, close: the daemon's health server binds it right after.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return std::to_string(ntohs(addr.sin_port));
}

}  // namespace xdrsync::integration
