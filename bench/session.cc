#include "session.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "chaos/state_db.h"
#include "integration/twin_id.h"

namespace xdrsync::bench {

using nlohmann::json;

double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

namespace {

std::string MakeDir(const std::string& label) {
  std::string dir = (std::filesystem::temp_directory_path() / ("xdrsync-bench-" + label + "-XXXXXX")).string();
  if (::mkdtemp(dir.data()) == nullptr) throw HarnessError("cannot create a run directory under /tmp");
  return dir;
}

json IncidentSpec(size_t n, const IncidentShape& shape) {
  std::string description = "Benchmark incident " + std::to_string(n) + ". ";
  while (description.size() < static_cast<size_t>(shape.description_chars)) description += "Suspicious sign-in activity. ";
  description.resize(static_cast<size_t>(shape.description_chars));
  return {{"displayName", "Bench incident " + std::to_string(n)},
          {"severity", n % 3 == 0 ? "high" : "medium"},
          {"description", description},
          {"alertCount", shape.alerts}};
}

}  // namespace

Session::Session(const std::string& label, const Topology& topology, bool emulator_rate_limits, bool keep)
    : dir_(MakeDir(label)), topology_(topology), keep_(keep) {
  std::string error;
  emu_ = chaos::Emulator::Start(dir_, topology_.Scenario(), 1, {}, &error);
  if (!emu_) throw HarnessError(label + ": " + error);
  SetEmulatorRateLimits(emulator_rate_limits);
  daemon_ = std::make_unique<chaos::Daemon>(dir_, dir_ + "/xdrsync.json");
}

Session::~Session() {
  if (daemon_ && daemon_->running()) daemon_->Stop();
  daemon_.reset();
  emu_.reset();
  if (!keep_) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void Session::SetEmulatorRateLimits(bool on) const {
  if (!emu_->Call("POST", "/settings", {{"rate_limits", {{"enabled", on}}}}).ok()) {
    throw HarnessError("the emulator refused its rate-limit setting");
  }
}

std::vector<Seeded> Session::Seed(int per_tenant, const IncidentShape& shape) const {
  const auto& tenants = topology_.tenants();
  std::vector<Seeded> out(tenants.size() * static_cast<size_t>(per_tenant));
  auto worker = [&](size_t first) {
    for (size_t i = first; i < out.size(); i += 4) {
      const size_t t = i % tenants.size();
      const chaos::ControlReply r = emu_->Call("POST", "/tenants/" + tenants[t].id + "/incidents", IncidentSpec(i, shape));
      if (!r.ok()) return "seeding incident " + std::to_string(i) + ": " + std::to_string(r.status) + " " + r.body.dump();
      out[i] = {t, r.body.value("id", ""), integration::TwinName(tenants[t].id, r.body.value("id", ""))};
    }
    return std::string();
  };
  std::vector<std::future<std::string>> workers;
  for (size_t w = 0; w < 4; ++w) workers.push_back(std::async(std::launch::async, worker, w));
  for (auto& w : workers) {
    if (std::string e = w.get(); !e.empty()) throw HarnessError(e);
  }
  return out;
}

void Session::SeedBulk(int per_tenant, const IncidentShape& shape) const {
  json incidents = json::array();
  size_t n = 0;
  for (int i = 0; i < per_tenant; ++i) {
    for (const auto& t : topology_.tenants()) {
      json spec = IncidentSpec(n++, shape);
      spec["tenant"] = t.id;
      incidents.push_back(std::move(spec));
    }
  }
  const chaos::ControlReply r = emu_->Call("POST", "/scenario", {{"defender_incidents", incidents}});
  if (!r.ok()) throw HarnessError("bulk seeding: " + std::to_string(r.status) + " " + r.body.dump().substr(0, 300));
}

void Session::StartDaemon(const DaemonSettings& settings) {
  std::ofstream(dir_ + "/xdrsync.json") << topology_.DaemonConfig(dir_, emu_->base_url(), settings).dump(2);
  last_sample_ = {};
  daemon_->Start();
}

int Session::StopDaemon() {
  if (!daemon_->running()) return -1;
  if (ProcSample s = ReadProc(daemon_->pid()); s.ok) last_sample_ = s;
  return daemon_->Stop();
}

void Session::CheckAlive() const {
  if (!emu_->running()) throw HarnessError("the emulator died (run directory " + dir_ + ")");
  if (daemon_->starts() > 0 && !daemon_->running()) {
    throw HarnessError("xdrsync run ended on its own: " + daemon_->HowItEnded().substr(0, 1500));
  }
}

ProcSample Session::Sample() const { return ReadProc(daemon_->pid()); }

int64_t Session::CyclesDone() const {
  std::ifstream in(daemon_->out_path());
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) n += line.find("\"cycle.done\"") != std::string::npos ? 1 : 0;
  return n;
}

CallCounts Session::Counters() const {
  const chaos::ControlReply r = emu_->Call("GET", "/counters");
  if (!r.ok()) throw HarnessError("the emulator's counters could not be read");
  return CallCounts::FromCounters(r.body.value("counters", json::object()));
}

int64_t Session::TwinsCreated() const {
  const chaos::ControlReply r = emu_->Call("GET", "/counters");
  if (!r.ok()) throw HarnessError("the emulator's counters could not be read");
  int64_t n = 0;
  for (const char* route : {"arm.incidents.put", "graph.alerts.create"}) {
    const json c = r.body["counters"].value(route, json::object());
    n += c.value("by_status", json::object()).value("201", int64_t{0});
  }
  return n;
}

void Session::ResetCounters() const {
  if (!emu_->Call("DELETE", "/requests").ok()) throw HarnessError("the emulator's request log could not be reset");
}

long Session::OutboxRows() const { return chaos::ReadState(state_path(), false).outbox; }

int64_t Session::DbBytes() const {
  int64_t n = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(state_path() + suffix, ec);
    if (!ec) n += static_cast<int64_t>(size);
  }
  return n;
}

double Session::WaitSettled(int64_t creates, Clock::time_point since, std::chrono::seconds quiet,
                            std::chrono::seconds limit) const {
  int64_t writes = -1, cycles_then = 0;
  auto last_write = Clock::now();
  const auto links = static_cast<int64_t>(topology_.links().size());
  while (SecondsSince(since) < static_cast<double>(limit.count())) {
    CheckAlive();
    const int64_t now_writes = Counters().Writes();
    if (now_writes != writes) {
      writes = now_writes;
      last_write = Clock::now();
      cycles_then = CyclesDone();
    }
    // Two whole cycles of every link without a write: a cycle that reads many pairs can take
    // longer than any fixed quiet time before it plans the next writes.
    if (Clock::now() - last_write >= quiet && CyclesDone() >= cycles_then + 2 * links && TwinsCreated() >= creates &&
        OutboxRows() == 0) {
      return std::chrono::duration<double>(last_write - since).count();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  throw HarnessError("not settled after " + std::to_string(limit.count()) + " s: " + std::to_string(TwinsCreated()) +
                     " of " + std::to_string(creates) + " twins, outbox " + std::to_string(OutboxRows()));
}

void Session::WaitCycles(int64_t base, int64_t cycles, std::chrono::seconds limit) const {
  const auto start = Clock::now();
  const auto want = base + cycles * static_cast<int64_t>(topology_.links().size());
  while (CyclesDone() < want) {
    CheckAlive();
    if (SecondsSince(start) > static_cast<double>(limit.count())) {
      throw HarnessError("the daemon logged " + std::to_string(CyclesDone() - base) + " cycles in " +
                         std::to_string(limit.count()) + " s, expected " + std::to_string(want - base));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace xdrsync::bench
