#include "http_wire.h"

#include <cstring>
#include <limits>

namespace xdrsync::app {
namespace {

constexpr auto npos = std::string_view::npos;

bool IsTokenChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Calls `each` with every trimmed element of a comma-separated field value.
template <typename F>
void ForEachListElement(std::string_view value, F each) {
  for (;;) {
    const size_t comma = value.find(',');
    each(Trim(value.substr(0, comma)));
    if (comma == npos) return;
    value.remove_prefix(comma + 1);
  }
}

// 1*DIGIT; a number too large for 64 bits saturates (it is refused as too large, not as malformed).
bool ParseLength(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<uint64_t>(c - '0');
    n = n > (kMax - digit) / 10 ? kMax : n * 10 + digit;
  }
  *out = n;
  return true;
}

std::string_view PathOf(std::string_view target) {
  if (target.front() != '/') {
    // Absolute form ("http://host/path"), which a server must accept; "*" and authority form
    // have no path.
    const size_t scheme_end = target.find("://");
    if (scheme_end == npos || scheme_end == 0) return {};
    const size_t slash = target.find_first_of("/?#", scheme_end + 3);
    if (slash == npos || target[slash] != '/') return "/";
    target.remove_prefix(slash);
  }
  return target.substr(0, target.find_first_of("?#"));
}

}  // namespace

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string SerializeResponse(const HttpResponse& response, bool head_only, bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + ReasonPhrase(response.status) + "\r\n";
  out += "Content-Type: " + response.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  out += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head_only) out += response.body;
  return out;
}

const std::string* HttpRequestHead::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

size_t HttpHeadParser::Feed(std::string_view data) {
  size_t used = 0;
  while (state_ == State::kIncomplete && used < data.size()) {
    const std::string_view rest = data.substr(used);
    const size_t lf = rest.find('\n');
    const size_t take = lf == npos ? rest.size() : lf + 1;
    if (consumed_ + take > limits_.max_head_bytes) {
      // Checked before anything is kept: the budget bounds memory, not just the answer.
      used += limits_.max_head_bytes - consumed_;
      consumed_ = limits_.max_head_bytes;
      Fail(431, "request head over " + std::to_string(limits_.max_head_bytes) + " bytes");
      break;
    }
    used += take;
    consumed_ += take;
    if (lf == npos) {
      line_.append(rest);
      break;
    }
    line_.append(rest.substr(0, lf));
    const std::string line = std::move(line_);
    line_.clear();
    Line(line);
  }
  return used;
}

void HttpHeadParser::Reset() {
  state_ = State::kIncomplete;
  head_ = HttpRequestHead{};
  line_.clear();
  consumed_ = 0;
  have_request_line_ = false;
  error_status_ = 0;
  error_.clear();
}

void HttpHeadParser::Fail(int status, std::string reason) {
  state_ = State::kFailed;
  error_status_ = status;
  error_ = std::move(reason);
}

void HttpHeadParser::Line(std::string_view line) {
  // A lone LF ends a line too (RFC 9112 §2.2 allows it); a CR anywhere else is refused, since
  // implementations disagree on what it means.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find('\r') != npos) return Fail(400, "bare CR in the request head");
  if (!have_request_line_) {
    if (line.empty()) return;  // empty lines before the request line are ignored (§2.2)
    return RequestLine(line);
  }
  if (line.empty()) return Finish();
  Field(line);
}

void HttpHeadParser::RequestLine(std::string_view line) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == npos ? npos : line.find(' ', sp1 + 1);
  if (sp2 == npos || line.find(' ', sp2 + 1) != npos) return Fail(400, "malformed request line");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Fail(400, "malformed method");
  if (target.empty()) return Fail(400, "empty request target");
  for (char c : target) {
    if (c < '!' || c > '~') return Fail(400, "malformed request target");
  }
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !digit(version[5]) || version[6] != '.' ||
      !digit(version[7])) {
    return Fail(400, "malformed HTTP version");
  }
  if (version[5] != '1') return Fail(505, "HTTP version not supported");
  head_.method = method;
  head_.target = target;
  head_.path = PathOf(target);
  head_.minor_version = version[7] - '0';
  have_request_line_ = true;
}

void HttpHeadParser::Field(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') return Fail(400, "obsolete line folding");
  if (head_.headers.size() >= limits_.max_fields) {
    return Fail(431, "more than " + std::to_string(limits_.max_fields) + " header fields");
  }
  const size_t colon = line.find(':');
  if (colon == npos) return Fail(400, "header field without a colon");
  const std::string_view name = line.substr(0, colon);
  // "Name : value" is refused outright (§5.1): proxies have read such a name both ways.
  if (!IsToken(name)) return Fail(400, "malformed header field name");
  const std::string_view value = Trim(line.substr(colon + 1));
  for (char c : value) {
    if ((c >= '\0' && c < ' ' && c != '\t') || c == '\x7f') return Fail(400, "control character in a header field");
  }
  std::string lower(name);
  for (char& c : lower) c = Lower(c);
  head_.headers.emplace_back(std::move(lower), std::string(value));
}

void HttpHeadParser::Finish() {
  size_t hosts = 0;
  bool close = false;
  bool keep_alive = false;
  for (const auto& [name, value] : head_.headers) {
    if (name == "host") {
      ++hosts;
    } else if (name == "transfer-encoding") {
      head_.has_transfer_encoding = true;
    } else if (name == "content-length") {
      bool ok = true;
      ForEachListElement(value, [&](std::string_view element) {
        uint64_t n = 0;
        // "5, 5" or two fields of 5 are one length; any disagreement is a framing attack.
        if (!ParseLength(element, &n) || (head_.content_length && *head_.content_length != n)) ok = false;
        head_.content_length = n;
      });
      if (!ok) return Fail(400, "malformed Content-Length");
    } else if (name == "connection") {
      ForEachListElement(value, [&](std::string_view option) {
        if (EqualsIgnoringCase(option, "close")) close = true;
        if (EqualsIgnoringCase(option, "keep-alive")) keep_alive = true;
      });
    }
  }
  if (hosts > 1 || (head_.minor_version >= 1 && hosts == 0)) {
    return Fail(400, "a request needs exactly one Host field");  // §3.2
  }
  head_.keep_alive = !close && (head_.minor_version >= 1 || keep_alive);
  state_ = State::kComplete;
}

}  // namespace xdrsync::app
