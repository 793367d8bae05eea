// A small metrics registry: counters, gauges and histograms with labels, rendered in the
// Prometheus text format by /metrics. Thread-safe. Tests assert on Value(), not on log text.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xdrsync {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // Declares a metric family: type is "counter", "gauge" or "histogram". Undeclared families are
  // declared on first use as untyped.
  void Describe(std::string_view name, std::string_view type, std::string_view help);
  void Add(std::string_view name, const Labels& labels = {}, double delta = 1);
  void Set(std::string_view name, const Labels& labels, double value);
  // Histogram observation (seconds or counts); buckets 5 ms .. 300 s.
  void Observe(std::string_view name, const Labels& labels, double value);
  // Current value of a counter or gauge (a histogram: its count); 0 when never touched.
  double Value(std::string_view name, const Labels& labels = {}) const;
  std::string RenderPrometheus() const;

 private:
  struct Series {
    double value = 0;
    std::vector<double> buckets;  // histogram only
    double sum = 0;
  };
  struct Family {
    std::string type = "untyped";
    std::string help;
    std::map<Labels, Series> series;
  };
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace xdrsync
