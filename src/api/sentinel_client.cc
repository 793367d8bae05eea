#include "sentinel_client.h"

#include <algorithm>
#include <utility>

#include "http_text.h"
#include "xdrsync/api/arm_codec.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::api {
namespace detail {

using domain::SentinelComment;
using domain::SentinelIncident;

namespace {

// ARM pages may be empty while a nextLink exists; this many in a row means the service is not
// getting anywhere.
constexpr int kMaxEmptyPagesInARow = 100;

}  // namespace

ArmSentinelClient::ArmSentinelClient(http::Transport& transport, ArmClientOptions options, const Clock& clock,
                                     Logger& logger, Metrics& metrics)
    : options_(std::move(options)),
      incidents_url_(TrimTrailingSlash(options_.arm_url) + "/subscriptions/" +
                     EncodePathSegment(options_.subscription_id) + "/resourceGroups/" +
                     EncodePathSegment(options_.resource_group) +
                     "/providers/Microsoft.OperationalInsights/workspaces/" + EncodePathSegment(options_.workspace) +
                     "/providers/Microsoft.SecurityInsights/incidents"),
      caller_(transport, clock, logger, metrics,
              CallerConfig{Dialect::kArm, options_.arm_url, options_.tenant, options_.deadline}) {
  options_.page_size = std::clamp(options_.page_size, 1, 1000);
}

http::Headers ArmSentinelClient::ReadHeaders() { return {{"Accept", "application/json"}}; }

http::Headers ArmSentinelClient::WriteHeaders() {
  return {{"Accept", "application/json"}, {"Content-Type", "application/json"}};
}

std::string ArmSentinelClient::Url(const std::string& suffix, const std::string& query) const {
  std::string url = incidents_url_ + suffix + "?api-version=" + EncodeQueryValue(options_.api_version);
  if (!query.empty()) url += "&" + query;
  return url;
}

std::string ArmSentinelClient::IncidentPath(const std::string& name) const { return "/" + EncodePathSegment(name); }

Status ArmSentinelClient::CheckNextLink(const CallResult& call, const std::string& next,
                                        std::set<std::string>* seen) const {
  if (!caller_.IsOwnUrl(next)) {
    return ParseError(call.what + ": nextLink leaves the service (" + UrlOrigin(next) + "); not followed (request-id " +
                      call.request_id + ")");
  }
  if (!seen->insert(next).second) {
    return Status(Code::kUnavailable,
                  call.what + ": nextLink repeats (paging loop); listing stopped (request-id " + call.request_id + ")");
  }
  return Status::Ok();
}

Result<Listing<SentinelIncident>> ArmSentinelClient::ListChanged(Timestamp since) {
  Listing<SentinelIncident> listing;
  Status s = ListPages(Url("", "$filter=" + EncodeQueryValue("properties/lastModifiedTimeUtc ge " + since.ToString()) +
                                   "&$orderby=" + EncodeQueryValue("properties/lastModifiedTimeUtc asc") +
                                   "&$top=" + std::to_string(options_.page_size)),
                       &listing, nullptr);
  if (!s.ok()) return s;
  return listing;
}

Result<Listing<SentinelIncident>> ArmSentinelClient::ListOpen(const PageSink<SentinelIncident>& sink) {
  // One listing per open status: `eq` on properties/status is what integrations are seen to use;
  // `ne` and `or` are not confirmed to work on the service.
  Listing<SentinelIncident> all;
  all.began = caller_.clock().Now();
  for (const char* status : {"New", "Active"}) {
    Listing<SentinelIncident> one;
    Status s = ListPages(Url("", "$filter=" + EncodeQueryValue(std::string("properties/status eq '") + status + "'") +
                                     "&$top=" + std::to_string(options_.page_size)),
                         &one, &sink);
    if (!s.ok()) return s;
    all.complete = all.complete && one.complete;
    for (auto& e : one.errors) all.errors.push_back(std::move(e));
    if (one.newest && (!all.newest || *all.newest < *one.newest)) all.newest = one.newest;
  }
  return all;
}

Status ArmSentinelClient::ListPages(std::string url, Listing<SentinelIncident>* listing,
                                     const PageSink<SentinelIncident>* sink) {
  const Timestamp began = caller_.clock().Now();
  Collector collector(began + kFutureSkewSeconds);
  if (sink != nullptr) collector.PassTo(*sink);
  std::set<std::string> seen;
  int empty_in_a_row = 0;
  bool complete = true;
  for (size_t pages = 1;; ++pages) {
    CallResult call = caller_.Call("GET", url, ReadHeaders());
    if (!call.ok()) return call.status;
    Result<Page<SentinelIncident>> page = ParseSentinelIncidentPage(call.body);
    if (!page.ok()) return ApiCaller::BodyError(call, page.status());
    caller_.ReportItemErrors(call, &page->errors);
    const bool empty = page->items.empty() && page->errors.empty();
    std::string next = std::move(page->next_link);
    collector.Add(std::move(*page));
    if (!collector.status().ok()) return collector.status();
    if (next.empty()) break;
    if (Status ok = CheckNextLink(call, next, &seen); !ok.ok() || pages >= options_.max_listing_pages) {
      if (!caller_.IsOwnUrl(next)) return ok;
      // A listing by modification time loses nothing when it ends here: the next cycle reads on
      // from the newest time seen. Failing it would stall the link every cycle.
      caller_.logger().Warn("arm_listing_truncated", {{"tenant", options_.tenant},
                                                      {"reason", ok.ok() ? "page limit reached" : ok.message()},
                                                      {"pages", std::to_string(pages)}});
      complete = false;
      break;
    }
    empty_in_a_row = empty ? empty_in_a_row + 1 : 0;
    if (empty_in_a_row >= kMaxEmptyPagesInARow) {
      caller_.logger().Warn("arm_listing_truncated", {{"tenant", options_.tenant},
                                                      {"reason", std::to_string(empty_in_a_row) + " empty pages in a row"},
                                                      {"pages", std::to_string(pages)}});
      complete = false;
      break;
    }
    url = std::move(next);
  }
  const size_t passed = collector.passed();
  *listing = std::move(collector).Finish();
  listing->complete = complete;
  listing->began = began;
  caller_.CountItems(sink != nullptr ? passed : listing->items.size());
  return Status::Ok();
}

Result<std::vector<SentinelIncident>> ArmSentinelClient::ListRecent(int top) {
  top = std::clamp(top, 1, 1000);
  CallResult call = caller_.Call(
      "GET", Url("", "$orderby=" + EncodeQueryValue("properties/createdTimeUtc desc") + "&$top=" + std::to_string(top)),
      ReadHeaders());
  if (!call.ok()) return call.status;
  Result<Page<SentinelIncident>> page = ParseSentinelIncidentPage(call.body);
  if (!page.ok()) return ApiCaller::BodyError(call, page.status());
  // A sample for portal detection: an unreadable incident is counted, not fatal.
  caller_.CountParseErrors(page->errors.size());
  caller_.CountItems(page->items.size());
  return std::move(page->items);
}

Result<SentinelIncident> ArmSentinelClient::Get(const std::string& name) {
  CallResult call = caller_.Call("GET", Url(IncidentPath(name)), ReadHeaders());
  if (!call.ok()) return call.status;
  Result<SentinelIncident> incident = ParseSentinelIncident(call.body);
  if (incident.ok() && !EqualsIgnoreCase(incident->name, name)) {
    // Another incident's body under this one's name would be synced as this one's state.
    incident = ParseError("it describes incident '" + incident->name + "', not '" + name + "'");
  }
  if (!incident.ok()) {
    caller_.CountParseErrors(1);
    return ApiCaller::BodyError(call, incident.status());
  }
  caller_.CountItems(1);
  Result<std::vector<SentinelComment>> comments = ListComments(name);
  if (!comments.ok()) return comments.status();
  incident->comments = std::move(*comments);
  return incident;
}

Result<std::vector<SentinelComment>> ArmSentinelClient::ListComments(const std::string& name) {
  std::string url = Url(IncidentPath(name) + "/comments");
  std::vector<SentinelComment> comments;
  std::set<std::string> seen;
  for (;;) {
    CallResult call = caller_.Call("GET", url, ReadHeaders());
    if (!call.ok()) return call.status;
    Result<Page<SentinelComment>> page = ParseSentinelCommentPage(call.body);
    if (!page.ok()) return ApiCaller::BodyError(call, page.status());
    if (!page->errors.empty()) {
      // Our own comments have deterministic ids and are re-PUT idempotently, so one unreadable
      // comment costs at most a rewrite, never a duplicate; the incident stays readable.
      caller_.ReportItemErrors(call, &page->errors);
      caller_.logger().Warn(
          "arm_comment_unreadable",
          {{"tenant", options_.tenant}, {"incident", name}, {"error", page->errors.front().status.message()}});
    }
    for (SentinelComment& comment : page->items) comments.push_back(std::move(comment));
    if (page->next_link.empty()) return comments;
    if (Status ok = CheckNextLink(call, page->next_link, &seen); !ok.ok()) return ok;
    url = std::move(page->next_link);
  }
}

Result<SentinelIncident> ArmSentinelClient::Put(const SentinelIncident& incident) {
  const std::string url = Url(IncidentPath(incident.name));
  if (incident.name.empty()) return InvalidArgument("arm PUT: incident has no name");
  Result<std::string> body = SerializeSentinelPut(incident);
  // Refused here rather than by the service: the body would clear or break the incident.
  if (!body.ok()) return body.status().Annotate("arm PUT " + UrlPath(url));
  CallResult call = caller_.Call("PUT", url, WriteHeaders(), std::move(*body));
  if (!call.ok()) return call.status;
  Result<SentinelIncident> answered = ParseSentinelIncident(call.body);
  if (!answered.ok()) return ApiCaller::BodyError(call, answered.status());
  return answered;
}

Result<SentinelComment> ArmSentinelClient::PutComment(const std::string& incident, const std::string& comment_id,
                                                      const std::string& message) {
  const std::string url = Url(IncidentPath(incident) + "/comments/" + EncodePathSegment(comment_id));
  CallResult call = caller_.Call("PUT", url, WriteHeaders(), SerializeSentinelComment(message));
  if (!call.ok()) return call.status;
  Result<SentinelComment> comment = ParseSentinelComment(call.body);
  if (!comment.ok()) return ApiCaller::BodyError(call, comment.status());
  return comment;
}

}  // namespace detail

std::unique_ptr<SentinelClient> MakeArmSentinelClient(http::Transport& transport, ArmClientOptions options,
                                                      const Clock& clock, Logger& logger, Metrics& metrics) {
  return std::make_unique<detail::ArmSentinelClient>(transport, std::move(options), clock, logger, metrics);
}

}  // namespace xdrsync::api
