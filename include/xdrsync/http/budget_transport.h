// Client-side rate budgets: a token bucket per (api, tenant, read|write), so xdrsync stays below
// Microsoft's limits instead of learning them from 429s. An empty bucket means waiting (through the
// Sleeper, so shutdown cuts it short), never failing.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "xdrsync/core/clock.h"
#include "xdrsync/core/metrics.h"
#include "xdrsync/core/sleeper.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::http {

struct BucketLimits {
  double capacity = 1;           // burst: tokens in a full bucket
  double refill_per_second = 1;  // steady rate
};

struct BudgetOptions {
  // Keyed by a prefix of "<api>/<read|write>/<tenant>"; the longest matching prefix wins, so
  // "graph/read" sets every Graph tenant and "graph/read/<tenant id>" one of them. A request whose
  // key matches nothing is not limited (login, managed identity).
  std::map<std::string, BucketLimits> limits;
  // A read-guarded write (Request::read_guarded: a Graph PATCH) that would wait longer than this
  // for its token is not sent after the wait: its guard read would be that much older. It comes
  // back kAborted with the token kept for it; its caller reads again and sends it at once.
  int64_t read_guarded_max_wait_ms = 100;
};

// Below the published limits with room to spare:
// - graph/read: 20 burst + 2/s (at most 140 in any minute; Graph allows ~150/min per app per tenant)
// - graph/write: 10 burst + 1/s
// - arm/read: 100 burst + 10/s (ARM: 250 + 25/s per principal)
// - arm/write: 40 burst + 4/s (ARM: 200 + 10/s)
BudgetOptions DefaultBudgetOptions();

// Thread-safe. Metrics: xdrsync_http_budget_wait_seconds{api} (a histogram of the waits that
// happened), xdrsync_http_ratelimit_remaining{api,tenant,limit} (from x-ms-ratelimit-remaining-*
// response headers; `limit` is the header's suffix, e.g. "subscription-reads").
class BudgetTransport final : public Transport {
 public:
  BudgetTransport(Transport& inner, BudgetOptions options, Sleeper& sleeper, const Clock& clock, Metrics& metrics);
  ~BudgetTransport() override;

  // kUnavailable "shutting down" when a wait for a token is cut short; the request is not sent.
  // kAborted after a long wait for a read-guarded write (BudgetOptions::read_guarded_max_wait_ms):
  // not sent, its token kept for a minute for the same method and URL.
  Result<Response> Send(const Request& request) override;

  // How full the read bucket of (api, tenant) is now, as a share of its burst capacity: 1 when
  // full, unused or unlimited; 0 or below when requests queue for it. The daemon's adaptive
  // polling hurries only while the link's buckets have room.
  double ReadHeadroom(const std::string& api, const std::string& tenant);

 private:
  class Bucket;
  // The bucket for a key "<api>/<read|write>/<tenant>", or nullptr when the key is unlimited.
  Bucket* BucketFor(const std::string& key);
  void RecordRemaining(const Request& request, const Response& response);
  // A token paid for a read-guarded write that was sent back for a new read (by method and URL).
  bool TakePrepaid(const std::string& what);
  void Prepay(const std::string& what);

  Transport& inner_;
  const BudgetOptions options_;
  Sleeper& sleeper_;
  const Clock& clock_;
  Metrics& metrics_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Bucket>> buckets_;
  std::map<std::string, Timestamp> prepaid_;  // what -> until when the token is kept
};

}  // namespace xdrsync::http
