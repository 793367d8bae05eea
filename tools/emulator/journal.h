// What happened, for tests to assert on: the request log (every API call with its outcome),
// counters per endpoint and status, and the history of state changes with their actor.
// Thread-safe; bounded so a long soak cannot exhaust memory.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "time_text.h"

namespace xdrsync::emulator {

struct RequestRecord {
  uint64_t seq = 0;
  TimePoint time{};
  std::string method;
  std::string path;
  std::string query;
  std::string route;      // e.g. "graph.incidents.patch"
  std::string principal;  // client id from the bearer token, "" when none
  int status = 0;
  double duration_ms = 0;
  std::string request_body;
  std::string fault;      // kind of injected fault, "" when none
};

struct HistoryRecord {
  uint64_t seq = 0;
  TimePoint time{};
  std::string actor;   // "analyst", "api:<client id>", "system"
  std::string action;  // e.g. "graph.incident.update", "arm.incident.create"
  std::string target;  // "<tenant>/<incident id>" or "<workspace>/<incident name>"
  nlohmann::json detail;
};

class Journal {
 public:
  explicit Journal(size_t capacity = 20000) : capacity_(capacity) {}

  void LogRequest(RequestRecord record);
  void Record(HistoryRecord record);
  nlohmann::json Requests() const;
  nlohmann::json Counters() const;
  nlohmann::json History() const;
  void ClearRequests();  // also resets the counters
  void ClearHistory();

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  uint64_t next_request_ = 1;
  uint64_t next_history_ = 1;
  std::deque<RequestRecord> requests_;
  std::deque<HistoryRecord> history_;
  std::map<std::string, std::map<std::string, uint64_t>> counters_;  // route -> status -> n
};

}  // namespace xdrsync::emulator
