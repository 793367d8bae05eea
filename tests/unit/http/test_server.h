// A scriptable HTTP/1.1 server on 127.0.0.1, port 0, written with plain POSIX sockets so a test can
// misbehave on purpose: hang, reset, truncate, redirect. Each connection gets its own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace xdrsync::http::testing {

struct ReceivedRequest {
  std::string head;  // request line and headers, as sent
  std::string body;
  // The first value of a header (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
  size_t CountHeader(std::string_view name) const;
};

class TestServer {
 public:
  // What to do with the connection once the handler has written (or not written) its answer.
  enum class After { kKeepOpen, kClose, kReset };
  using Handler = std::function<After(int fd, const ReceivedRequest& request)>;

  explicit TestServer(Handler handler, const char* address = "127.0.0.1");
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  std::string Url(std::string_view path = "/") const;
  int connections() const { return connections_.load(); }
  std::vector<ReceivedRequest> requests() const;

  // For handlers that hang: returns once the server is being torn down.
  void WaitForStop();

  // False once the peer has gone (closed or reset).
  static bool SendAll(int fd, std::string_view data);

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler handler_;
  std::string address_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::vector<ReceivedRequest> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// "HTTP/1.1 <status> X\r\nContent-Length: n\r\n<extra>\r\n<body>"
std::string HttpResponse(int status, std::string_view body, std::string_view extra_headers = {});

}  // namespace xdrsync::http::testing
