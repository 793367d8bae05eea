#include "options.h"

#include <cstdlib>
#include <map>
#include <sstream>

namespace xdrsync::bench {

namespace {

const std::set<std::string> kMeasurements = {"latency", "backlog", "cold", "steady", "links"};

bool ParseInt(const std::string& text, int min, int max, int* out) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < min || v > max) return false;
  *out = static_cast<int>(v);
  return true;
}

bool ParseList(const std::string& text, std::vector<int>* polls, std::set<std::string>* names, std::string* error) {
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (names) {
      if (!kMeasurements.count(item)) {
        *error = "--only: unknown measurement '" + item + "' (latency, backlog, cold, steady, links)";
        return false;
      }
      names->insert(item);
    } else {
      int v = 0;
      if (!ParseInt(item, 1, 3600, &v)) {
        *error = "--polls: '" + item + "' is not a number of seconds in 1-3600";
        return false;
      }
      polls->push_back(v);
    }
  }
  return true;
}

std::map<std::string, int*> IntFlags(Sizes& s) {
  return {{"--latency-pairs", &s.latency_pairs},       {"--latency-changes", &s.latency_changes},
          {"--backlog-incidents", &s.backlog_incidents}, {"--backlog-changes", &s.backlog_changes},
          {"--backlog-poll", &s.backlog_poll},           {"--backlog-limit", &s.backlog_limit_seconds},
          {"--cold-incidents", &s.cold_incidents},       {"--cold-alerts", &s.cold_alerts},
          {"--steady-pairs", &s.steady_pairs},           {"--steady-poll", &s.steady_poll},
          {"--overlap", &s.overlap_seconds},
          {"--links-tenants", &s.links_tenants},         {"--links-workspaces", &s.links_workspaces},
          {"--links-incidents", &s.links_incidents},     {"--links-changes", &s.links_changes},
          {"--links-poll", &s.links_poll}};
}

}  // namespace

Sizes ReducedSizes() {
  Sizes s;
  s.latency_pairs = 12;
  s.latency_changes = 4;
  s.backlog_incidents = 12;
  s.backlog_changes = 1;
  s.backlog_limit_seconds = 300;
  s.cold_incidents = 60;
  s.steady_pairs = 400;
  s.steady_minutes = 0.3;
  s.steady_poll = 2;
  s.overlap_seconds = 10;
  s.links_tenants = 16;
  s.links_workspaces = 4;
  s.links_incidents = 3;
  s.links_changes = 8;
  return s;
}

bool ParseOptions(int argc, char** argv, Options* out, std::string* error) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args) {
    if (a == "--reduced") {
      out->reduced = true;
      out->sizes = ReducedSizes();
    }
  }
  auto flags = IntFlags(out->sizes);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--reduced") continue;
    if (a == "--keep" || a == "--help") {
      (a == "--keep" ? out->keep : out->help) = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      *error = a.rfind("--", 0) == 0 ? a + ": needs a value" : "unexpected argument '" + a + "'";
      return false;
    }
    const std::string& v = args[++i];
    if (a == "--json") {
      out->json_path = v;
    } else if (a == "--only") {
      if (!ParseList(v, nullptr, &out->only, error)) return false;
    } else if (a == "--polls") {
      out->sizes.polls.clear();
      if (!ParseList(v, &out->sizes.polls, nullptr, error)) return false;
    } else if (a == "--cold-way") {
      if (v != "both" && v != "arm" && v != "defender-alert") {
        *error = "--cold-way: '" + v + "' is not both, arm or defender-alert";
        return false;
      }
      out->sizes.cold_way = v;
    } else if (a == "--steady-minutes") {
      char* end = nullptr;
      out->sizes.steady_minutes = std::strtod(v.c_str(), &end);
      if (*end != '\0' || out->sizes.steady_minutes <= 0 || out->sizes.steady_minutes > 1440) {
        *error = "--steady-minutes: '" + v + "' is not a number of minutes in (0, 1440]";
        return false;
      }
    } else if (auto f = flags.find(a); f != flags.end()) {
      if (!ParseInt(v, 1, 10'000'000, f->second)) {
        *error = a + ": '" + v + "' is not a whole number in 1-10000000";
        return false;
      }
    } else {
      *error = "unknown option '" + a + "'";
      return false;
    }
  }
  return true;
}

std::string Usage() {
  return "usage: xdrsync-bench [--help] [--reduced] [--json FILE] [--keep] [--only latency,backlog,cold,steady,links]\n"
         "  sizes: --polls 2,5,15 --latency-pairs N --latency-changes N --backlog-incidents N --backlog-changes N\n"
         "         --backlog-poll S --backlog-limit S --cold-incidents N --cold-alerts N --cold-way both|arm|defender-alert\n"
         "         --steady-pairs N --steady-minutes M --steady-poll S --links-tenants N --links-workspaces N --links-incidents N\n"
         "         --links-changes N --links-poll S --overlap S\n";
}

}  // namespace xdrsync::bench
