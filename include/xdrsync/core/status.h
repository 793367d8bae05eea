// Status and Result<T>: cheap error values for the whole code base. Library exceptions are caught in
// the adapter that calls the library and turned into one of these.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace xdrsync {

enum class Code {
  kOk,
  kInvalidArgument,     // bad input from the caller or the configuration
  kParseError,          // malformed data from an API or a file
  kNotFound,
  kConflict,            // someone else wrote first (etag, re-plan)
  kPermissionDenied,    // 403: permanent until an operator acts
  kUnauthenticated,     // 401: refresh the token once
  kResourceExhausted,   // 429 or a local budget
  kUnavailable,         // 5xx, timeouts, resets: retry with backoff
  kFailedPrecondition,  // the world is not in the state the operation needs
  kAborted,             // a read-guarded write not sent: its guard read went stale; read again, resend
  kDataLoss,
  kInternal,
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "parse_error: <message>", for one log line.
  std::string ToString() const;

  // Adds context in front of the message: "while reading incident 42: <message>".
  Status Annotate(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status ParseError(std::string m) { return {Code::kParseError, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }

// A value or the Status that explains why there is none. Never holds an ok Status without a value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Internal("Result constructed from an ok Status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace xdrsync
