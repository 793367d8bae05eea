// A deliberately plain HTTP/1.1 client on loopback sockets: the health server is tested as a
// scraper, a probe or a hostile client sees it. Every socket has receive and send timeouts, so a
// server that stops answering fails the test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace xdrsync::app::test_client {

struct HttpReply {
  int status = 0;  // 0: no answer (refused, reset or closed)
  std::string head;
  std::string body;
};

// A socket connected to 127.0.0.1:port, or -1.
inline int Connect(uint16_t port, int timeout_ms = 5000) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

inline bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Everything the server sends until it closes (or the receive timeout passes).
inline std::string ReadAll(int fd) {
  std::string raw;
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  return raw;
}

// True when the server closed the connection (end of stream or reset) within the socket's receive
// timeout; whatever it sent before is discarded.
inline bool ClosedByServer(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

// The first response in `raw`; the body is everything after its head.
inline HttpReply ParseReply(const std::string& raw) {
  HttpReply reply;
  const size_t split = raw.find("\r\n\r\n");
  if (raw.size() < 12 || raw.compare(0, 9, "HTTP/1.1 ") != 0 || split == std::string::npos) return reply;
  reply.status = std::stoi(raw.substr(9, 3));
  reply.head = raw.substr(0, split);
  reply.body = raw.substr(split + 4);
  return reply;
}

// Sends `raw` as is on a new connection and reads until the server closes.
inline HttpReply Exchange(uint16_t port, const std::string& raw) {
  const int fd = Connect(port);
  if (fd < 0) return {};
  std::string answer;
  if (SendAll(fd, raw)) answer = ReadAll(fd);
  close(fd);
  return ParseReply(answer);
}

inline HttpReply Request(uint16_t port, const std::string& method, const std::string& path,
                         const std::string& extra_headers = "") {
  return Exchange(
      port, method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "Connection: close\r\n\r\n");
}

// Polls `done` until it holds or `limit` passes; for effects of the server's own thread.
inline bool Eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::milliseconds(10'000)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace xdrsync::app::test_client
