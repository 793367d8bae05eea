// One thread, one poll() over the wake-up eventfd, the listener and at most max_connections
// sockets. Every socket is non-blocking and every connection has a deadline, so no client can
// hold the thread: the only call that may take time is the handler.
#include "bounded_http_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <system_error>
#include <thread>
#include <vector>

namespace xdrsync::app {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kResponses[] = "xdrsync_health_responses_total";
constexpr char kRejected[] = "xdrsync_health_connections_rejected_total";
constexpr char kTimedOut[] = "xdrsync_health_connections_timed_out_total";
constexpr char kAcceptErrors[] = "xdrsync_health_accept_errors_total";

constexpr size_t kReadChunk = 16 * 1024;
// After an error answer the rest of the request is read and dropped for a moment, so that closing
// with unread bytes (which sends a reset) does not destroy the answer before the client reads it.
constexpr size_t kLingerBytes = 64 * 1024;
constexpr int kLingerMs = 1000;
constexpr int kAcceptsPerWake = 16;

constexpr char kBusy[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"
    "Retry-After: 1\r\nConnection: close\r\n\r\nbusy\n";

std::string ErrorText(int error) { return std::error_code(error, std::generic_category()).message(); }

struct Connection {
  enum class Phase { kHead, kBody, kWrite, kLinger };

  Connection(int socket, HttpHeadLimits limits, SteadyClock::time_point until)
      : fd(socket), parser(limits), deadline(until) {}
  ~Connection() {
    if (fd >= 0) close(fd);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd;
  Phase phase = Phase::kHead;
  HttpHeadParser parser;
  uint64_t body_left = 0;
  std::string pending;  // bytes read past a request whose answer is still being written
  std::string out;
  size_t sent = 0;
  bool close_after = false;
  // A request is under way: the first one, or bytes of a later one arrived. Only then does an
  // expired deadline count as a timeout; an idle keep-alive connection is simply closed.
  bool started = true;
  size_t linger_left = 0;
  SteadyClock::time_point deadline;
};

struct Listener {
  int fd;
  uint16_t port;  // the one the kernel chose, for port 0
};

// Binds the first address `host` resolves to that accepts, and listens.
Result<Listener> Listen(const std::string& host, uint16_t port, const std::string& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
    return Status(Code::kUnavailable, "cannot listen on " + address + ": cannot resolve the host");
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);
  std::string error = "no address";
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = ErrorText(errno);
      continue;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // a restart need not wait out TIME_WAIT
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 128) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) == 0) {
      const in_port_t n = bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                      : reinterpret_cast<sockaddr_in*>(&bound)->sin_port;
      return Listener{fd, ntohs(n)};
    }
    error = ErrorText(errno);
    close(fd);
  }
  return Status(Code::kUnavailable, "cannot listen on " + address + ": " + error);
}

}  // namespace

class BoundedHttpServer::Loop {
 public:
  Loop(const BoundedHttpOptions& options, Handler handler, Metrics& counters, int listen_fd, int wake_fd)
      : options_(options),
        handler_(std::move(handler)),
        counters_(counters),
        listen_fd_(listen_fd),
        wake_fd_(wake_fd) {}
  ~Loop() {
    Stop();
    close(listen_fd_);
    close(wake_fd_);
  }
  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    if (!thread_.joinable()) return;
    stop_.store(true);
    const uint64_t one = 1;
    // The eventfd counter cannot overflow with one write; a failure would only mean it is set.
    [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof one);
    thread_.join();
  }

 private:
  void Run();
  int PollTimeout(SteadyClock::time_point now, bool accepting) const;
  void Service(Connection& c, short revents);
  void Consume(Connection& c, std::string_view data);
  void OnHead(Connection& c);
  void Dispatch(Connection& c);
  void Respond(Connection& c, const HttpResponse& response, bool close_after, bool head_only);
  void Flush(Connection& c);
  void Expire(SteadyClock::time_point now);
  void Accept(SteadyClock::time_point now);

  static void Close(Connection& c) {
    close(c.fd);
    c.fd = -1;
  }
  milliseconds Timeout() const { return milliseconds(options_.request_timeout_ms); }
  HttpHeadLimits Limits() const { return {options_.max_head_bytes, 100}; }

  const BoundedHttpOptions options_;
  const Handler handler_;
  Metrics& counters_;
  const int listen_fd_;
  const int wake_fd_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::unique_ptr<Connection>> connections_;
  SteadyClock::time_point backoff_until_{};
  std::array<char, kReadChunk> buffer_{};
};

void BoundedHttpServer::Loop::Run() {
  std::vector<pollfd> fds;
  while (!stop_.load()) {
    const bool accepting = SteadyClock::now() >= backoff_until_;
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    if (accepting) fds.push_back({listen_fd_, POLLIN, 0});
    const size_t first = fds.size();
    for (const auto& c : connections_) {
      fds.push_back({c->fd, static_cast<short>(c->phase == Connection::Phase::kWrite ? POLLOUT : POLLIN), 0});
    }
    if (poll(fds.data(), fds.size(), PollTimeout(SteadyClock::now(), accepting)) < 0) {
      if (errno == EINTR) continue;
      // Not expected with valid descriptors; wait a little (still woken by Stop) rather than spin.
      pollfd wake{wake_fd_, POLLIN, 0};
      poll(&wake, 1, 100);
      continue;
    }
    if (stop_.load()) break;
    for (size_t i = 0; i < connections_.size(); ++i) {
      if (fds[first + i].revents != 0) Service(*connections_[i], fds[first + i].revents);
    }
    const auto now = SteadyClock::now();
    Expire(now);
    std::erase_if(connections_, [](const auto& c) { return c->fd < 0; });
    if (accepting && fds[1].revents != 0) Accept(now);
  }
  connections_.clear();
}

int BoundedHttpServer::Loop::PollTimeout(SteadyClock::time_point now, bool accepting) const {
  auto next = SteadyClock::time_point::max();
  if (!accepting) next = backoff_until_;
  for (const auto& c : connections_) next = std::min(next, c->deadline);
  if (next == SteadyClock::time_point::max()) return -1;
  if (next <= now) return 0;
  // Rounded up, so that the deadline has passed when poll returns.
  const auto wait = std::chrono::duration_cast<milliseconds>(next - now).count() + 1;
  return static_cast<int>(std::min<decltype(wait)>(wait, INT_MAX));
}

void BoundedHttpServer::Loop::Service(Connection& c, short revents) {
  if (c.phase == Connection::Phase::kWrite) {
    if ((revents & (POLLOUT | POLLERR | POLLHUP)) != 0) Flush(c);
  } else {
    const ssize_t n = recv(c.fd, buffer_.data(), buffer_.size(), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      Close(c);  // the client is gone; after an error answer this is the expected end
      return;
    }
    if (n < 0) return;
    const auto size = static_cast<size_t>(n);
    if (c.phase == Connection::Phase::kLinger) {
      c.linger_left -= std::min(c.linger_left, size);
      if (c.linger_left == 0) Close(c);
      return;
    }
    Consume(c, std::string_view(buffer_.data(), size));
  }
  // Requests that arrived behind one whose answer has now gone out.
  while (c.fd >= 0 && c.phase == Connection::Phase::kHead && !c.pending.empty()) {
    const std::string pipelined = std::move(c.pending);
    c.pending.clear();
    Consume(c, pipelined);
  }
}

void BoundedHttpServer::Loop::Consume(Connection& c, std::string_view data) {
  while (!data.empty() && c.fd >= 0) {
    if (c.phase == Connection::Phase::kHead) {
      c.started = true;
      data.remove_prefix(c.parser.Feed(data));
      if (c.parser.state() == HttpHeadParser::State::kFailed) {
        Respond(c, HttpResponse::Text(c.parser.error_status(), c.parser.error() + "\n"), true, false);
      } else if (c.parser.state() == HttpHeadParser::State::kComplete) {
        OnHead(c);
      }
    } else if (c.phase == Connection::Phase::kBody) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(c.body_left, data.size()));
      data.remove_prefix(take);
      c.body_left -= take;
      if (c.body_left == 0) Dispatch(c);
    } else {
      // Still writing: keep the rest (at most one read) for later. After a final answer: drop it.
      if (c.phase == Connection::Phase::kWrite && !c.close_after) c.pending.assign(data);
      return;
    }
  }
}

void BoundedHttpServer::Loop::OnHead(Connection& c) {
  const HttpRequestHead& head = c.parser.head();
  // Only Content-Length bodies: a chunked body's size is unknown until its end.
  if (head.has_transfer_encoding) {
    return Respond(c, HttpResponse::Text(411, "a request body needs a Content-Length\n"), true, false);
  }
  const uint64_t length = head.content_length.value_or(0);
  if (length > options_.max_body_bytes) {
    const std::string limit = std::to_string(options_.max_body_bytes);
    return Respond(c, HttpResponse::Text(413, "request body over " + limit + " bytes\n"), true, false);
  }
  c.phase = Connection::Phase::kBody;
  c.body_left = length;
  if (length == 0) Dispatch(c);
}

void BoundedHttpServer::Loop::Dispatch(Connection& c) {
  const HttpRequestHead& head = c.parser.head();
  const bool head_only = head.method == "HEAD";
  if (head.method != "GET" && !head_only) {
    // Never TRACE: echoing the request would hand its Authorization header to a script.
    HttpResponse r = HttpResponse::Text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return Respond(c, r, !head.keep_alive, false);
  }
  HttpResponse response;
  try {
    response = handler_(head);
  } catch (...) {  // whatever it is, it must not end the thread
    response = HttpResponse::Text(500, "internal error\n");
  }
  Respond(c, response, !head.keep_alive, head_only);
}

void BoundedHttpServer::Loop::Respond(Connection& c, const HttpResponse& response, bool close_after, bool head_only) {
  counters_.Add(kResponses, {{"code", std::to_string(response.status)}});
  c.out = SerializeResponse(response, head_only, !close_after);
  c.sent = 0;
  c.close_after = close_after;
  c.phase = Connection::Phase::kWrite;
  Flush(c);
}

void BoundedHttpServer::Loop::Flush(Connection& c) {
  while (c.sent < c.out.size()) {
    const ssize_t n = send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) return Close(c);
    c.sent += static_cast<size_t>(n);
  }
  c.out = std::string();
  const auto now = SteadyClock::now();
  if (c.close_after) {
    shutdown(c.fd, SHUT_WR);
    c.phase = Connection::Phase::kLinger;
    c.linger_left = kLingerBytes;
    c.deadline = now + milliseconds(std::min(kLingerMs, options_.request_timeout_ms));
    return;
  }
  c.parser.Reset();
  c.phase = Connection::Phase::kHead;
  c.started = false;
  c.deadline = now + Timeout();
}

void BoundedHttpServer::Loop::Expire(SteadyClock::time_point now) {
  for (auto& c : connections_) {
    if (c->fd < 0 || now < c->deadline) continue;
    if (c->phase != Connection::Phase::kLinger && (c->started || c->phase == Connection::Phase::kWrite)) {
      counters_.Add(kTimedOut);
    }
    Close(*c);
  }
}

void BoundedHttpServer::Loop::Accept(SteadyClock::time_point now) {
  for (int i = 0; i < kAcceptsPerWake; ++i) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      const int error = errno;
      if (error == EAGAIN || error == EWOULDBLOCK) return;
      if (error == EINTR) continue;
      counters_.Add(kAcceptErrors);
      // Out of descriptors or memory: the connection stays queued and poll would report it again
      // at once, so stop asking for a while instead of spinning.
      if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
        backoff_until_ = now + milliseconds(options_.accept_backoff_ms);
        return;
      }
      continue;  // ECONNABORTED and the like: that one client is gone
    }
    if (connections_.size() >= static_cast<size_t>(options_.max_connections)) {
      counters_.Add(kRejected);  // first: whoever sees the 503 sees it counted
      [[maybe_unused]] const ssize_t n = send(fd, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      // A request already received would make close() send a reset that can destroy the 503.
      [[maybe_unused]] const ssize_t m = recv(fd, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
      close(fd);
      continue;
    }
    connections_.push_back(std::make_unique<Connection>(fd, Limits(), now + Timeout()));
  }
}

Result<std::unique_ptr<BoundedHttpServer>> BoundedHttpServer::Start(const BoundedHttpOptions& options, Handler handler,
                                                                    Metrics& counters) {
  const std::string address = (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host) +
                              ":" + std::to_string(options.port);
  auto listener = Listen(options.host, options.port, address);
  if (!listener.ok()) return listener.status();
  const int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) {
    const std::string why = ErrorText(errno);
    close(listener->fd);
    return Status(Code::kUnavailable, "cannot listen on " + address + ": " + why);
  }
  counters.Describe(kResponses, "counter", "Answers of the health endpoint, by status code");
  counters.Describe(kRejected, "counter", "Health connections refused with 503: too many open");
  counters.Describe(kTimedOut, "counter", "Health connections closed because a request did not arrive in time");
  counters.Describe(kAcceptErrors, "counter", "Failed accept() calls on the health listener");
  for (const char* name : {kRejected, kTimedOut, kAcceptErrors}) counters.Add(name, {}, 0);
  auto loop = std::make_unique<Loop>(options, std::move(handler), counters, listener->fd, wake_fd);
  try {
    loop->Start();
  } catch (const std::system_error& e) {
    return Status(Code::kUnavailable, "cannot start the server thread for " + address + ": " + e.what());
  }
  return std::unique_ptr<BoundedHttpServer>(new BoundedHttpServer(std::move(loop), listener->port));
}

BoundedHttpServer::BoundedHttpServer(std::unique_ptr<Loop> loop, uint16_t port) : loop_(std::move(loop)), port_(port) {}

BoundedHttpServer::~BoundedHttpServer() { Stop(); }

void BoundedHttpServer::Stop() {
  if (!loop_) return;
  loop_->Stop();
  loop_.reset();
}

}  // namespace xdrsync::app
