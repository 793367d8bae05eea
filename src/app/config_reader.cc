#include "config_reader.h"

#include <algorithm>
#include <cctype>

#include "xdrsync/core/host.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::app::detail {

void Problems::Add(std::string_view path, std::string_view problem) {
  if (first_) return;
  std::string line = file_ + ": " + std::string(path) + ": " + std::string(problem);
  for (char& c : line) {
    // One line, whatever a key name held.
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  first_ = std::move(line);
}

Status Problems::status() const {
  if (!first_) return Status::Ok();
  return InvalidArgument(*first_);
}

std::string ExpectedList(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string Quoted(std::string_view value) {
  constexpr size_t kMax = 60;
  std::string cut = Utf8Prefix(value, kMax);
  if (!IsValidUtf8(cut)) cut = "(not UTF-8)";
  for (char& c : cut) {
    // Keeps the message on one line.
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return "'" + cut + (cut.size() < value.size() ? "...'" : "'");
}

std::string_view JsonTypeName(const Json& v) {
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  if (v.is_number()) return "number";
  return "null";
}

bool IsGuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool IsValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}


}  // namespace

std::string UrlProblem(std::string_view url) {
  std::string_view rest;
  bool plain = false;
  if (StartsWith(url, "https://")) {
    rest = url.substr(8);
  } else if (StartsWith(url, "http://")) {
    rest = url.substr(7);
    plain = true;
  } else {
    return "expected an https:// URL";
  }
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return "the URL has no host";
  if (authority.find('@') != std::string_view::npos) return "credentials in a URL are not allowed";
  if (rest.find_first_of("?# \t") != std::string_view::npos) return "the URL may not carry a query or fragment";
  std::string_view host = authority;
  if (!StartsWith(host, "[")) host = host.substr(0, host.find(':'));
  else host = host.substr(0, host.find(']') + 1);
  // A bearer token sent over plain HTTP could be read on the wire; loopback is the test emulator.
  if (plain && !IsLoopbackHost(host)) return "http:// is allowed only for loopback hosts; use https://";
  return "";
}

ObjectReader::ObjectReader(const Json* value, std::string path, Problems& problems)
    : path_(std::move(path)), problems_(problems) {
  if (value == nullptr) return;
  if (!value->is_object()) {
    problems_.Add(path_.empty() ? "(document)" : path_, "expected an object, got " + std::string(JsonTypeName(*value)));
    return;
  }
  object_ = value;
}

std::string ObjectReader::Path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const Json* ObjectReader::Take(std::string_view key) {
  known_.emplace(key);
  if (object_ == nullptr) return nullptr;
  auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

void ObjectReader::Know(std::initializer_list<std::string_view> keys) {
  for (auto k : keys) known_.emplace(k);
}

void ObjectReader::Require(std::string_view key) {
  if (object_ != nullptr && !object_->contains(key)) problems_.Add(Path(key), "missing (required)");
}

void ObjectReader::String(std::string_view key, std::string& out) {
  const Json* v = Take(key);
  if (v == nullptr) return;
  if (!v->is_string()) {
    problems_.Add(Path(key), "expected a string, got " + std::string(JsonTypeName(*v)));
    return;
  }
  out = v->get<std::string>();
}

void ObjectReader::NonEmptyString(std::string_view key, std::string& out) {
  const Json* v = Take(key);
  if (v == nullptr) return;
  if (!v->is_string() || v->get_ref<const std::string&>().empty()) {
    problems_.Add(Path(key), v->is_string() ? "must not be empty"
                                            : "expected a string, got " + std::string(JsonTypeName(*v)));
    return;
  }
  out = v->get<std::string>();
}

void ObjectReader::Bool(std::string_view key, bool& out) {
  const Json* v = Take(key);
  if (v == nullptr) return;
  if (!v->is_boolean()) {
    problems_.Add(Path(key), "expected true or false, got " + std::string(JsonTypeName(*v)));
    return;
  }
  out = v->get<bool>();
}

void ObjectReader::Int(std::string_view key, int64_t& out, int64_t min, int64_t max) {
  const Json* v = Take(key);
  if (v == nullptr) return;
  if (!v->is_number_integer()) {
    problems_.Add(Path(key), "expected an integer, got " + std::string(JsonTypeName(*v)));
    return;
  }
  const bool too_big = v->is_number_unsigned() ? v->get<uint64_t>() > static_cast<uint64_t>(max) : v->get<int64_t>() > max;
  // A non-negative literal is stored unsigned: compare it as such (0 is below a minimum of 1).
  const bool too_small = v->is_number_unsigned()
                             ? min > 0 && v->get<uint64_t>() < static_cast<uint64_t>(min)
                             : v->get<int64_t>() < min;
  if (too_big || too_small) {
    problems_.Add(Path(key), "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + v->dump());
    return;
  }
  out = v->get<int64_t>();
}

namespace {

// A bound as an operator writes it: "0.01", "100000" (no trailing zeros, no exponent).
std::string NumberText(double d) {
  std::string s = std::to_string(d);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

void ObjectReader::Double(std::string_view key, double& out, double min, double max) {
  const Json* v = Take(key);
  if (v == nullptr) return;
  if (!v->is_number()) {
    problems_.Add(Path(key), "expected a number, got " + std::string(JsonTypeName(*v)));
    return;
  }
  const auto n = v->get<double>();
  if (!(n >= min && n <= max)) {
    problems_.Add(Path(key), "must be from " + NumberText(min) + " to " + NumberText(max) + ", got " + v->dump());
    return;
  }
  out = n;
}

void ObjectReader::StringSet(std::string_view key, std::set<std::string>& out) {
  const Json* v = Take(key);
  if (v == nullptr) return;
  if (!v->is_array()) {
    problems_.Add(Path(key), "expected an array of strings, got " + std::string(JsonTypeName(*v)));
    return;
  }
  out.clear();
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& item = (*v)[i];
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      problems_.Add(Path(key) + "[" + std::to_string(i) + "]", "expected a non-empty string");
      return;
    }
    out.insert(item.get<std::string>());
  }
}

void ObjectReader::Finish() {
  if (object_ == nullptr) return;
  for (const auto& [key, value] : object_->items()) {
    if (known_.count(key) != 0) continue;
    std::string_view closest;
    size_t best = 4;  // a typo is a few edits away; farther than that, list what is allowed
    for (const auto& k : known_) {
      const size_t d = EditDistance(AsciiLower(key), k);
      if (d < best) {
        best = d;
        closest = k;
      }
    }
    if (!closest.empty()) {
      problems_.Add(Path(key), "unknown key (did you mean " + Quoted(closest) + "?)");
    } else {
      std::vector<std::string_view> names(known_.begin(), known_.end());
      problems_.Add(Path(key), "unknown key (expected " + ExpectedList(names) + ")");
    }
    return;
  }
}

}  // namespace xdrsync::app::detail
