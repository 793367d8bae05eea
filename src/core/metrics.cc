#include "xdrsync/core/metrics.h"

#include <array>
#include <cstdio>

namespace xdrsync {
namespace {

constexpr std::array<double, 12> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 300};

std::string Escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string RenderLabels(const Labels& labels, std::string_view extra_key = {}, std::string_view extra = {}) {
  if (labels.empty() && extra_key.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + Escape(v) + "\"";
  }
  if (!extra_key.empty()) {
    if (!first) out += ',';
    out += std::string(extra_key) + "=\"" + std::string(extra) + "\"";
  }
  return out + "}";
}

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void Metrics::Describe(std::string_view name, std::string_view type, std::string_view help) {
  std::lock_guard lock(mu_);
  auto& f = families_[std::string(name)];
  f.type = type;
  f.help = help;
}

void Metrics::Add(std::string_view name, const Labels& labels, double delta) {
  std::lock_guard lock(mu_);
  families_[std::string(name)].series[labels].value += delta;
}

void Metrics::Set(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  families_[std::string(name)].series[labels].value = value;
}

void Metrics::Observe(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  auto& f = families_[std::string(name)];
  if (f.type == "untyped") f.type = "histogram";
  Series& s = f.series[labels];
  if (s.buckets.empty()) s.buckets.assign(kBuckets.size(), 0);
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (value <= kBuckets[i]) s.buckets[i] += 1;
  }
  s.value += 1;
  s.sum += value;
}

double Metrics::Value(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  auto s = f->second.series.find(labels);
  return s == f->second.series.end() ? 0 : s->second.value;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, s] : f.series) {
      if (f.type != "histogram") {
        out += name + RenderLabels(labels) + " " + Number(s.value) + "\n";
        continue;
      }
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        out += name + "_bucket" + RenderLabels(labels, "le", Number(kBuckets[i])) + " " +
               Number(i < s.buckets.size() ? s.buckets[i] : 0) + "\n";
      }
      out += name + "_bucket" + RenderLabels(labels, "le", "+Inf") + " " + Number(s.value) + "\n";
      out += name + "_sum" + RenderLabels(labels) + " " + Number(s.sum) + "\n";
      out += name + "_count" + RenderLabels(labels) + " " + Number(s.value) + "\n";
    }
  }
  return out;
}

}  // namespace xdrsync
