#include "json_read.h"

#include <algorithm>
#include <exception>
#include <functional>
#include <limits>
#include <utility>

#include "xdrsync/core/strings.h"

namespace xdrsync::api::detail {
namespace {

// U+FDD0 is a Unicode noncharacter, reserved for exactly this kind of internal use: it stands in
// for each invalid byte so the parser accepts the page and the item holding it can be named.
constexpr std::string_view kBadTextMarker = "\xEF\xB7\x90";
constexpr std::string_view kBadEscapeMarker = "\\ufdd0";

bool Between(unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; }

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629 table), 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto at = [&](size_t k) -> unsigned char {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
  };
  const unsigned char c = at(0);
  if (c < 0x80) return 1;
  if (Between(c, 0xC2, 0xDF)) return Between(at(1), 0x80, 0xBF) ? 2 : 0;
  // Second-byte limits and lengths per lead byte: the rows of the RFC 3629 table that exclude
  // overlongs (E0, F0), UTF-16 surrogates (ED) and code points above U+10FFFF (F4).
  unsigned lo = 0x80;
  unsigned hi = 0xBF;
  size_t len = 3;
  if (c == 0xE0) {
    lo = 0xA0;
  } else if (c == 0xED) {
    hi = 0x9F;
  } else if (c == 0xF0) {
    lo = 0x90;
    len = 4;
  } else if (c == 0xF4) {
    hi = 0x8F;
    len = 4;
  } else if (Between(c, 0xF1, 0xF3)) {
    len = 4;
  } else if (!Between(c, 0xE1, 0xEF)) {
    return 0;
  }
  if (!Between(at(1), lo, hi)) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (!Between(at(k), 0x80, 0xBF)) return 0;
  }
  return len;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The 4-hex-digit code unit of a \u escape whose digits start at s[i], -1 when malformed.
int HexValue(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return -1;
  int v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    const int d = HexDigit(s[k]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Copies the \u escape at in[i] (and its low half when it is a surrogate pair); a lone surrogate
// becomes the marker. Returns the number of input bytes consumed.
size_t CopyUnicodeEscape(std::string_view in, size_t i, std::string& out, bool& marked) {
  const int unit = HexValue(in, i + 2);
  const bool high = unit >= 0xD800 && unit <= 0xDBFF;
  const bool low = unit >= 0xDC00 && unit <= 0xDFFF;
  const int next = high && i + 7 < in.size() && in[i + 6] == '\\' && in[i + 7] == 'u'
                       ? HexValue(in, i + 8)
                       : -1;
  const bool paired = next >= 0xDC00 && next <= 0xDFFF;
  if ((high && !paired) || low) {
    out.append(kBadEscapeMarker);
    marked = true;
    return 6;
  }
  const size_t n = std::min<size_t>(paired ? 12 : 6, in.size() - i);
  out.append(in.substr(i, n));
  return n;
}

// Copies string content at in[i] up to the next quote or backslash; each byte that does not
// start a well-formed UTF-8 sequence becomes the marker. Returns the number of bytes consumed.
size_t CopyStringText(std::string_view in, size_t i, std::string& out, bool& marked) {
  size_t end = i;
  while (end < in.size() && in[end] != '"' && in[end] != '\\') {
    const size_t n = Utf8SequenceLength(in, end);
    if (n == 0) {
      out.append(in.substr(i, end - i)).append(kBadTextMarker);
      marked = true;
      i = ++end;
    } else {
      end += n;
    }
  }
  out.append(in.substr(i, end - i));
  return end;
}

// Copies the body, replacing invalid UTF-8 and lone surrogate escapes inside strings by markers
// and refusing nesting deeper than kMaxDepth. Everything else is left for the parser to judge.
Status Sanitize(std::string_view in, std::string& out, bool& marked) {
  out.reserve(in.size());
  bool in_string = false;
  int depth = 0;
  size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    if (in_string && c == '\\') {
      if (i + 1 < in.size() && in[i + 1] == 'u') {
        i += CopyUnicodeEscape(in, i, out, marked);
      } else {
        const size_t n = std::min<size_t>(2, in.size() - i);
        out.append(in.substr(i, n));
        i += n;
      }
      continue;
    }
    if (in_string && c != '"') {
      i = CopyStringText(in, i, out, marked);
      continue;
    }
    if (c == '"') {
      in_string = !in_string;
    } else if ((c == '[' || c == '{') && ++depth > kMaxDepth) {
      return ParseError("malformed JSON: nesting deeper than " + std::to_string(kMaxDepth));
    } else if (c == ']' || c == '}') {
      --depth;
    }
    out.push_back(c);
    ++i;
  }
  return Status::Ok();
}

// The path of a bad key, with the markers shown as U+FFFD like any other broken text.
std::string Printable(std::string_view path) {
  std::string out;
  size_t from = 0;
  for (size_t at = path.find(kBadTextMarker); at != std::string_view::npos;
       at = path.find(kBadTextMarker, from)) {
    out.append(path.substr(from, at - from)).append("\xEF\xBF\xBD");
    from = at + kBadTextMarker.size();
  }
  return out.append(path.substr(from));
}

}  // namespace

Result<ParsedBody> ParseBody(std::string_view body, bool list_page) {
  try {
    std::string clean;
    ParsedBody parsed;
    Status s = Sanitize(body, clean, parsed.had_bad_text);
    if (!s.ok()) return s;
    parsed.json = Json::parse(clean);
    if (!list_page) {
      if (Status size = CheckFieldSizes(parsed.json); !size.ok()) return size;
    }
    return parsed;
  } catch (const Json::exception& e) {
    // The library message quotes the last token, which may be a megabyte of string.
    return ParseError("malformed JSON: " + Utf8Prefix(e.what(), kMaxQuoted));
  } catch (const std::exception& e) {
    return ParseError(std::string("malformed JSON: ") + e.what());
  }
}

bool HasBadText(std::string_view s) { return s.find(kBadTextMarker) != std::string_view::npos; }

namespace {
std::optional<std::string> FindText(const Json& v, const std::function<bool(std::string_view)>& match);
}  // namespace

std::optional<std::string> FindBadText(const Json& v) {
  return FindText(v, [](std::string_view s) { return HasBadText(s); });
}

std::optional<std::string> FindOversizedText(const Json& v, size_t max_bytes) {
  return FindText(v, [max_bytes](std::string_view s) { return s.size() > max_bytes; });
}

Status CheckFieldSizes(const Json& v) {
  if (std::optional<std::string> path = FindOversizedText(v, kMaxFieldBytes)) {
    return ParseError("field " + (path->empty() ? std::string("(body)") : *path) + " is larger than 1 MiB");
  }
  return Status::Ok();
}

namespace {

// Path of the first string value or key under `v` that `match` picks. Iterative, so depth cannot
// exhaust the stack.
std::optional<std::string> FindText(const Json& v, const std::function<bool(std::string_view)>& match) {
  struct Node {
    const Json* value;
    std::string path;
  };
  std::vector<Node> stack{{&v, ""}};
  while (!stack.empty()) {
    Node n = std::move(stack.back());
    stack.pop_back();
    if (n.value->is_string()) {
      if (match(n.value->get_ref<const std::string&>())) return n.path;
    } else if (n.value->is_object()) {
      for (auto it = n.value->begin(); it != n.value->end(); ++it) {
        const std::string key = Utf8Prefix(it.key(), kMaxQuoted);
        std::string path = n.path.empty() ? key : n.path + "." + key;
        if (match(it.key())) return Reader::Quote(Printable(path));
        stack.push_back({&it.value(), std::move(path)});
      }
    } else if (n.value->is_array()) {
      for (size_t i = 0; i < n.value->size(); ++i) {
        stack.push_back({&(*n.value)[i], n.path + "[" + std::to_string(i) + "]"});
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Reader::Reader(const Json* obj, std::string prefix, ReadError* err)
    : obj_(obj), prefix_(std::move(prefix)), err_(err) {}

void Reader::Fail(std::string_view key, std::string why) const {
  if (err_->failed) return;
  err_->failed = true;
  err_->field = Path(key);
  err_->why = std::move(why);
}

const Json* Reader::Get(std::string_view key) const {
  if (obj_ == nullptr || !obj_->is_object()) return nullptr;
  const auto it = obj_->find(key);
  if (it == obj_->end() || it->is_null()) return nullptr;
  return &*it;
}

void Reader::WrongType(std::string_view key, std::string_view expected, const Json& got) const {
  Fail(key, "expected " + std::string(expected) + ", got " + got.type_name());
}

std::string Reader::Quote(std::string_view text) {
  if (text.size() <= kMaxQuoted) return std::string(text);
  return Utf8Prefix(text, kMaxQuoted) + "...";
}

Reader Reader::Child(std::string_view key) const {
  const Json* v = Get(key);
  if (v != nullptr && !v->is_object()) {
    WrongType(key, "an object", *v);
    v = nullptr;
  }
  return Reader(v, Path(key) + ".", err_);
}

std::vector<Reader> Reader::Objects(std::string_view key) const {
  std::vector<Reader> out;
  const Json* v = Get(key);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    WrongType(key, "an array", *v);
    return out;
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& e = (*v)[i];
    const std::string path = Path(key) + "[" + std::to_string(i) + "]";
    if (!e.is_object()) {
      Reader(nullptr, "", err_).Fail(path, std::string("expected an object, got ") + e.type_name());
      return {};
    }
    out.emplace_back(&e, path + ".", err_);
  }
  return out;
}

std::optional<std::string> Reader::String(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    WrongType(key, "a string", *v);
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::string> Reader::Id(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->dump();
  std::optional<std::string> id = String(key);
  if (id && !id->empty() && !detail::IsPlainId(*id)) {
    Fail(key, "not a plain id (a dot segment, a path or query character, or over 512 bytes)");
    return std::nullopt;
  }
  return id;
}

std::optional<Timestamp> Reader::Time(std::string_view key) const {
  const std::optional<std::string> text = String(key);
  if (!text) return std::nullopt;
  Result<Timestamp> t = Timestamp::Parse(*text);
  if (!t.ok()) {
    Fail(key, t.status().message());
    return std::nullopt;
  }
  return *t;
}

std::optional<int64_t> Reader::Int(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_unsigned()) {
    const auto u = v->get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return static_cast<int64_t>(u);
    Fail(key, "integer out of range");
    return std::nullopt;
  }
  if (v->is_number_integer()) return v->get<int64_t>();
  WrongType(key, "an integer", *v);
  return std::nullopt;
}

std::optional<bool> Reader::Bool(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    WrongType(key, "a boolean", *v);
    return std::nullopt;
  }
  return v->get<bool>();
}

std::vector<std::string> Reader::Strings(std::string_view key) const {
  std::vector<std::string> out;
  const Json* v = Get(key);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    WrongType(key, "an array of strings", *v);
    return out;
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& e = (*v)[i];
    if (!e.is_string()) {
      Fail(std::string(key) + "[" + std::to_string(i) + "]",
           std::string("expected a string, got ") + e.type_name());
      return {};
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

Status FieldError(std::string_view item, const ReadError& e) {
  return ParseError(std::string(item) + ": field '" + e.field + "': " + e.why);
}

bool IsPlainId(std::string_view id) {
  if (id.empty() || id.size() > 512 || id == "." || id == "..") return false;
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '/' || c == '\\' || c == '?' || c == '#' || c == '%') return false;
  }
  return true;
}

std::string ItemId(const Json& item, std::string_view key) {
  if (!item.is_object()) return "";
  const auto it = item.find(key);
  if (it == item.end()) return "";
  if (it->is_number_integer()) return it->dump();
  if (!it->is_string() || HasBadText(it->get_ref<const std::string&>())) return "";
  return it->get<std::string>();
}

std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace xdrsync::api::detail
