// xdrsync-emulator: serves the emulated Entra, Graph and ARM APIs on 127.0.0.1 until SIGTERM
// or SIGINT. Prints "listening on http://127.0.0.1:PORT" once ready; with --tls, first
// "ca-file PATH" (the certificate to trust) and then "listening on https://127.0.0.1:PORT".
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "emulator.h"

namespace {

using xdrsync::emulator::EmulatorOptions;
using xdrsync::emulator::WorkspaceConfig;

const char kUsage[] =
    "usage: xdrsync-emulator [--port N] [--seed N] [--seed-file scenario.json]\n"
    "                        [--tenants t1,t2] [--workspaces tenant/sub/rg/name[:onboarded],...]\n"
    "                        [--token-lifetime SECONDS] [--list-lag-ms MS] [--arm-short-pages]\n"
    "                        [--graph-orderby honoured|ignored|refused] [--graph-paging snapshot|live-skip]\n"
    "                        [--no-rate-limits] [--tls [--tls-cert cert.pem --tls-key key.pem]]\n";

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, sep)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool ParseWorkspace(const std::string& spec, WorkspaceConfig* ws) {
  std::string body = spec;
  size_t colon = body.find(':');
  if (colon != std::string::npos) {
    ws->onboarded = body.substr(colon + 1) == "onboarded";
    body.resize(colon);
  }
  auto parts = Split(body, '/');
  if (parts.size() != 4) return false;
  ws->tenant = parts[0];
  ws->subscription = parts[1];
  ws->resource_group = parts[2];
  ws->name = parts[3];
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  EmulatorOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << arg << "\n" << kUsage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--port") {
      options.port = std::stoi(value());
    } else if (arg == "--seed") {
      options.seed = std::stoull(value());
    } else if (arg == "--seed-file") {
      std::string path = value();
      std::ifstream in(path);
      options.scenario = nlohmann::json::parse(in, nullptr, false);
      if (!in || options.scenario.is_discarded()) {
        std::cerr << "cannot read scenario " << path << "\n";
        return 2;
      }
    } else if (arg == "--tenants") {
      options.tenants = Split(value(), ',');
    } else if (arg == "--workspaces") {
      for (const auto& spec : Split(value(), ',')) {
        WorkspaceConfig ws;
        if (!ParseWorkspace(spec, &ws)) {
          std::cerr << "bad workspace '" << spec << "'\n" << kUsage;
          return 2;
        }
        options.workspaces.push_back(ws);
      }
    } else if (arg == "--token-lifetime") {
      options.token_lifetime_s = std::stoll(value());
    } else if (arg == "--list-lag-ms") {
      options.world.list_lag = std::chrono::milliseconds(std::stoll(value()));
    } else if (arg == "--arm-short-pages") {
      options.world.arm_short_pages = true;
    } else if (arg == "--graph-orderby") {
      const std::string mode = value();
      if (!xdrsync::emulator::ParseGraphOrderBy(mode, &options.world.graph_orderby)) {
        std::cerr << "bad --graph-orderby '" << mode << "'\n" << kUsage;
        return 2;
      }
    } else if (arg == "--graph-paging") {
      const std::string mode = value();
      if (!xdrsync::emulator::ParseGraphPaging(mode, &options.world.graph_paging)) {
        std::cerr << "bad --graph-paging '" << mode << "'\n" << kUsage;
        return 2;
      }
    } else if (arg == "--no-rate-limits") {
      options.limits.enabled = false;
    } else if (arg == "--tls") {
      options.tls.enabled = true;
    } else if (arg == "--tls-cert") {
      options.tls.enabled = true;
      options.tls.cert_file = value();
    } else if (arg == "--tls-key") {
      options.tls.enabled = true;
      options.tls.key_file = value();
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "unknown argument " << arg << "\n" << kUsage;
      return 2;
    }
  }
  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string error;
  auto emulator = xdrsync::emulator::Emulator::Start(std::move(options), &error);
  if (!emulator) {
    std::cerr << "xdrsync-emulator: " << error << "\n";
    return 1;
  }
  // The ca-file line comes first: whoever waits for "listening on" has it already.
  if (!emulator->ca_file().empty()) std::cout << "ca-file " << emulator->ca_file() << "\n";
  std::cout << "listening on " << emulator->base_url() << std::endl;
  int received = 0;
  sigwait(&stop_signals, &received);
  std::cerr << "xdrsync-emulator: signal " << received << ", shutting down\n";
  emulator->Stop();
  return 0;
}
