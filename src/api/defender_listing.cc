// Incremental listing of Graph incidents. Graph pages with $skip under the hood and stops short at
// high volume (a 6,000 $skip ceiling, a skip token that expires, a last page that is full but has
// no nextLink), so a listing is a series of segments: each starts with
// `lastUpdateDateTime ge <last time seen>` and follows @odata.nextLink verbatim until it ends or
// stops short; the overlap between segments is removed by (id, lastUpdateDateTime).
//
// Graph does not document $orderby on incidents, and its nextLinks may page with $skip over the
// live result. So the order is checked, not assumed: when it is refused or not honoured, a
// segment cannot continue from the last time seen, and the newest stamp may move the watermark
// only once the listing is complete. A live $skip segment that serves an item twice has shifted
// under a write and may have skipped one; it is listed again from the same start.
// docs/reliability.md ("Graph order and paging") gives the reasoning.
#include <set>
#include <utility>

#include "defender_client.h"
#include "http_text.h"

namespace xdrsync::api::detail {

using domain::DefenderIncident;

namespace {

// Listings again from the same start after a live $skip segment shifted, before giving up on
// this cycle (without moving the watermark; the next cycle starts from the same place).
constexpr int kMaxShiftedRelists = 3;

// A nextLink that pages by position over the live result rather than by a server-side snapshot.
bool IsLiveSkipLink(const std::string& url) {
  return ContainsIgnoreCase(url, "$skip=") || ContainsIgnoreCase(url, "%24skip=");
}

}  // namespace

struct GraphDefenderClient::Segment {
  Status status;                // not ok: the listing fails
  bool stopped_short = false;   // paging ended before the data did: continue from the last time
  bool position_lost = false;   // ...because the service lost the position (ceiling, expired, loop)
  bool expand_failed = false;   // $expand=alerts gave 5xx: continue without it
  bool out_of_pages = false;    // the listing's page budget is spent: end with what it has
  bool orderby_refused = false; // 400 naming $orderby: list again without it
  bool unordered = false;       // a stamp lower than the one before it
  bool live_skip = false;       // followed a nextLink that pages with $skip over live data
  bool shifted = false;         // ...and was served an item twice: the result moved between pages
  size_t new_items = 0;
};

std::string GraphDefenderClient::ListUrl(std::optional<Timestamp> since, const std::string& extra_filter,
                                         bool expand, bool orderby) const {
  std::string filter;
  if (since) filter = "lastUpdateDateTime ge " + since->ToString();
  if (!extra_filter.empty()) filter += (filter.empty() ? "" : " and ") + extra_filter;
  std::string url = security_url_ + "/incidents?";
  if (!filter.empty()) url += "$filter=" + EncodeQueryValue(filter) + "&";
  if (orderby) url += "$orderby=" + EncodeQueryValue("lastUpdateDateTime asc") + "&";
  url += "$top=" + std::to_string(options_.page_size);
  if (expand) url += "&$expand=alerts";
  return url;
}

Result<Listing<DefenderIncident>> GraphDefenderClient::ListChanged(Timestamp since, bool with_alerts) {
  return List(since, "", with_alerts, nullptr);
}

// `ne` rather than `eq` on the open statuses: awaitingAction and members Graph adds later are open
// too, and a full sweep must not miss them. Graph has no `in` on this enum and `or` is not
// accepted everywhere, so the two exclusions are joined with `and`.
Result<Listing<DefenderIncident>> GraphDefenderClient::ListOpen(bool with_alerts,
                                                                const PageSink<DefenderIncident>& sink) {
  return List(std::nullopt, "status ne 'resolved' and status ne 'redirected'", with_alerts, &sink);
}

bool GraphDefenderClient::ExpandAllowed() const {
  return caller_.clock().Now().ticks() >= expand_blocked_until_.load();
}

void GraphDefenderClient::NoteOrderFallback(std::atomic<bool>& flag, const char* reason) {
  if (!flag.exchange(false)) return;  // once per client: the tenant's service answers alike
  caller_.logger().Warn("graph_order_fallback", {{"tenant", options_.tenant}, {"reason", reason}});
  metrics_.Add("xdrsync_graph_order_fallback_total", {{"tenant", options_.tenant}, {"reason", reason}}, 1);
}

void GraphDefenderClient::NoteExpandFailed() {
  const auto seconds = static_cast<int64_t>(options_.expand_retry_interval.count());
  expand_blocked_until_.store((caller_.clock().Now() + seconds).ticks());
  caller_.logger().Warn("graph_expand_fallback",
                        {{"tenant", options_.tenant}, {"retry_after_seconds", std::to_string(seconds)}});
}

Result<Listing<DefenderIncident>> GraphDefenderClient::List(std::optional<Timestamp> since,
                                                            const std::string& extra_filter, bool with_alerts,
                                                            const PageSink<DefenderIncident>* sink) {
  const Timestamp began = caller_.clock().Now();
  Collector collector(began + kFutureSkewSeconds);
  if (sink != nullptr) PassPages(collector, with_alerts, *sink);
  bool complete = true;
  bool newest_trusted = true;  // false: an item older than the newest seen may be unseen
  bool expand = with_alerts && ExpandAllowed();
  std::optional<Timestamp> cursor = since;
  const size_t page_budget = sink != nullptr ? options_.max_open_listing_pages : options_.max_listing_pages;
  size_t pages_left = page_budget;
  int relists_left = kMaxShiftedRelists;
  for (bool first = true;;) {
    const bool orderby = orderby_sent_.load();
    const Segment segment =
        RunSegment(ListUrl(cursor, extra_filter, expand, orderby), expand, &collector, &pages_left);
    if (segment.orderby_refused) {
      NoteOrderFallback(orderby_sent_, "orderby_refused");
      continue;  // the same segment without $orderby
    }
    if (!segment.status.ok()) return segment.status;
    if (!collector.status().ok()) return collector.status();
    if (segment.unordered && orderby) NoteOrderFallback(order_honoured_, "orderby_ignored");
    const bool ordered = orderby_sent_.load() && order_honoured_.load();
    if (segment.out_of_pages) {
      caller_.logger().Warn("graph_listing_truncated", {{"tenant", options_.tenant},
                                                        {"pages", std::to_string(page_budget)},
                                                        {"at", collector.newest() ? collector.newest()->ToString() : ""}});
      complete = false;
      // Sorted and read in order, what was read is a prefix; otherwise the unread rest may be older.
      newest_trusted = ordered && !segment.live_skip;
      break;
    }
    if (segment.shifted) {
      metrics_.Add("xdrsync_graph_paging_shifted_total", {{"tenant", options_.tenant}}, 1);
      if (relists_left-- > 0) continue;
      caller_.logger().Warn("graph_paging_shifting",
                            {{"tenant", options_.tenant}, {"relists", std::to_string(kMaxShiftedRelists)}});
      complete = false;
      newest_trusted = false;
      break;
    }
    if (segment.expand_failed) {
      expand = false;
      NoteExpandFailed();
    } else if (!segment.stopped_short) {
      break;
    } else if (!ordered && (segment.position_lost || (!first && segment.new_items == 0))) {
      // Unsorted, a continuation can only start over from the same time: when the service lost
      // its position the rest is out of reach; when starting over brought nothing new, it is done.
      if (segment.position_lost) {
        caller_.logger().Warn("graph_paging_unordered_stop", {{"tenant", options_.tenant}});
        complete = false;
        newest_trusted = false;
      }
      break;
    } else if (!first && segment.new_items == 0) {
      // Every item from the last time seen on was already held: more items than a whole skip
      // window share one timestamp, or the service keeps stopping at the same place.
      caller_.logger().Warn("graph_paging_stalled",
                            {{"tenant", options_.tenant}, {"at", cursor ? cursor->ToString() : ""}});
      complete = false;
      break;
    }
    if (ordered && collector.newest()) cursor = collector.newest();
    first = false;
  }

  if (with_alerts) {  // (with a sink the pages were completed as they passed: nothing is held)
    if (Status done = CompleteListedAlerts(collector.items(), collector.errors()); !done.ok()) return done;
  }
  const size_t listed = collector.passed() + collector.items().size();
  Listing<DefenderIncident> listing = std::move(collector).Finish();
  listing.complete = complete;
  listing.began = began;
  if (!newest_trusted) listing.newest.reset();
  caller_.CountItems(listed);
  return listing;
}

void GraphDefenderClient::PassPages(Collector& collector, bool with_alerts, const PageSink<DefenderIncident>& sink) {
  // Each page's alert lists are completed before the page is handed on.
  Collector::Prepare complete_alerts = nullptr;
  if (with_alerts) {
    complete_alerts = [this](std::vector<DefenderIncident>& items, std::vector<ItemError>& errors) {
      return CompleteListedAlerts(items, errors);
    };
  }
  collector.PassTo(sink, std::move(complete_alerts));
}

Status GraphDefenderClient::CompleteListedAlerts(std::vector<DefenderIncident>& items,
                                                 std::vector<ItemError>& errors) {
  // Incidents listed without $expand (or with a list that may be capped) read their alerts
  // themselves. A per-incident failure that concerns that incident goes into errors; one that
  // concerns the service (5xx, 429, 401) fails the listing, so the cycle retries it whole.
  std::vector<DefenderIncident> kept;
  kept.reserve(items.size());
  for (DefenderIncident& incident : items) {
    Status completed = CompleteAlerts(incident, true);
    const Code code = completed.code();
    if (code == Code::kUnavailable || code == Code::kResourceExhausted || code == Code::kUnauthenticated) {
      return completed;
    }
    if (completed.ok()) {
      kept.push_back(std::move(incident));
    } else {
      errors.push_back(ItemError{0, incident.id, completed.Annotate("alerts of incident " + incident.id)});
    }
  }
  items = std::move(kept);
  return Status::Ok();
}

GraphDefenderClient::Segment GraphDefenderClient::RunSegment(const std::string& first_url, bool expand,
                                                             Collector* collector, size_t* pages_left) {
  Segment segment;
  std::set<std::string> links_seen;
  std::set<std::string> ids_seen;
  std::optional<Timestamp> last_stamp;
  std::string url = first_url;
  size_t received = 0;
  for (;;) {
    if (*pages_left == 0) {
      segment.out_of_pages = true;
      return segment;
    }
    --*pages_left;
    CallResult call = caller_.Call("GET", url, ReadHeaders());
    if (!call.ok()) {
      NoteFailedPage(call, url == first_url, expand, &segment);
      return segment;
    }
    Result<Page<DefenderIncident>> page = ParseDefenderIncidentPage(call.body);
    if (!page.ok()) {
      segment.status = ApiCaller::BodyError(call, page.status());
      return segment;
    }
    const size_t on_page = page->items.size() + page->errors.size();
    received += on_page;
    caller_.ReportItemErrors(call, &page->errors);
    for (const DefenderIncident& item : page->items) {
      if (last_stamp && item.last_update < *last_stamp) segment.unordered = true;
      last_stamp = item.last_update;
      if (!ids_seen.insert(item.id).second && segment.live_skip) segment.shifted = true;
    }
    std::string next = std::move(page->next_link);
    segment.new_items += collector->Add(std::move(*page));
    if (!collector->status().ok()) return segment;  // the sink failed: List ends with it

    if (next.empty()) {
      // A full last page may be the whole truth or a link the service dropped; one more request
      // from the last time seen tells them apart.
      segment.stopped_short = on_page >= static_cast<size_t>(options_.page_size);
      return segment;
    }
    if (!caller_.IsOwnUrl(next)) {
      segment.status = ParseError(call.what + ": @odata.nextLink leaves the service (" + UrlOrigin(next) +
                                  "); not followed (request-id " + call.request_id + ")");
      return segment;
    }
    if (!links_seen.insert(next).second || received >= options_.skip_ceiling) {
      caller_.logger().Warn("graph_paging_restart",
                            {{"tenant", options_.tenant},
                             {"reason", received >= options_.skip_ceiling ? "skip ceiling" : "repeated nextLink"}});
      segment.stopped_short = true;
      segment.position_lost = true;
      return segment;
    }
    segment.live_skip = segment.live_skip || IsLiveSkipLink(next);
    url = std::move(next);
  }
}

void GraphDefenderClient::NoteFailedPage(const CallResult& call, bool first_page, bool expand,
                                         Segment* segment) const {
  const bool bad_request = call.http_status == 400;
  if (expand && call.status.code() == Code::kUnavailable) {
    segment->expand_failed = true;
  } else if (first_page && bad_request && ContainsIgnoreCase(call.status.message(), "orderby") &&
             orderby_sent_.load()) {
    segment->orderby_refused = true;
  } else if (!first_page && bad_request && ContainsIgnoreCase(call.status.message(), "skip")) {
    // A $skip past the ceiling or an expired skip token: the position is lost, not the data.
    caller_.logger().Warn("graph_paging_restart", {{"tenant", options_.tenant}, {"reason", call.status.message()}});
    segment->stopped_short = true;
    segment->position_lost = true;
  } else {
    segment->status = call.status;
  }
}

}  // namespace xdrsync::api::detail
