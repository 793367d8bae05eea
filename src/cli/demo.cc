// `xdrsync demo`: the built-in emulator in this process (two Defender tenants and one Sentinel
// workspace), a realistic scenario, and the real daemon code syncing it over HTTP on 127.0.0.1 —
// narrated in plain lines, ending with a table of both sides.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "emulator.h"
#include "narrator.h"
#include "xdrsync/http/cpprest_transport.h"

namespace xdrsync::cli {

using nlohmann::json;

namespace {

constexpr const char* kContoso = "8a3c2b1e-0d4f-4c6a-9b7e-1f2a3b4c5d6e";
constexpr const char* kFabrikam = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";
constexpr const char* kSoc = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
constexpr const char* kSubscription = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
constexpr const char* kClientId = "3f4e5d6c-7b8a-4901-a2b3-c4d5e6f7a8b9";
constexpr const char* kSecret = "demo-only-secret-of-the-emulator";

std::string DemoConfig(const std::string& base, const std::string& state) {
  auto tenant = [&](const char* name, const char* id) {
    return json{{"name", name}, {"tenant_id", id}, {"graph_url", base}, {"login_url", base},
                {"auth", {{"kind", "client_secret"}, {"client_id", kClientId},
                          {"client_secret_env", "XDRSYNC_DEMO_SECRET"}}}};
  };
  auto link = [](const char* name, const char* defender, const char* prefix, const char* domain) {
    return json{{"name", name}, {"defender", defender}, {"sentinel", "soc"}, {"mode", "mirror"},
                {"title_prefix", prefix}, {"owners", {{"domains", {{domain, "soc.example"}}}, {"unmapped", "copy-as-is"}}},
                {"digest_min_interval_seconds", 0}};
  };
  json c = {{"state_path", state}, {"poll_interval_seconds", 1}, {"listen", ""},
            {"log", {{"format", "text"}, {"level", "warning"}}},
            {"defender_tenants", {tenant("contoso", kContoso), tenant("fabrikam", kFabrikam)}},
            {"sentinel_workspaces", {{{"name", "soc"}, {"subscription_id", kSubscription}, {"resource_group", "soc-rg"},
                                      {"workspace", "soc-ws"}, {"tenant_id", kSoc}, {"arm_url", base},
                                      {"login_url", base}, {"graph_url", base}, {"portal", "azure"},
                                      {"auth", {{"kind", "client_secret"}, {"client_id", kClientId},
                                                {"client_secret_env", "XDRSYNC_DEMO_SECRET"}}}}}},
            {"links", {link("contoso-to-soc", "contoso", "[contoso] ", "contoso.com"),
                       link("fabrikam-to-soc", "fabrikam", "[fabrikam] ", "fabrikam.com")}}};
  return c.dump(2);
}

std::string Created(const emulator::ApiResult& r) { return r.body.value("id", std::string()); }

}  // namespace

int Demo(const Args&) {
  emulator::EmulatorOptions eo;
  eo.tenants = {kContoso, kFabrikam, kSoc};
  eo.workspaces = {{kSoc, kSubscription, "soc-rg", "soc-ws", false}};
  for (const char* t : {kContoso, kFabrikam, kSoc}) {
    emulator::ClientConfig c;
    c.tenant = t;
    c.client_id = kClientId;
    c.secret = kSecret;
    eo.clients.push_back(c);
  }
  std::string error;
  auto emu = emulator::Emulator::Start(eo, &error);
  if (!emu) {
    std::fprintf(stderr, "xdrsync demo: the emulator did not start: %s\n", error.c_str());
    return kExitLinkFailed;
  }
  ::setenv("XDRSYNC_DEMO_SECRET", kSecret, 1);
  const auto dir = std::filesystem::temp_directory_path() / ("xdrsync-demo-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto parsed = app::ParseConfig(DemoConfig(emu->base_url(), (dir / "state.db").string()), "demo.json");
  if (!parsed.ok()) {
    std::fprintf(stderr, "xdrsync demo: %s\n", parsed.status().ToString().c_str());
    return kExitConfig;
  }
  Narrator say(stdout);
  say.Title("xdrsync demo — emulator at " + emu->base_url());
  say.Line("Two Defender XDR tenants (contoso, fabrikam) mirror into one Sentinel workspace (soc).");

  auto& world = emu->world();
  const std::string multi = Created(world.ControlCreateGraphIncident(kContoso, {
      {"displayName", "Multi-stage attack on FIN-LAPTOP-07"}, {"severity", "high"}, {"assignedTo", "alice@contoso.com"},
      {"alerts", {{{"title", "Suspicious PowerShell"}, {"severity", "high"}, {"serviceSource", "microsoftDefenderForEndpoint"}},
                  {{"title", "Credential dumping"}, {"severity", "high"}, {"serviceSource", "microsoftDefenderForEndpoint"}}}},
      {"comments", {"Host isolated by tier 1."}}, {"author", "alice@contoso.com"}}));
  const std::string phish = Created(world.ControlCreateGraphIncident(kContoso, {
      {"displayName", "Phishing campaign against finance"}, {"severity", "medium"}, {"alertCount", 3},
      {"comments", {"Reported by 4 users; mail purged."}}, {"author", "carol@contoso.com"}}));
  const std::string signin = Created(world.ControlCreateGraphIncident(kContoso, {
      {"displayName", "Unfamiliar sign-in properties"}, {"severity", "low"}, {"alertCount", 1}}));
  const std::string storm = Created(world.ControlCreateGraphIncident(kContoso, {
      {"displayName", "Malware outbreak across branch offices"}, {"severity", "high"}, {"alertCount", 200}}));
  const std::string ransom = Created(world.ControlCreateGraphIncident(kFabrikam, {
      {"displayName", "Ransomware precursor on FAB-SRV-02"}, {"severity", "high"}, {"assignedTo", "dan@fabrikam.com"},
      {"alertCount", 4}}));

  Process proc;
  proc.log = std::make_unique<NarratingLogger>(say);
  http::IgnoreSigpipe();
  proc.transport = http::MakeCpprestTransport({});
  auto rt = app::Runtime::Build(*parsed, *proc.transport, *proc.log, proc.metrics, proc.sleeper, proc.clock);
  if (!rt.ok()) {
    std::fprintf(stderr, "xdrsync demo: %s\n", rt.status().ToString().c_str());
    return kExitLinkFailed;
  }
  proc.runtime = std::move(*rt);
  auto sync = [&](const std::string& heading) {
    say.Title(heading);
    for (auto* runner : proc.runtime->runners()) {
      for (int i = 0; i < 6; ++i) {
        engine::CycleOptions o;
        o.full_sweep = i == 0;
        o.drain_all = true;
        const auto r = runner->RunCycle(o);
        if (!r.status.ok()) say.Line("link " + runner->name() + " failed: " + r.status.ToString());
        if (!r.status.ok() || r.settled()) break;
      }
    }
  };

  sync("1. First sync: five new incidents, twins created in Sentinel");
  say.Title("2. Analysts at work");
  const auto twins = ReadTwins(world, kSoc);
  auto twin = [&](const std::string& title) {
    for (const auto& [name, t] : twins) {
      if (t.find(title) != std::string::npos) return name;
    }
    return std::string();
  };
  say.Line("Sentinel: tier 2 closes the twin of 'Unfamiliar sign-in properties' as a false positive.");
  world.ControlUpdateArmIncident("soc-ws", twin("Unfamiliar sign-in"),
                                 {{"status", "Closed"}, {"classification", "FalsePositive"},
                                  {"classificationReason", "IncorrectAlertLogic"},
                                  {"classificationComment", "Known VPN egress; allow-listed."}});
  say.Line("Defender: the phishing incident is handed to bob@contoso.com.");
  world.ControlUpdateGraphIncident(kContoso, phish, {{"assignedTo", "bob@contoso.com"}});
  say.Line("Sentinel: an analyst comments on the multi-stage attack twin.");
  world.ControlArmComment("soc-ws", twin("Multi-stage attack"), {{"message", "Blocked C2 domain at the proxy."},
                                                                 {"author", "sam@soc.example"}});
  say.Line("Defender: the phishing incident is merged into the multi-stage attack.");
  world.ControlMerge(kContoso, {{"source", phish}, {"target", multi}});
  say.Line("Conflict: fabrikam resolves the ransomware incident in Defender while the SOC sets its twin Active.");
  world.ControlUpdateGraphIncident(kFabrikam, ransom, {{"status", "resolved"}, {"classification", "truePositive"},
                                                       {"determination", "malware"}});
  world.ControlUpdateArmIncident("soc-ws", twin("Ransomware precursor"), {{"status", "Active"}});

  sync("3. Second sync: changes flow both ways");
  PrintTable(say, world, {kContoso, kFabrikam}, kSoc, proc.runtime->store(), {multi, phish, signin, storm, ransom});
  say.Line("");
  auto audit = proc.runtime->store().AuditLog({});
  say.Line("The audit trail holds " + std::to_string(audit.ok() ? audit->size() : 0) +
           " propagated changes (`xdrsync audit` shows them); both twins and comments carry markers, so a rerun "
           "or a lost state database never duplicates anything.");
  emu->Stop();
  std::filesystem::remove_all(dir);
  return kExitOk;
}

}  // namespace xdrsync::cli
