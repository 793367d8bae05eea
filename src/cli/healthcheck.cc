#include "healthcheck.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>

#include "common.h"

namespace xdrsync::cli {
namespace {

using Deadline = std::chrono::steady_clock::time_point;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int MillisLeft(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for `events` on the socket until the deadline; false on timeout or error.
bool WaitFor(int fd, short events, Deadline deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int n = ::poll(&p, 1, MillisLeft(deadline));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

xdrsync::Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }

// A non-blocking connect to one resolved address, finished within the deadline.
Result<int> Connect(const addrinfo& ai, Deadline deadline) {
  const int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return Unavailable(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) != 0 && errno != EINPROGRESS) {
    const int err = errno;
    ::close(fd);
    return Unavailable(std::strerror(err));
  }
  if (!WaitFor(fd, POLLOUT, deadline)) {
    ::close(fd);
    return Unavailable("timed out connecting");
  }
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    ::close(fd);
    return Unavailable(std::strerror(err != 0 ? err : errno));
  }
  return fd;
}

xdrsync::Status SendAll(int fd, const std::string& data, Deadline deadline) {
  size_t sent = 0;
  while (sent < data.size()) {
    if (!WaitFor(fd, POLLOUT, deadline)) return Unavailable("timed out sending the request");
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EINTR && errno != EAGAIN) return Unavailable(std::strerror(errno));
    if (n > 0) sent += static_cast<size_t>(n);
  }
  return xdrsync::Status::Ok();
}

// Reads until the end of the status line ("HTTP/1.1 200 OK\r\n") and returns its code.
Result<int> ReadStatusCode(int fd, Deadline deadline) {
  std::string head;
  char buf[512];
  while (head.find('\n') == std::string::npos && head.size() < 4096) {
    if (!WaitFor(fd, POLLIN, deadline)) return Unavailable("timed out waiting for the answer");
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Unavailable(std::strerror(errno));
    }
    head.append(buf, static_cast<size_t>(n));
  }
  // "HTTP/1.x NNN": the code is the three digits after the first space.
  const size_t space = head.find(' ');
  if (head.rfind("HTTP/", 0) != 0 || space == std::string::npos || head.size() < space + 4) {
    return Unavailable(head.empty() ? "the connection closed without an answer" : "the answer is not HTTP");
  }
  int code = 0;
  for (size_t i = space + 1; i < space + 4; ++i) {
    if (head[i] < '0' || head[i] > '9') return Unavailable("the answer is not HTTP");
    code = code * 10 + (head[i] - '0');
  }
  return code;
}

std::string HostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

Result<app::ListenAddress> ProbeAddress(std::string_view listen) {
  if (listen.empty()) {
    return InvalidArgument("\"listen\" is \"\" in the configuration: the health endpoint is off, nothing to check");
  }
  auto parsed = app::ParseListenAddress(listen);
  if (!parsed.ok()) return InvalidArgument("\"listen\": " + parsed.status().message());
  app::ListenAddress to = *parsed;
  if (to.port == 0) return InvalidArgument("\"listen\" has port 0 (any free port): set a fixed port to probe it");
  if (to.host.empty() || to.host == "0.0.0.0") to.host = "127.0.0.1";
  if (to.host == "::" || to.host == "0:0:0:0:0:0:0:0") to.host = "::1";
  return to;
}

Result<int> HttpGetStatus(const app::ListenAddress& to, std::string_view path, std::chrono::milliseconds timeout) {
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(to.port);
  if (const int rc = ::getaddrinfo(to.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Unavailable(std::string("cannot resolve ") + to.host + ": " + ::gai_strerror(rc));
  }
  // Each address the name resolves to, in order, until one accepts ("localhost" may be ::1 first).
  Result<int> fd = Unavailable("no address");
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    fd = Connect(*ai, deadline);
    if (fd.ok()) break;
  }
  ::freeaddrinfo(found);
  if (!fd.ok()) return fd.status();
  const Socket socket(*fd);
  const std::string request = "GET " + std::string(path) + " HTTP/1.0\r\nHost: " + HostForUrl(to.host) + ":" + port +
                              "\r\nUser-Agent: xdrsync-healthcheck\r\nConnection: close\r\n\r\n";
  if (xdrsync::Status sent = SendAll(socket.fd(), request, deadline); !sent.ok()) return sent;
  return ReadStatusCode(socket.fd(), deadline);
}

int Healthcheck(const Args& args) {
  // Exit 1, never 64 or 78: to a container runtime every failure here just means "unhealthy".
  const auto config = LoadConfigOrReport(args.config_path);
  if (!config) return 1;
  const auto to = ProbeAddress(config->listen);
  if (!to.ok()) {
    std::fprintf(stderr, "xdrsync: healthcheck: %s\n", Printable(to.status().message()).c_str());
    return 1;
  }
  const std::string url = "http://" + HostForUrl(to->host) + ":" + std::to_string(to->port) + "/readyz";
  const auto code = HttpGetStatus(*to, "/readyz", kHealthcheckTimeout);
  if (!code.ok()) {
    std::fprintf(stderr, "xdrsync: healthcheck: %s: %s\n", Printable(url).c_str(),
                 Printable(code.status().message()).c_str());
    return 1;
  }
  if (*code != 200) {
    std::fprintf(stderr, "xdrsync: healthcheck: %s answered %d, not ready\n", Printable(url).c_str(), *code);
    return 1;
  }
  return 0;
}

}  // namespace xdrsync::cli
