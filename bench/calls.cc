#include "calls.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>

namespace xdrsync::bench {

using nlohmann::json;

bool IsWriteRoute(const std::string& route) {
  static const std::set<std::string> kWrites = {
      "graph.incidents.patch", "graph.incidents.comment", "graph.incidents.merge", "graph.alerts.create",
      "arm.incidents.put",     "arm.incidents.delete",    "arm.comments.put",      "arm.incidents.alerts"};
  return kWrites.count(route) > 0;
}

CallCounts CallCounts::FromCounters(const json& counters) {
  CallCounts c;
  if (!counters.is_object()) return c;
  for (const auto& [route, v] : counters.items()) {
    if (route.rfind("graph.", 0) != 0 && route.rfind("arm.", 0) != 0) continue;
    c.by_route[route] = v.value("total", int64_t{0});
  }
  return c;
}

int64_t CallCounts::Total() const { return Api(""); }

int64_t CallCounts::Writes() const {
  int64_t n = 0;
  for (const auto& [route, count] : by_route) n += IsWriteRoute(route) ? count : 0;
  return n;
}

int64_t CallCounts::Lists() const { return Route("graph.incidents.list") + Route("arm.incidents.list"); }

int64_t CallCounts::Api(const std::string& prefix) const {
  int64_t n = 0;
  for (const auto& [route, count] : by_route) n += route.rfind(prefix, 0) == 0 ? count : 0;
  return n;
}

int64_t CallCounts::ApiNonList(const std::string& prefix) const {
  return Api(prefix) - Route(prefix + "incidents.list");
}

int64_t CallCounts::Route(const std::string& route) const {
  auto it = by_route.find(route);
  return it == by_route.end() ? 0 : it->second;
}

CallCounts CallCounts::Minus(const CallCounts& earlier) const {
  CallCounts d = *this;
  for (const auto& [route, count] : earlier.by_route) d.by_route[route] = std::max<int64_t>(0, d.by_route[route] - count);
  return d;
}

CallCounts CallCounts::Scaled(double factor) const {
  CallCounts d = *this;
  for (auto& [route, count] : d.by_route) count = std::llround(static_cast<double>(count) * factor);
  return d;
}

json CallCounts::ToJson() const {
  json out = json::object();
  for (const auto& [route, count] : by_route) {
    if (count != 0) out[route] = count;
  }
  return out;
}

double ParseEmulatorTime(const std::string& text) {
  std::tm tm{};
  int fraction_at = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &fraction_at) != 6) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  double seconds = static_cast<double>(::timegm(&tm));
  const auto at = static_cast<size_t>(fraction_at);
  if (at < text.size() && text[at] == '.') {
    double scale = 0.1;
    for (size_t i = at + 1; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, scale /= 10) {
      seconds += (text[i] - '0') * scale;
    }
  }
  return seconds;
}

}  // namespace xdrsync::bench
