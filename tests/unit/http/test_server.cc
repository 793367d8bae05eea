#include "unit/http/test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "xdrsync/core/strings.h"

namespace xdrsync::http::testing {
namespace {

std::vector<std::pair<std::string, std::string>> HeaderLines(std::string_view head) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& line : Split(head, '\n')) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    out.emplace_back(std::string(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  }
  return out;
}

}  // namespace

std::string ReceivedRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : HeaderLines(head)) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

size_t ReceivedRequest::CountHeader(std::string_view name) const {
  size_t n = 0;
  for (const auto& [k, v] : HeaderLines(head)) n += EqualsIgnoreCase(k, name) ? 1u : 0u;
  return n;
}

TestServer::TestServer(Handler handler, const char* address) : handler_(std::move(handler)), address_(address) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  ::inet_pton(AF_INET, address, &addr.sin_addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("test server cannot listen on " + address_);
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestServer::~TestServer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  stop_cv_.notify_all();
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  for (auto& t : threads_) t.join();
}

std::string TestServer::Url(std::string_view path) const {
  return "http://" + address_ + ":" + std::to_string(port_) + std::string(path);
}

std::vector<ReceivedRequest> TestServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void TestServer::WaitForStop() {
  std::unique_lock lock(mu_);
  stop_cv_.wait(lock, [this] { return stopping_; });
}

bool TestServer::SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void TestServer::AcceptLoop() {
  for (;;) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::lock_guard lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    ++connections_;
    open_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void TestServer::Serve(int fd) {
  std::string buffer;
  After after = After::kKeepOpen;
  bool keep = true;
  while (keep) {
    char chunk[16384];
    size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        keep = false;
        break;
      }
      buffer.append(chunk, static_cast<size_t>(n));
    }
    if (!keep) break;
    ReceivedRequest request;
    request.head = buffer.substr(0, head_end + 2);
    buffer.erase(0, head_end + 4);
    const size_t length = static_cast<size_t>(std::atoll(request.Header("content-length").c_str()));
    while (buffer.size() < length) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    request.body = buffer.substr(0, std::min(length, buffer.size()));
    buffer.erase(0, request.body.size());
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
    }
    after = handler_(fd, request);
    keep = after == After::kKeepOpen;
  }
  std::lock_guard lock(mu_);
  if (after == After::kReset) {
    // Linger 0 turns the close into an RST instead of a FIN.
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
  ::close(fd);
}

std::string HttpResponse(int status, std::string_view body, std::string_view extra_headers) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

}  // namespace xdrsync::http::testing
