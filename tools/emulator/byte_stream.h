// The bytes of one accepted connection, plain TCP or TLS over it. The HTTP reader and the
// server's writer go through this, so faults such as a reset or a truncated body work the same
// with and without TLS: they act on the socket underneath.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace xdrsync::emulator {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // > 0: bytes read; 0: the peer closed; < 0: error.
  virtual ssize_t Read(char* buffer, size_t size) = 0;
  virtual bool WriteAll(const char* data, size_t size) = 0;
};

class PlainStream : public ByteStream {
 public:
  explicit PlainStream(int fd) : fd_(fd) {}
  ssize_t Read(char* buffer, size_t size) override;
  bool WriteAll(const char* data, size_t size) override;

 private:
  int fd_;
};

// TLS server side of one connection. Does not own the socket (the server closes it).
class TlsStream : public ByteStream {
 public:
  // Runs the handshake; nullptr (and *error) when it fails.
  static std::unique_ptr<TlsStream> Accept(SSL_CTX* context, int fd, std::string* error);
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;
  ssize_t Read(char* buffer, size_t size) override;
  bool WriteAll(const char* data, size_t size) override;

 private:
  explicit TlsStream(SSL* ssl) : ssl_(ssl) {}
  SSL* ssl_;
};

}  // namespace xdrsync::emulator
