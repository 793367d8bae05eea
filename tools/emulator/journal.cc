#include "journal.h"

namespace xdrsync::emulator {

void Journal::LogRequest(RequestRecord record) {
  std::lock_guard<std::mutex> lock(mu_);
  record.seq = next_request_++;
  counters_[record.route][std::to_string(record.status)]++;
  // Bounded so a long soak with large bodies stays in memory; tests rarely need more.
  if (record.request_body.size() > 8192) record.request_body.resize(8192);
  requests_.push_back(std::move(record));
  if (requests_.size() > capacity_) requests_.pop_front();
}

void Journal::Record(HistoryRecord record) {
  std::lock_guard<std::mutex> lock(mu_);
  record.seq = next_history_++;
  history_.push_back(std::move(record));
  if (history_.size() > capacity_) history_.pop_front();
}

nlohmann::json Journal::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : requests_) {
    out.push_back({{"seq", r.seq},
                   {"time", FormatTime(r.time)},
                   {"method", r.method},
                   {"path", r.path},
                   {"query", r.query},
                   {"route", r.route},
                   {"principal", r.principal},
                   {"status", r.status},
                   {"duration_ms", r.duration_ms},
                   {"body", r.request_body},
                   {"fault", r.fault}});
  }
  return out;
}

nlohmann::json Journal::Counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [route, by_status] : counters_) {
    uint64_t total = 0;
    nlohmann::json statuses = nlohmann::json::object();
    for (const auto& [status, n] : by_status) {
      statuses[status] = n;
      total += n;
    }
    out[route] = {{"total", total}, {"by_status", statuses}};
  }
  return out;
}

nlohmann::json Journal::History() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : history_) {
    out.push_back({{"seq", h.seq},
                   {"time", FormatTime(h.time)},
                   {"actor", h.actor},
                   {"action", h.action},
                   {"target", h.target},
                   {"detail", h.detail}});
  }
  return out;
}

void Journal::ClearRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.clear();
  counters_.clear();
}

void Journal::ClearHistory() {
  std::lock_guard<std::mutex> lock(mu_);
  history_.clear();
}

}  // namespace xdrsync::emulator
