// A small HTTP/1.1 server on raw POSIX sockets, bound to 127.0.0.1 only.
//
// Why not cpprestsdk's http_listener: the emulator must inject faults below HTTP (a TCP reset,
// a truncated body, a reply that never comes after the write was applied), which the listener
// cannot express, and the listener reports port 0 when opened on port 0. One thread per
// connection keeps keep-alive semantics exact and is far above 1,000 requests/s on one core.
//
// Thread safety: Start/Stop from one owner thread; the handler is called concurrently from
// connection threads and must be thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "byte_stream.h"
#include "http_message.h"

namespace xdrsync::emulator {

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Binds 127.0.0.1:port (0 = any free port) and starts accepting. With `tls`, every
  // connection starts with a TLS handshake. nullptr + *error on failure.
  static std::unique_ptr<HttpServer> Start(int port, Handler handler, std::shared_ptr<SSL_CTX> tls,
                                           std::string* error);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  // Closes the listener and every open connection (hung ones included), then joins all threads.
  void Stop();

 private:
  struct Connection {
    std::mutex mu;
    int fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  HttpServer(int listen_fd, int port, Handler handler, std::shared_ptr<SSL_CTX> tls);
  void AcceptLoop();
  void Serve(Connection* conn);
  void ServeRequests(Connection* conn, ByteStream& stream);
  // Returns false when the connection must be closed after this exchange.
  bool Deliver(Connection* conn, ByteStream& stream, const HttpResponse& response, bool keep_alive);
  bool SleepUnlessStopping(std::chrono::milliseconds duration);
  void CloseConnection(Connection* conn, bool reset);
  void ReapFinished();

  int listen_fd_;
  int port_;
  Handler handler_;
  std::shared_ptr<SSL_CTX> tls_;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex connections_mu_;
  std::list<std::unique_ptr<Connection>> connections_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
};

}  // namespace xdrsync::emulator
