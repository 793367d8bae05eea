#include "control_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>

namespace xdrsync::integration {

nlohmann::json HttpReply::Json() const { return nlohmann::json::parse(body, nullptr, false); }

namespace {

int Connect(int port, int timeout_ms) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string Dechunk(const std::string& raw) {
  std::string out;
  size_t pos = 0;
  while (pos < raw.size()) {
    const size_t eol = raw.find("\r\n", pos);
    if (eol == std::string::npos) break;
    const size_t len = std::strtoul(raw.substr(pos, eol - pos).c_str(), nullptr, 16);
    if (len == 0) break;
    out.append(raw, eol + 2, len);
    pos = eol + 2 + len + 2;
  }
  return out;
}

}  // namespace

HttpReply HttpCall(int port, const std::string& method, const std::string& target, const std::string& body,
                   int timeout_ms, const std::string& headers) {
  HttpReply reply;
  const int fd = Connect(port, timeout_ms);
  if (fd < 0) return reply;
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nConnection: close\r\nAccept: */*\r\n";
  request += headers;
  if (!body.empty()) request += "Content-Type: application/json\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string raw;
  if (SendAll(fd, request)) {
    char buf[16384];
    ssize_t n = 0;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) raw.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return reply;
  reply.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  std::string head = raw.substr(0, head_end);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  reply.body = raw.substr(head_end + 4);
  if (head.find("transfer-encoding: chunked") != std::string::npos) reply.body = Dechunk(reply.body);
  return reply;
}

nlohmann::json Control(int port, const std::string& method, const std::string& path, const nlohmann::json& body) {
  const HttpReply r = HttpCall(port, method, "/_control" + path, body.is_null() ? "" : body.dump(), 30000);
  if (r.status == 0 || r.status >= 300) {
    ADD_FAILURE() << method << " /_control" << path << " -> " << r.status << " " << r.body;
  }
  return r.Json();
}

}  // namespace xdrsync::integration
