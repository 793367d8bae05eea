// Measures how many list/get/write requests per second the in-process emulator serves, over
// real sockets with a keep-alive client, with the whole process pinned to one CPU.
// Not a test: it prints figures. Usage: emulator_bench [requests-per-kind]
#include <sched.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "emulator.h"
#include "test_http_client.h"

namespace {

using xdrsync::emulator::Emulator;
using xdrsync::emulator::EmulatorOptions;
using xdrsync::emulator::testing::ClientResponse;
using xdrsync::emulator::testing::TestHttpClient;

const char kIncidents[] =
    "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.OperationalInsights/workspaces/ws1"
    "/providers/Microsoft.SecurityInsights/incidents";

double Measure(const char* name, int count, const std::function<ClientResponse(int)>& call) {
  int failures = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    ClientResponse r = call(i);
    if (r.status < 200 || r.status >= 300) ++failures;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double rate = count / seconds;
  std::printf("%-28s %6d requests  %8.0f req/s  %d failures\n", name, count, rate, failures);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 3000;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  bool pinned = sched_setaffinity(0, sizeof(one), &one) == 0;

  EmulatorOptions options;
  options.tenants = {"t1"};
  options.workspaces = {{"t1", "sub1", "rg1", "ws1", false}};
  options.limits.enabled = false;
  std::string error;
  auto emulator = Emulator::Start(options, &error);
  if (!emulator) {
    std::fprintf(stderr, "start failed: %s\n", error.c_str());
    return 1;
  }
  for (int i = 0; i < 200; ++i) {
    emulator->world().ControlCreateGraphIncident("t1", {{"displayName", "bench " + std::to_string(i)}, {"alertCount", 2}});
    emulator->world().ControlCreateArmIncident("ws1", {{"name", "inc-" + std::to_string(i)}, {"title", "bench"}});
  }
  std::string graph = emulator->MintToken("t1", "xdrsync-app", "https://graph.microsoft.com/.default");
  std::string arm = emulator->MintToken("t1", "xdrsync-app", "https://management.azure.com/.default");
  TestHttpClient client(emulator->port(), true);
  std::string api = "?api-version=2025-09-01";
  std::printf("emulator_bench: %s, %d requests per kind, keep-alive, 200 incidents per side\n",
              pinned ? "pinned to CPU 0" : "NOT pinned", count);
  double total = 0;
  total += Measure("graph list $top=50", count, [&](int) {
    return client.Get("/v1.0/security/incidents?$top=50", graph);
  });
  total += Measure("graph get", count, [&](int i) {
    return client.Get("/v1.0/security/incidents/" + std::to_string(1001 + i % 200), graph);
  });
  total += Measure("graph patch", count, [&](int i) {
    return client.SendJson("PATCH", "/v1.0/security/incidents/" + std::to_string(1001 + i % 200),
                           {{"assignedTo", "u" + std::to_string(i)}}, graph);
  });
  total += Measure("arm list $top=50", count, [&](int) {
    return client.Get(std::string(kIncidents) + api + "&$top=50", arm);
  });
  total += Measure("arm get", count, [&](int i) {
    return client.Get(std::string(kIncidents) + "/inc-" + std::to_string(i % 200) + api, arm);
  });
  total += Measure("arm put", count, [&](int i) {
    return client.SendJson("PUT", std::string(kIncidents) + "/inc-" + std::to_string(i % 200) + api,
                           {{"properties", {{"title", "t" + std::to_string(i)}, {"severity", "Low"}, {"status", "Active"}}}},
                           arm);
  });
  std::printf("mean over kinds: %.0f req/s\n", total / 6);
  // A poller's mix: one list page per nine gets and writes, half on each API.
  Measure("mixed (1 list : 9 get/write)", count, [&](int i) {
    std::string n = std::to_string(i % 200);
    bool graph_side = (i / 10) % 2 == 0;
    if (i % 10 == 0) {
      return graph_side ? client.Get("/v1.0/security/incidents?$top=50", graph)
                        : client.Get(std::string(kIncidents) + api + "&$top=50", arm);
    }
    if (i % 2 == 0) {
      return graph_side ? client.Get("/v1.0/security/incidents/" + std::to_string(1001 + i % 200), graph)
                        : client.Get(std::string(kIncidents) + "/inc-" + n + api, arm);
    }
    return graph_side ? client.SendJson("PATCH", "/v1.0/security/incidents/" + std::to_string(1001 + i % 200),
                                        {{"severity", "high"}}, graph)
                      : client.SendJson("PUT", std::string(kIncidents) + "/inc-" + n + api,
                                        {{"properties", {{"title", "m"}, {"severity", "Low"}, {"status", "New"}}}}, arm);
  });
  std::printf("target: >= 1000 req/s on one core\n");
  emulator->Stop();
  return 0;
}
