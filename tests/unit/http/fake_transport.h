// Hand-written fakes for the HTTP decorators: a transport that plays a script and records every
// request, and a token provider with a call log and a fail switch.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "xdrsync/auth/token_provider.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::http::testing {

inline Response MakeResponse(int status, Headers headers = {}, std::string body = {}) {
  Response r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

// Answers from the script in order, then 200 with an empty body. Thread-safe.
class ScriptedTransport final : public Transport {
 public:
  void Push(Result<Response> next) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(next));
  }
  void PushStatus(int status, Headers headers = {}) { Push(MakeResponse(status, std::move(headers))); }

  Result<Response> Send(const Request& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (script_.empty()) return MakeResponse(200);
    Result<Response> next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  std::vector<Request> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  size_t calls() const {
    std::lock_guard lock(mu_);
    return requests_.size();
  }

 private:
  mutable std::mutex mu_;
  std::deque<Result<Response>> script_;
  std::vector<Request> requests_;
};

inline std::string HeaderOf(const Request& request, std::string_view name) {
  Response view;
  view.headers = request.headers;
  return view.Header(name);
}

// Issues "token-1", "token-2", ... (a new one on every forced refresh) unless told to fail.
class FakeTokenProvider final : public auth::TokenProvider {
 public:
  struct Call {
    std::string scope;
    bool force_refresh;
  };

  Result<auth::AccessToken> Token(std::string_view scope, bool force_refresh) override {
    std::lock_guard lock(mu_);
    calls_.push_back({std::string(scope), force_refresh});
    if (!fail_.ok()) return fail_;
    if (force_refresh || generation_ == 0) ++generation_;
    auth::AccessToken token;
    token.value = "token-" + std::to_string(generation_);
    return token;
  }

  void Fail(Status status) {
    std::lock_guard lock(mu_);
    fail_ = std::move(status);
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  Status fail_;
  int generation_ = 0;
};

}  // namespace xdrsync::http::testing
