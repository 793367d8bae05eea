#include "http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <exception>

#include "http_reader.h"

namespace xdrsync::emulator {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::unique_ptr<HttpServer> HttpServer::Start(int port, Handler handler, std::shared_ptr<SSL_CTX> tls,
                                              std::string* error) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 256) != 0) {
    *error = "bind/listen 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::unique_ptr<HttpServer> server(new HttpServer(fd, ntohs(addr.sin_port), std::move(handler), std::move(tls)));
  server->accept_thread_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  return server;
}

HttpServer::HttpServer(int listen_fd, int port, Handler handler, std::shared_ptr<SSL_CTX> tls)
    : listen_fd_(listen_fd), port_(port), handler_(std::move(handler)), tls_(std::move(tls)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_cv_.notify_all();
  }
  // shutdown() wakes the blocking accept(); close only after the thread is gone.
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  ::close(listen_fd_);
  std::list<std::unique_ptr<Connection>> connections;
  {
    std::lock_guard<std::mutex> lock(connections_mu_);
    connections.swap(connections_);
  }
  for (auto& conn : connections) {
    std::lock_guard<std::mutex> lock(conn->mu);
    if (conn->fd >= 0) ::shutdown(conn->fd, SHUT_RDWR);
  }
  for (auto& conn : connections) {
    if (conn->thread.joinable()) conn->thread.join();
  }
}

void HttpServer::AcceptLoop() {
  while (!stopping_) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (stopping_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ReapFinished();
    auto conn = std::make_unique<Connection>();
    conn->fd = fd;
    Connection* raw = conn.get();
    std::lock_guard<std::mutex> lock(connections_mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    conn->thread = std::thread([this, raw] { Serve(raw); });
    connections_.push_back(std::move(conn));
  }
}

void HttpServer::ReapFinished() {
  std::list<std::unique_ptr<Connection>> finished;
  {
    std::lock_guard<std::mutex> lock(connections_mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->done) {
        finished.push_back(std::move(*it));
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& conn : finished) conn->thread.join();
}

void HttpServer::Serve(Connection* conn) {
  std::unique_ptr<ByteStream> stream;
  if (tls_) {
    // A failed handshake (a plain-http client, an untrusting one) just ends the connection.
    std::string ignored;
    stream = TlsStream::Accept(tls_.get(), conn->fd, &ignored);
  } else {
    stream = std::make_unique<PlainStream>(conn->fd);
  }
  if (stream) ServeRequests(conn, *stream);
  CloseConnection(conn, false);
  conn->done = true;
}

void HttpServer::ServeRequests(Connection* conn, ByteStream& stream) {
  HttpReader reader(stream);
  for (int sequence = 1;; ++sequence) {
    HttpRequest request;
    HttpReader::Result result = reader.Next(&request);
    request.sequence_on_connection = sequence;
    if (result == HttpReader::Result::kClosed || stopping_) break;
    if (result == HttpReader::Result::kBad) {
      HttpResponse bad;
      bad.SetJson(400, {{"error", {{"code", "BadRequest"}, {"message", "Malformed HTTP request"}}}});
      Deliver(conn, stream, bad, false);
      break;
    }
    bool keep_alive = Lower(request.Header("connection")) != "close";
    HttpResponse response;
    try {
      response = handler_(request);
    } catch (const std::exception& e) {
      // A handler bug must cost one request, not the process (an escaped exception here
      // would terminate it).
      response = HttpResponse{};
      response.SetJson(500, {{"error", {{"code", "InternalServerError"}, {"message", e.what()}}}});
    }
    if (!Deliver(conn, stream, response, keep_alive)) break;
  }
}

bool HttpServer::Deliver(Connection* conn, ByteStream& stream, const HttpResponse& response, bool keep_alive) {
  if (response.delay.count() > 0 && !SleepUnlessStopping(response.delay)) return false;
  switch (response.delivery) {
    case Delivery::kReset:
      CloseConnection(conn, true);
      return false;
    case Delivery::kDrop:
      return false;
    case Delivery::kHang:
      SleepUnlessStopping(response.hang);
      return false;
    case Delivery::kNormal:
    case Delivery::kTruncate:
      break;
  }
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                     ReasonPhrase(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  head += keep_alive && response.delivery == Delivery::kNormal ? "Connection: keep-alive\r\n"
                                                                : "Connection: close\r\n";
  head += "\r\n";
  size_t body_bytes =
      response.delivery == Delivery::kTruncate ? response.body.size() / 2 : response.body.size();
  bool ok = stream.WriteAll(head.data(), head.size()) && stream.WriteAll(response.body.data(), body_bytes);
  return ok && keep_alive && response.delivery == Delivery::kNormal;
}

bool HttpServer::SleepUnlessStopping(std::chrono::milliseconds duration) {
  std::unique_lock<std::mutex> lock(stop_mu_);
  return !stop_cv_.wait_for(lock, duration, [this] { return stopping_.load(); });
}

void HttpServer::CloseConnection(Connection* conn, bool reset) {
  std::lock_guard<std::mutex> lock(conn->mu);
  if (conn->fd < 0) return;
  if (reset) {
    // Linger 0 turns close() into a TCP RST: the client sees "connection reset by peer".
    linger lin{1, 0};
    ::setsockopt(conn->fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
  } else {
    ::shutdown(conn->fd, SHUT_WR);
  }
  ::close(conn->fd);
  conn->fd = -1;
}

}  // namespace xdrsync::emulator
