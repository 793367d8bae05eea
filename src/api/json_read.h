// Private to src/api: the lenient reading toolkit both codecs share. It names nlohmann types, so it
// lives beside the codecs and never under include/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/api/page.h"
#include "xdrsync/core/status.h"
#include "xdrsync/core/timestamp.h"
#include "xdrsync/domain/vocabulary.h"

namespace xdrsync::api::detail {

using Json = nlohmann::json;

// Real documents nest a handful of levels; the limit bounds work on hostile input.
inline constexpr int kMaxDepth = 128;
// Longest excerpt of wire text quoted in an error or an unknown_values entry.
inline constexpr size_t kMaxQuoted = 200;

struct ParsedBody {
  Json json;
  // True when some string held invalid UTF-8. Such bytes are replaced by a marker before parsing
  // so that only the item holding them fails (FindBadText), not the whole page.
  bool had_bad_text = false;
};

// The largest string a service may send in one field (a description, a comment, a title): far above
// any real one (Sentinel caps descriptions at 5,000 characters), small enough that a hostile or
// broken value costs one item, not the process's memory (docs/security.md).
inline constexpr size_t kMaxFieldBytes = size_t{1} << 20;

// Parses a response body. Never throws. A body that is one object (not a list page, whose items
// are checked one by one) fails when any of its strings is over kMaxFieldBytes.
Result<ParsedBody> ParseBody(std::string_view body, bool list_page = false);

// Path ("comments[1].comment") of the first string value or key under `v` that held invalid
// UTF-8, or nullopt. Iterative, so depth cannot exhaust the stack.
std::optional<std::string> FindBadText(const Json& v);
// Path of the first string value or key under `v` longer than `max_bytes`, or nullopt.
std::optional<std::string> FindOversizedText(const Json& v, size_t max_bytes);
// kParseError "field <path> is larger than 1 MiB" when some string of `v` is.
Status CheckFieldSizes(const Json& v);
bool HasBadText(std::string_view s);

// The first problem met while reading one item.
struct ReadError {
  bool failed = false;
  std::string field;
  std::string why;
};

// Reads members of one JSON object leniently: missing and null members read as absent, a member
// of the wrong type records an error naming the field (the first error wins). Copyable view: it
// points at the JSON and the error slot, both of which must outlive it.
class Reader {
 public:
  Reader(const Json* obj, std::string prefix, ReadError* err);

  bool failed() const { return err_->failed; }
  void Fail(std::string_view key, std::string why) const;
  std::string Path(std::string_view key) const { return prefix_ + std::string(key); }

  // A nested object; missing or null gives an empty reader.
  Reader Child(std::string_view key) const;
  // Each element of an array of objects; missing or null gives none.
  std::vector<Reader> Objects(std::string_view key) const;
  bool Has(std::string_view key) const { return Get(key) != nullptr; }

  std::optional<std::string> String(std::string_view key) const;
  std::string Str(std::string_view key) const { return String(key).value_or(std::string()); }
  // Ids arrive as strings from Graph and ARM, as integers from older APIs: both are accepted.
  std::optional<std::string> Id(std::string_view key) const;
  std::optional<Timestamp> Time(std::string_view key) const;
  std::optional<int64_t> Int(std::string_view key) const;
  std::optional<bool> Bool(std::string_view key) const;
  std::vector<std::string> Strings(std::string_view key) const;

  // An enum member: parsed with `parse`; an unrecognised value is kept verbatim and "path=value"
  // is appended to `unknown` (when given). An empty string reads as absent.
  template <typename E>
  std::optional<domain::Lenient<E>> Enum(std::string_view key,
                                         domain::Lenient<E> (*parse)(std::string_view),
                                         std::vector<std::string>* unknown) const {
    std::optional<std::string> text = String(key);
    if (!text || text->empty()) return std::nullopt;
    domain::Lenient<E> v = parse(*text);
    if (!v.known() && unknown != nullptr) unknown->push_back(Path(key) + "=" + Quote(*text));
    return v;
  }

  static std::string Quote(std::string_view text);

 private:
  const Json* Get(std::string_view key) const;  // nullptr for missing or null
  void WrongType(std::string_view key, std::string_view expected, const Json& got) const;

  const Json* obj_;
  std::string prefix_;
  ReadError* err_;
};

// "incident 42: field 'lastUpdateDateTime': invalid timestamp '...'"
Status FieldError(std::string_view item, const ReadError& e);

// The id of a page item for its ItemError, "" when unreadable.
std::string ItemId(const Json& item, std::string_view key);
// An id that can travel as one URL path segment: 1..512 bytes, not "." or "..", no '/', '\\', '?',
// '#', '%', space or control character. Anything else from a service is a per-item error, so no
// hostile id can walk a request to another resource.
bool IsPlainId(std::string_view id);

// The `value` array and next link of a list body; each element goes through `read`, which is
// called as read(item, had_bad_text, index) and returns Result<T>.
template <typename T, typename ReadFn>
Result<Page<T>> ReadPage(std::string_view body, std::string_view next_key, std::string_view id_key,
                         ReadFn read) {
  Result<ParsedBody> parsed = ParseBody(body, true);
  if (!parsed.ok()) return parsed.status();
  const Json& doc = parsed->json;
  if (!doc.is_object())
    return ParseError(std::string("list page: expected an object, got ") + doc.type_name());
  ReadError err;
  Reader top(&doc, "", &err);
  Page<T> page;
  page.next_link = top.Str(next_key);
  const auto value = doc.find("value");
  if (value == doc.end() || !value->is_array()) {
    top.Fail("value", value == doc.end() ? "missing" : "expected an array");
  }
  if (err.failed) return FieldError("list page", err);
  for (size_t i = 0; i < value->size(); ++i) {
    const Json& item = (*value)[i];
    if (Status size = CheckFieldSizes(item); !size.ok()) {
      page.errors.push_back(ItemError{i, ItemId(item, id_key), size});
      continue;
    }
    Result<T> one = read(item, parsed->had_bad_text, i);
    if (one.ok()) {
      page.items.push_back(std::move(one).value());
    } else {
      page.errors.push_back(ItemError{i, ItemId(item, id_key), one.status()});
    }
  }
  return page;
}

// Serialises without ever throwing on invalid UTF-8 in model strings (replaced by U+FFFD).
std::string Dump(const nlohmann::ordered_json& j);

}  // namespace xdrsync::api::detail
