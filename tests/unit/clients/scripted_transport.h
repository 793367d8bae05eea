// A Transport that plays a script: each expected request (method and exact URL, optionally a body
// check) is answered with a canned response, in order. A request off the script fails the test and
// gets a 599 answer, so a client under test cannot wander.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "xdrsync/http/transport.h"

namespace xdrsync::testing {

class ScriptedTransport final : public http::Transport {
 public:
  struct Step {
    std::string method;
    std::string url;
    http::Response response;
    Status failure;  // not ok: Send returns it instead of the response
    std::function<void(const http::Request&)> check;
  };

  // Expects `method url` next and answers `status` with `body` (and extra response headers).
  Step& Expect(std::string method, std::string url, int status, std::string body, http::Headers headers = {}) {
    std::lock_guard lock(mu_);
    Step step;
    step.method = std::move(method);
    step.url = std::move(url);
    step.response.status = status;
    step.response.body = std::move(body);
    step.response.headers = std::move(headers);
    script_.push_back(std::move(step));
    return script_.back();
  }

  // Expects `method url` next and fails it below HTTP.
  void ExpectFailure(std::string method, std::string url, Status failure) {
    Step& step = Expect(std::move(method), std::move(url), 0, "");
    step.failure = std::move(failure);
  }

  Result<http::Response> Send(const http::Request& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (script_.empty()) {
      ADD_FAILURE() << "unexpected request: " << request.method << " " << request.url;
      return Status(Code::kUnavailable, "script exhausted");
    }
    Step step = std::move(script_.front());
    script_.pop_front();
    EXPECT_EQ(request.method + " " + request.url, step.method + " " + step.url);
    if (step.check) step.check(request);
    if (!step.failure.ok()) return step.failure;
    return step.response;
  }

  size_t remaining() const {
    std::lock_guard lock(mu_);
    return script_.size();
  }
  std::vector<http::Request> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<Step> script_;
  std::vector<http::Request> requests_;
};

inline std::string HeaderOf(const http::Request& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace xdrsync::testing
