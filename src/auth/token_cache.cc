#include "auth/token_cache.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace xdrsync::auth {
namespace {

// The least lifetime left for which an old token is still worth handing out after a failed refresh.
constexpr int64_t kFallbackSeconds = 60;

}  // namespace

CachingTokenProvider::CachingTokenProvider(std::unique_ptr<TokenSource> source, const Clock& clock,
                                           int64_t refresh_margin_seconds)
    : source_(std::move(source)), clock_(clock), refresh_margin_seconds_(std::max<int64_t>(0, refresh_margin_seconds)) {}

bool CachingTokenProvider::Fresh(const Entry& entry) const {
  if (!entry.token) return false;
  const int64_t lifetime_ticks = entry.token->expires_on.TicksSince(entry.fetched_at);
  const int64_t margin_ticks =
      std::max<int64_t>(0, std::min(refresh_margin_seconds_ * Timestamp::kTicksPerSecond, lifetime_ticks / 2));
  return entry.token->expires_on.TicksSince(clock_.Now()) > margin_ticks;
}

Result<AccessToken> CachingTokenProvider::FetchNoThrow(std::string_view scope) {
  // An escaping exception would leave `fetching` set and every later caller waiting forever. Its
  // text is not kept: it could quote what was being parsed.
  try {
    return source_->Fetch(scope);
  } catch (const std::exception&) {
    return Internal("unexpected exception while fetching a token for " + std::string(scope));
  }
}

Result<AccessToken> CachingTokenProvider::Settle(const Entry& entry, const Result<AccessToken>& result,
                                                 bool force_refresh) const {
  if (result.ok() || force_refresh || !entry.token) return result;
  const Code code = result.status().code();
  if (code != Code::kUnavailable && code != Code::kResourceExhausted) return result;
  if (entry.token->expires_on.TicksSince(clock_.Now()) <= kFallbackSeconds * Timestamp::kTicksPerSecond) return result;
  return *entry.token;
}

Result<AccessToken> CachingTokenProvider::Token(std::string_view scope, bool force_refresh) {
  std::unique_lock lock(mu_);
  auto it = entries_.find(scope);
  if (it == entries_.end()) it = entries_.emplace(std::string(scope), Entry{}).first;
  Entry& entry = it->second;  // map nodes never move, so the reference survives the unlock below

  if (entry.fetching) {
    // Someone is already asking the identity platform: share what they get, even when we were
    // told to force a refresh, since their fetch started no earlier than our decision to force.
    const uint64_t seen = entry.fetches_done;
    ++entry.waiters;
    done_.wait(lock, [&] { return entry.fetches_done != seen; });
    --entry.waiters;
    return Settle(entry, *entry.last_result, force_refresh);
  }
  if (!force_refresh && Fresh(entry)) return *entry.token;

  entry.fetching = true;
  const Timestamp started = clock_.Now();
  lock.unlock();
  Result<AccessToken> result = FetchNoThrow(scope);
  lock.lock();
  entry.fetching = false;
  ++entry.fetches_done;
  if (result.ok()) {
    entry.token = *result;
    entry.fetched_at = started;
  }
  entry.last_result = result;
  done_.notify_all();
  return Settle(entry, result, force_refresh);
}

size_t CachingTokenProvider::WaitersForTest(std::string_view scope) const {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(scope);
  return it == entries_.end() ? 0 : it->second.waiters;
}

}  // namespace xdrsync::auth
