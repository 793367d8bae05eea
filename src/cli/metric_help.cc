#include "metric_help.h"

namespace xdrsync::app {

void DescribeSyncMetrics(Metrics& metrics) {
  // The engine and the wiring count these without a description; without it Prometheus would read
  // them as untyped. Types and meanings as docs/operations.md §5 states them.
  struct Help {
    const char* name;
    const char* type;
    const char* help;
  };
  static constexpr Help kHelp[] = {
      {"xdrsync_cycles_total", "counter", "Sync cycles run, by link and result (ok, failed, held)."},
      {"xdrsync_changes_propagated_total", "counter", "Field changes written to the other side, by link, direction and field."},
      {"xdrsync_twins_created_total", "counter", "Twins created, by link and way."},
      {"xdrsync_comments_copied_total", "counter", "Comments written, by link, target and purpose."},
      {"xdrsync_conflicts_total", "counter", "Fields both sides changed differently, by link, field and policy."},
      {"xdrsync_echoes_suppressed_total", "counter", "Observations of xdrsync's own writes, ignored."},
      {"xdrsync_capture_pairs_unchanged_total", "counter", "Listed incidents whose pair had not changed since the last sync."},
      {"xdrsync_sentinel_listings_shared_total", "counter",
       "Sentinel listings answered with a listing of the same workspace another link made moments before."},
      {"xdrsync_sweep_pairs_skipped_total", "counter", "Pairs a full sweep did not re-read: neither side had changed."},
      {"xdrsync_outbox_depth", "gauge", "Writes decided but not yet confirmed, by link."},
      {"xdrsync_quarantine_size", "gauge", "Incidents or fields set aside after repeated failures, by link."},
      {"xdrsync_writes_carried", "gauge", "Writes left for the next cycle when its execution time (one poll interval) ran out, by link."},
      {"xdrsync_sync_lag_seconds", "gauge", "Age of each side's watermark, by link and side."},
      {"xdrsync_token_expiry_seconds", "gauge", "Seconds the last token fetched had left when fetched, by tenant and scope."},
      {"xdrsync_link_way", "gauge", "1 for the way each link creates twins."},
  };
  for (const auto& h : kHelp) metrics.Describe(h.name, h.type, h.help);
}

}  // namespace xdrsync::app
