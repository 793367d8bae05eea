// The request side of HTTP/1.1 (RFC 9112) as far as the health endpoint needs it: a request head
// parsed incrementally, inside a byte budget, from whatever pieces the socket delivers. Pure: no
// I/O, no clock. What to do with a parsed request (which methods, which bodies) is the server's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xdrsync::app {

struct HttpRequestHead {
  std::string method;     // case-sensitive token, as sent
  std::string target;     // as sent: "/readyz?verbose=1"
  std::string path;       // the target's path: no query or fragment; "" for a non-path target ("*")
  int minor_version = 1;  // HTTP/1.<minor_version>
  // Field names lower-cased, values without surrounding whitespace, in order.
  std::vector<std::pair<std::string, std::string>> headers;
  // The body length announced by Content-Length; UINT64_MAX when the number does not fit.
  std::optional<uint64_t> content_length;
  bool has_transfer_encoding = false;  // any Transfer-Encoding: the body length is not known up front
  bool keep_alive = true;              // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with keep-alive

  // The first value of a field (name in lower case), or nullptr.
  const std::string* Header(std::string_view lower_name) const;
};

struct HttpHeadLimits {
  size_t max_head_bytes = 16 * 1024;  // request line + fields + the blank line, CRLFs included
  size_t max_fields = 100;
};

struct HttpResponse {
  static HttpResponse Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8") {
    return {status, std::move(content_type), std::move(body), {}};
  }

  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more fields, e.g. Allow
};

// The status line, the fields (always Content-Length, Connection and Cache-Control: no-store) and,
// unless `head_only` (the answer to HEAD), the body.
std::string SerializeResponse(const HttpResponse& response, bool head_only, bool keep_alive);
// "Not Found" for 404; "Unknown" for a status it does not know.
const char* ReasonPhrase(int status);

// Feed it bytes until state() is no longer kIncomplete. It never holds more than one line, and a
// line never more than max_head_bytes, whatever the peer sends. Not thread-safe.
class HttpHeadParser {
 public:
  enum class State { kIncomplete, kComplete, kFailed };

  explicit HttpHeadParser(HttpHeadLimits limits = {}) : limits_(limits) {}

  // Consumes bytes up to and including the blank line that ends the head and returns how many;
  // what follows (a body, a pipelined request) is left to the caller. Consumes nothing once
  // complete or failed.
  size_t Feed(std::string_view data);
  State state() const { return state_; }
  // Valid when kComplete.
  const HttpRequestHead& head() const { return head_; }
  // When kFailed: the status to answer (400, 431 or 505) and a short reason that never quotes input.
  int error_status() const { return error_status_; }
  const std::string& error() const { return error_; }
  // Head bytes consumed so far (the current request).
  size_t consumed() const { return consumed_; }
  // Ready for the next request on the same connection.
  void Reset();

 private:
  void Line(std::string_view line);
  void RequestLine(std::string_view line);
  void Field(std::string_view line);
  void Finish();
  void Fail(int status, std::string reason);

  HttpHeadLimits limits_;
  State state_ = State::kIncomplete;
  HttpRequestHead head_;
  std::string line_;  // the line being received, without its LF
  size_t consumed_ = 0;
  bool have_request_line_ = false;
  int error_status_ = 0;
  std::string error_;
};

}  // namespace xdrsync::app
