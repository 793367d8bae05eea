// The caching half of every TokenProvider: one cached token per scope, refreshed before it
// expires, one fetch in flight per scope while concurrent callers wait for its result.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "xdrsync/auth/token_provider.h"
#include "xdrsync/core/clock.h"

namespace xdrsync::auth {

// How one kind of credential obtains a token: one request, no retries (the transport's retry
// decorator owns those), no caching.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // Called without any lock held; may be called concurrently for different scopes.
  virtual Result<AccessToken> Fetch(std::string_view scope) = 0;
};

class CachingTokenProvider final : public TokenProvider {
 public:
  CachingTokenProvider(std::unique_ptr<TokenSource> source, const Clock& clock, int64_t refresh_margin_seconds);

  // A cached token is served while more than min(refresh margin, half its lifetime) remains.
  // When a refresh fails for a passing reason (kUnavailable, kResourceExhausted) the old token is
  // served while it still has a minute left; a refused credential is reported at once, and
  // force_refresh never falls back. Every caller waiting on a fetch shares that fetch's result;
  // a failure is not cached, so the next call tries again.
  Result<AccessToken> Token(std::string_view scope, bool force_refresh = false) override;

  // Callers blocked on another caller's fetch of `scope`; for tests of single-flight.
  size_t WaitersForTest(std::string_view scope) const;

 private:
  struct Entry {
    std::optional<AccessToken> token;
    Timestamp fetched_at;
    bool fetching = false;
    uint64_t fetches_done = 0;
    std::optional<Result<AccessToken>> last_result;
    size_t waiters = 0;
  };
  bool Fresh(const Entry& entry) const;
  Result<AccessToken> FetchNoThrow(std::string_view scope);
  Result<AccessToken> Settle(const Entry& entry, const Result<AccessToken>& result, bool force_refresh) const;

  std::unique_ptr<TokenSource> source_;
  const Clock& clock_;
  const int64_t refresh_margin_seconds_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace xdrsync::auth
