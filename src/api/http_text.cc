#include "http_text.h"

#include <array>

#include "xdrsync/core/strings.h"

namespace xdrsync::api::detail {
namespace {

// Start of the authority ("//host...") of an absolute URL, or npos.
size_t AuthorityStart(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::string_view::npos;
  return scheme_end + 3;
}

}  // namespace

std::string EncodeQueryValue(std::string_view value) { return PercentEncode(value, "':(),/@!$*"); }

std::string EncodePathSegment(std::string_view segment) {
  // "." and ".." would be resolved as dot segments by every URL normaliser on the way; the codecs
  // refuse such ids, and this keeps any that slip through from naming the parent resource.
  if (segment == ".") return "%2E";
  if (segment == "..") return "%2E%2E";
  return PercentEncode(segment);
}

std::string ODataString(std::string_view value) {
  std::string out = "'";
  for (const char c : value) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  out.push_back('\'');
  return out;
}

std::string UrlPath(std::string_view url) {
  const size_t authority = AuthorityStart(url);
  if (authority == std::string_view::npos) return "";
  const size_t path = url.find_first_of("/?#", authority);
  if (path == std::string_view::npos || url[path] != '/') return "";
  const size_t end = url.find_first_of("?#", path);
  return std::string(url.substr(path, end == std::string_view::npos ? std::string_view::npos : end - path));
}

std::string UrlOrigin(std::string_view url) {
  const size_t authority = AuthorityStart(url);
  if (authority == std::string_view::npos) return "";
  const size_t end = url.find_first_of("/?#", authority);
  return AsciiLower(url.substr(0, end));
}

std::string TrimTrailingSlash(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

std::optional<Timestamp> ParseHttpDate(std::string_view text) {
  // IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"): the obsolete RFC 850 and asctime forms
  // are not sent by Graph or ARM, and a wrong offset is worse than none.
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  text = Trim(text);
  if (text.size() != 29 || text[3] != ',' || text.substr(25) != " GMT") return std::nullopt;
  const std::string_view day = text.substr(5, 2);
  const std::string_view month = text.substr(8, 3);
  const std::string_view year = text.substr(12, 4);
  const std::string_view time = text.substr(17, 8);
  int month_number = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == month) month_number = static_cast<int>(i) + 1;
  }
  if (month_number == 0) return std::nullopt;
  for (const std::string_view digits : {day, year}) {
    for (const char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
    }
  }
  const std::string mm = {static_cast<char>('0' + month_number / 10), static_cast<char>('0' + month_number % 10)};
  const std::string iso = std::string(year) + "-" + mm + "-" + std::string(day) + "T" + std::string(time) + "Z";
  Result<Timestamp> parsed = Timestamp::Parse(iso);
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 424:
      return "Failed Dependency";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

Code CodeForHttpStatus(int status) {
  if (status >= 200 && status < 300) return Code::kOk;
  switch (status) {
    case 401:
      return Code::kUnauthenticated;
    case 403:
      return Code::kPermissionDenied;
    case 404:
      return Code::kNotFound;
    case 409:
    case 412:
      return Code::kConflict;
    case 429:
      return Code::kResourceExhausted;
    default:
      return status >= 500 ? Code::kUnavailable : Code::kInvalidArgument;
  }
}

std::string HeaderValue(const http::Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  return AsciiLower(haystack).find(AsciiLower(needle)) != std::string::npos;
}

}  // namespace xdrsync::api::detail
