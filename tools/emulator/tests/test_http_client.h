// A deliberately small HTTP/1.1 client on raw sockets for the emulator's tests and benchmark.
// Raw sockets, not cpprest, so the tests can observe what a fault does on the wire: a reset,
// a truncated body, a reply that never comes.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace xdrsync::emulator::testing {

struct ClientResponse {
  enum class Outcome { kOk, kConnectFailed, kReset, kClosedBeforeReply, kTruncated, kTimeout };
  Outcome outcome = Outcome::kOk;
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string Header(const std::string& lower_name) const;
  nlohmann::json Json() const;  // discarded (is_discarded()) when the body is not JSON
};

class TestHttpClient {
 public:
  explicit TestHttpClient(int port, bool keep_alive = false);
  ~TestHttpClient();
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  // target = path plus query, already encoded.
  ClientResponse Send(const std::string& method, const std::string& target,
                      const std::map<std::string, std::string>& headers = {},
                      const std::string& body = "");
  // Writes `bytes` as they are (a whole hand-made request) and reads one reply.
  ClientResponse SendRaw(const std::string& bytes);
  ClientResponse Get(const std::string& target, const std::string& bearer = "");
  ClientResponse SendJson(const std::string& method, const std::string& target,
                          const nlohmann::json& body, const std::string& bearer = "");

 private:
  bool Connect();
  void Close();

  int port_;
  bool keep_alive_;
  int fd_ = -1;
  std::chrono::milliseconds timeout_{10000};
};

// Strips "http://127.0.0.1:N" from an absolute URL such as a nextLink.
std::string TargetOf(const std::string& url);
// Query-value encoding for building $filter strings in tests.
std::string Encode(const std::string& value);

}  // namespace xdrsync::emulator::testing
