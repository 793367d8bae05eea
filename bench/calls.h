// API calls as the emulator counted them (GET /_control/counters, per route such as
// `arm.incidents.put` or `graph.incidents.list`), and the emulator clock's time format.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace xdrsync::bench {

struct CallCounts {
  std::map<std::string, int64_t> by_route;  // Graph and ARM routes only; token and control requests left out

  static CallCounts FromCounters(const nlohmann::json& counters);
  int64_t Total() const;
  int64_t Writes() const;  // PATCH, PUT, POST, DELETE of incidents, comments and alerts
  int64_t Lists() const;   // list pages
  int64_t Api(const std::string& prefix) const;          // "graph." or "arm."
  int64_t ApiNonList(const std::string& prefix) const;   // the same less list pages
  int64_t Route(const std::string& route) const;
  CallCounts Minus(const CallCounts& earlier) const;  // never below 0 per route
  CallCounts Scaled(double factor) const;             // rounded to whole calls
  nlohmann::json ToJson() const;
};

bool IsWriteRoute(const std::string& route);

// "2026-12-06T21:36:39.1234567Z" as seconds since the epoch; -1 when it is not that shape.
double ParseEmulatorTime(const std::string& text);

}  // namespace xdrsync::bench
