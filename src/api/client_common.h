// Private to src/api: what both HTTP clients do around every call — send through the transport
// with the request's api/tenant/deadline, turn a non-2xx answer into a Status that carries the
// service's error code, message and request id, keep the service's clock offset from the Date
// header, log the call at debug and count items and parse errors.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/api/page.h"
#include "xdrsync/core/clock.h"
#include "xdrsync/core/log.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/core/status.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::api::detail {

// Which error body and request-id header the service uses.
enum class Dialect { kGraph, kArm };

struct CallResult {
  Status status;        // ok for a 2xx answer
  int http_status = 0;  // 0 when no HTTP answer came back
  std::string body;
  std::string request_id;
  std::string what;  // "graph GET /v1.0/security/incidents/42", the prefix of every message
  bool ok() const { return status.ok(); }
};

struct CallerConfig {
  Dialect dialect = Dialect::kGraph;
  std::string base_url;  // the service's origin; a nextLink elsewhere is refused
  std::string tenant;
  std::chrono::milliseconds deadline{30'000};
};

class ApiCaller {
 public:
  ApiCaller(http::Transport& transport, const Clock& clock, Logger& logger, Metrics& metrics, CallerConfig config);

  // One request. A 2xx answer gives an ok result with the body; anything else a Status per
  // clients.h: "graph GET /v1.0/security/incidents/42: 403 Forbidden (Authorization_RequestDenied:
  // <message>; request-id <id>)". A failure below HTTP keeps the transport's code.
  CallResult Call(std::string_view method, const std::string& url, http::Headers headers = {}, std::string body = {});
  // As Call, for a write whose only guard is a read made right before it (a Graph PATCH): sent at
  // most once, never resent by the transport (http::Request::read_guarded).
  CallResult CallReadGuarded(std::string_view method, const std::string& url, http::Headers headers,
                             std::string body);

  // kParseError for a 2xx body that could not be read, with the call and the request id.
  static Status BodyError(const CallResult& call, const Status& parse);

  // True when `url` is on the service's own origin: the transport adds our bearer token to every
  // request, so a nextLink pointing elsewhere must never be followed.
  bool IsOwnUrl(std::string_view url) const;

  int64_t ClockOffset() const { return clock_offset_.load(); }
  void CountItems(size_t n);
  void CountParseErrors(size_t n);
  // The unreadable items of one page: counted, each logged (`api.item_unreadable`) and its
  // message given the call's request id, so the quarantine record names the response too.
  void ReportItemErrors(const CallResult& call, std::vector<ItemError>* errors);

  std::string_view api() const { return api_; }
  Logger& logger() const { return logger_; }
  const Clock& clock() const { return clock_; }

 private:
  CallResult Send(http::Request request);
  std::string FailureDetail(const http::Response& response, const std::string& request_id) const;
  void NoteDate(const http::Response& response);

  http::Transport& transport_;
  const Clock& clock_;
  Logger& logger_;
  Metrics& metrics_;
  CallerConfig config_;
  std::string api_;
  std::string origin_;
  std::atomic<int64_t> clock_offset_{0};
};

}  // namespace xdrsync::api::detail
