// Plain HTTP request/response values exchanged between the socket server and the API layers.
// The response also says *how* it is to be delivered, which is how faults such as a reset
// connection or a lost reply reach the wire without the API layers touching sockets.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace xdrsync::emulator {

struct HttpRequest {
  std::string method;
  std::string target;        // as sent: path plus optional "?query"
  std::string path;          // percent-decoded path without the query
  std::string query;         // raw query string (still encoded), without '?'
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  // 1 for the first request on its TCP connection, 2 for the next one on the same kept-alive
  // connection, and so on (fault rules can target reused connections only).
  int sequence_on_connection = 1;

  // Header value by lower-case name, or "" when absent.
  std::string Header(const std::string& lower_name) const;
  // True when the body is declared as JSON (`application/json`, any parameters, any case).
  bool DeclaresJson() const;
};

// How the server puts a response on the wire.
enum class Delivery {
  kNormal,    // status line, headers, full body
  kReset,     // no reply: the connection is closed with a TCP RST
  kTruncate,  // headers announce the full length, half the body is sent, then the socket closes
  kDrop,      // no reply: the connection is closed cleanly (FIN) after the request was applied
  kHang,      // no reply until hang elapses (or the server stops), then a clean close
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Delivery delivery = Delivery::kNormal;
  std::chrono::milliseconds delay{0};  // latency added before anything is written
  std::chrono::milliseconds hang{0};

  void SetHeader(const std::string& name, const std::string& value);
  std::string GetHeader(const std::string& name) const;  // case-insensitive; "" when absent
  void SetJson(int code, const nlohmann::json& value);
};

std::string ReasonPhrase(int status);

}  // namespace xdrsync::emulator
