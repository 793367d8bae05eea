#include "test_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace xdrsync::emulator::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string ClientResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

nlohmann::json ClientResponse::Json() const { return nlohmann::json::parse(body, nullptr, false); }

TestHttpClient::TestHttpClient(int port, bool keep_alive) : port_(port), keep_alive_(keep_alive) {}

TestHttpClient::~TestHttpClient() { Close(); }

void TestHttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TestHttpClient::Connect() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Close();
    return false;
  }
  return true;
}

ClientResponse TestHttpClient::Send(const std::string& method, const std::string& target,
                                    const std::map<std::string, std::string>& headers,
                                    const std::string& body) {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                        std::to_string(port_) + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += keep_alive_ ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  request += body;
  return SendRaw(request);
}

ClientResponse TestHttpClient::SendRaw(const std::string& request) {
  ClientResponse response;
  if (fd_ < 0 && !Connect()) {
    response.outcome = ClientResponse::Outcome::kConnectFailed;
    return response;
  }
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    Close();
    response.outcome = ClientResponse::Outcome::kReset;
    return response;
  }
  std::string buffer;
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    if (header_end == std::string::npos && (header_end = buffer.find("\r\n\r\n")) != std::string::npos) {
      std::string head = buffer.substr(0, header_end);
      size_t sp = head.find(' ');
      response.status = std::atoi(head.c_str() + sp + 1);
      size_t pos = head.find("\r\n");
      while (pos != std::string::npos && pos < head.size()) {
        size_t next = head.find("\r\n", pos + 2);
        std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string value = line.substr(colon + 1);
          value.erase(0, value.find_first_not_of(' '));
          response.headers[Lower(line.substr(0, colon))] = value;
        }
        pos = next;
      }
      content_length = std::strtoul(response.Header("content-length").c_str(), nullptr, 10);
    }
    if (header_end != std::string::npos && buffer.size() >= header_end + 4 + content_length) {
      response.body = buffer.substr(header_end + 4, content_length);
      if (!keep_alive_ || Lower(response.Header("connection")) == "close") Close();
      return response;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      Close();
      response.outcome = ClientResponse::Outcome::kTimeout;
      return response;
    }
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n > 0) {
      buffer.append(chunk, static_cast<size_t>(n));
      continue;
    }
    bool reset = n < 0 && errno == ECONNRESET;
    Close();
    response.outcome = reset ? ClientResponse::Outcome::kReset
                       : header_end == std::string::npos ? ClientResponse::Outcome::kClosedBeforeReply
                                                          : ClientResponse::Outcome::kTruncated;
    if (header_end != std::string::npos) response.body = buffer.substr(header_end + 4);
    return response;
  }
}

ClientResponse TestHttpClient::Get(const std::string& target, const std::string& bearer) {
  std::map<std::string, std::string> headers;
  if (!bearer.empty()) headers["Authorization"] = "Bearer " + bearer;
  return Send("GET", target, headers);
}

ClientResponse TestHttpClient::SendJson(const std::string& method, const std::string& target,
                                        const nlohmann::json& body, const std::string& bearer) {
  std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
  if (!bearer.empty()) headers["Authorization"] = "Bearer " + bearer;
  return Send(method, target, headers, body.dump());
}

std::string TargetOf(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t path = url.find('/', scheme + 3);
  return path == std::string::npos ? "/" : url.substr(path);
}

std::string Encode(const std::string& value) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || c == '$' || c == '\'' ||
        c == ':' || c == '/') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace xdrsync::emulator::testing
