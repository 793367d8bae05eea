#include "client_common.h"

#include <algorithm>

#include <utility>

#include "http_text.h"
#include "xdrsync/api/arm_codec.h"
#include "xdrsync/api/graph_codec.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::api::detail {
namespace {

constexpr size_t kMaxShownBody = 200;

// One line of service text for a Status message: control characters become spaces, the length is
// bounded and invalid UTF-8 is cut off rather than carried into logs.
std::string OneLine(std::string_view text) {
  std::string out = Utf8Prefix(Trim(text), kMaxShownBody);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (!IsValidUtf8(out)) return "(unreadable text)";
  return out;
}

}  // namespace

ApiCaller::ApiCaller(http::Transport& transport, const Clock& clock, Logger& logger, Metrics& metrics,
                     CallerConfig config)
    : transport_(transport),
      clock_(clock),
      logger_(logger),
      metrics_(metrics),
      config_(std::move(config)),
      api_(config_.dialect == Dialect::kGraph ? "graph" : "arm"),
      origin_(UrlOrigin(config_.base_url)) {
  metrics_.Describe("xdrsync_api_items_total", "counter", "Incidents read from the service, by API.");
  metrics_.Describe("xdrsync_api_parse_errors_total", "counter",
                    "Items (incidents, alerts, comments) the service sent that could not be read, by API.");
}

namespace {

http::Request RequestOf(std::string_view method, const std::string& url, http::Headers headers, std::string body) {
  http::Request request;
  request.method = std::string(method);
  request.url = url;
  request.headers = std::move(headers);
  request.body = std::move(body);
  return request;
}

}  // namespace

CallResult ApiCaller::Call(std::string_view method, const std::string& url, http::Headers headers, std::string body) {
  return Send(RequestOf(method, url, std::move(headers), std::move(body)));
}

CallResult ApiCaller::CallReadGuarded(std::string_view method, const std::string& url, http::Headers headers,
                                      std::string body) {
  http::Request request = RequestOf(method, url, std::move(headers), std::move(body));
  request.read_guarded = true;
  return Send(std::move(request));
}

CallResult ApiCaller::Send(http::Request request) {
  const std::string url = request.url;
  request.deadline = config_.deadline;
  request.api = api_;
  request.tenant = config_.tenant;

  CallResult out;
  out.what = api_ + " " + request.method + " " + UrlPath(url);
  const auto started = std::chrono::steady_clock::now();
  Result<http::Response> sent = transport_.Send(request);
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

  if (!sent.ok()) {
    out.status = sent.status().Annotate(out.what);
    logger_.Debug("api_call", {{"api", api_},
                               {"tenant", config_.tenant},
                               {"method", request.method},
                               {"path", UrlPath(url)},
                               {"status", "0"},
                               {"error", sent.status().ToString()},
                               {"duration_ms", std::to_string(elapsed.count())}});
    return out;
  }
  http::Response& response = *sent;
  NoteDate(response);
  out.http_status = response.status;
  out.request_id = HeaderValue(response.headers, config_.dialect == Dialect::kGraph ? "request-id" : "x-ms-request-id");
  if (out.request_id.empty() && config_.dialect == Dialect::kGraph) {
    // Some Graph gateways only put the id inside the error body.
    Result<GraphError> error = ParseGraphError(response.body);
    if (error.ok()) out.request_id = error->request_id;
  }
  logger_.Debug("api_call", {{"api", api_},
                             {"tenant", config_.tenant},
                             {"method", request.method},
                             {"path", UrlPath(url)},
                             {"status", std::to_string(response.status)},
                             {"request_id", out.request_id},
                             {"duration_ms", std::to_string(elapsed.count())}});

  const Code code = CodeForHttpStatus(response.status);
  if (code == Code::kOk) {
    out.body = std::move(response.body);
    return out;
  }
  std::string message = out.what + ": " + std::to_string(response.status);
  const std::string_view phrase = ReasonPhrase(response.status);
  if (!phrase.empty()) message += " " + std::string(phrase);
  message += " (" + FailureDetail(response, out.request_id) + ")";
  out.status = Status(code, std::move(message));
  return out;
}

std::string ApiCaller::FailureDetail(const http::Response& response, const std::string& request_id) const {
  std::string code;
  std::string text;
  if (config_.dialect == Dialect::kGraph) {
    Result<GraphError> error = ParseGraphError(response.body);
    if (error.ok()) {
      code = error->code.empty() ? error->inner_code : error->code;
      text = error->message;
    }
  } else {
    Result<ArmError> error = ParseArmError(response.body);
    if (error.ok()) {
      code = error->code;
      text = error->message;
    }
  }
  std::string detail;
  if (!code.empty()) detail = OneLine(code) + ": ";
  if (!text.empty()) {
    detail += OneLine(text);
  } else if (code.empty()) {
    detail += Trim(response.body).empty() ? std::string("no error body") : "body: " + OneLine(response.body);
  } else {
    detail += "no message";
  }
  detail += "; request-id " + (request_id.empty() ? std::string("none") : request_id);
  return detail;
}

Status ApiCaller::BodyError(const CallResult& call, const Status& parse) {
  return ParseError(call.what + ": " + std::to_string(call.http_status) + " with an unreadable body: " +
                    parse.message() + " (request-id " + (call.request_id.empty() ? "none" : call.request_id) + ")");
}

bool ApiCaller::IsOwnUrl(std::string_view url) const {
  // A URL is printable ASCII; anything else (invalid UTF-8, spaces, controls) is no link of ours.
  const bool plain = std::all_of(url.begin(), url.end(), [](char c) { return c > ' ' && c < '\x7f'; });
  return plain && !origin_.empty() && UrlOrigin(url) == origin_;
}

void ApiCaller::NoteDate(const http::Response& response) {
  const std::optional<Timestamp> date = ParseHttpDate(HeaderValue(response.headers, "date"));
  if (!date) return;
  // The header has whole seconds, so the offset is good to about a second: enough for a
  // two-minute overlap window, not for ordering single writes.
  clock_offset_.store(date->TicksSince(clock_.Now()));
}

void ApiCaller::CountItems(size_t n) {
  if (n > 0) metrics_.Add("xdrsync_api_items_total", {{"api", api_}}, static_cast<double>(n));
}

void ApiCaller::CountParseErrors(size_t n) {
  if (n > 0) metrics_.Add("xdrsync_api_parse_errors_total", {{"api", api_}}, static_cast<double>(n));
}

void ApiCaller::ReportItemErrors(const CallResult& call, std::vector<ItemError>* errors) {
  CountParseErrors(errors->size());
  const std::string request_id = call.request_id.empty() ? std::string("none") : call.request_id;
  for (ItemError& e : *errors) {
    e.status = ParseError(e.status.message() + " (request-id " + request_id + ")");
    logger_.Warn("api.item_unreadable", {{"api", api_}, {"item", e.id}, {"error", e.status.message()}});
  }
}

}  // namespace xdrsync::api::detail
