// A tiny HTTP/1.1 client on POSIX sockets for 127.0.0.1: the emulator's control API and the
// daemon's /healthz and /metrics. One connection per request ("Connection: close").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace xdrsync::integration {

struct HttpReply {
  int status = 0;  // 0 when nothing could be read (connection refused, reset, timeout)
  std::string body;

  nlohmann::json Json() const;  // discarded when the body is not JSON
};

// `headers`: extra header lines, each ending in "\r\n" (e.g. an Authorization header).
HttpReply HttpCall(int port, const std::string& method, const std::string& target, const std::string& body = "",
                   int timeout_ms = 10000, const std::string& headers = "");

// The control API: JSON in, JSON out; fails the calling test (ADD_FAILURE) on a status >= 300.
nlohmann::json Control(int port, const std::string& method, const std::string& path,
                       const nlohmann::json& body = nullptr);

}  // namespace xdrsync::integration
