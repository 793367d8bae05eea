// Private to src/app: a strict reader over a parsed JSON configuration. It records the first
// problem as `<file>: <key path>: <problem>` and keeps going with defaults, so parsing code reads
// as a list of keys instead of a ladder of early returns. Every key a reader is asked about counts
// as known; Finish() refuses the rest (typo protection).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xdrsync/core/status.h"

namespace xdrsync::app::detail {

using Json = nlohmann::json;

class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}
  // Only the first problem is kept: the operator fixes one line at a time.
  void Add(std::string_view path, std::string_view problem);
  bool ok() const { return !first_.has_value(); }
  Status status() const;

 private:
  std::string file_;
  std::optional<std::string> first_;
};

// "a, b or c", for messages listing the allowed values.
std::string ExpectedList(const std::vector<std::string_view>& names);
// 'value', cut short; only for values that are never secrets (enum names, key names).
std::string Quoted(std::string_view value);
// "object", "array", "string", "number", "boolean" or "null".
std::string_view JsonTypeName(const Json& v);

bool IsGuid(std::string_view s);
// Names of tenants, workspaces and links appear in metric labels and CLI arguments.
bool IsValidName(std::string_view s);
// https://host[:port][/path], or http:// to a loopback host only. Empty when fine, else the problem.
std::string UrlProblem(std::string_view url);

template <typename E>
using EnumTable = std::vector<std::pair<std::string_view, E>>;

class ObjectReader {
 public:
  // `value` may be null: the section is absent, every getter leaves its default.
  ObjectReader(const Json* value, std::string path, Problems& problems);

  bool present() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }
  std::string Path(std::string_view key) const;
  Problems& problems() { return problems_; }

  // The raw value of a known key, or null when absent.
  const Json* Take(std::string_view key);
  // True when the key is present, without making it a known key.
  bool Has(std::string_view key) const { return object_ != nullptr && object_->contains(key); }
  // Marks keys as known without reading them here (another function reads them).
  void Know(std::initializer_list<std::string_view> keys);
  void Require(std::string_view key);

  void String(std::string_view key, std::string& out);
  void NonEmptyString(std::string_view key, std::string& out);
  void Bool(std::string_view key, bool& out);
  // Every number has both bounds: a value outside [min, max] is a problem naming both.
  void Int(std::string_view key, int64_t& out, int64_t min, int64_t max);
  void Double(std::string_view key, double& out, double min, double max);
  void StringSet(std::string_view key, std::set<std::string>& out);

  template <typename E>
  void Enum(std::string_view key, const EnumTable<E>& table, std::string_view what, E& out) {
    const Json* v = Take(key);
    if (v == nullptr) return;
    if (auto e = EnumValue(*v, Path(key), table, what)) out = *e;
  }
  template <typename E>
  std::optional<E> EnumValue(const Json& v, const std::string& path, const EnumTable<E>& table,
                             std::string_view what) {
    if (!v.is_string()) {
      problems_.Add(path, "expected a string, got " + std::string(JsonTypeName(v)));
      return std::nullopt;
    }
    const auto& text = v.get_ref<const std::string&>();
    std::vector<std::string_view> names;
    for (const auto& [name, value] : table) {
      if (name == text) return value;
      names.push_back(name);
    }
    problems_.Add(path, "unknown " + std::string(what) + " " + Quoted(text) + " (expected " +
                            ExpectedList(names) + ")");
    return std::nullopt;
  }

  // Refuses every key of the object that no getter asked about.
  void Finish();

 private:
  const Json* object_ = nullptr;
  std::string path_;
  Problems& problems_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace xdrsync::app::detail
