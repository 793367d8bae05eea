// Incremental HTTP/1.1 request parser over a connection's byte stream, keeping leftover bytes between the
// requests of a keep-alive connection. Supports Content-Length and chunked request bodies.
#pragma once

#include <string>

#include "byte_stream.h"
#include "http_message.h"

namespace xdrsync::emulator {

class HttpReader {
 public:
  enum class Result { kOk, kClosed, kBad };
  explicit HttpReader(ByteStream& stream) : stream_(stream) {}

  // Reads one request. Sends "100 Continue" itself when the client asks for it.
  Result Next(HttpRequest* request);

 private:
  bool Fill();  // reads more bytes into buffer_; false on EOF or error
  bool ReadExact(size_t count, std::string* out);
  bool ReadLine(std::string* line);
  bool ReadChunked(std::string* body);

  ByteStream& stream_;
  std::string buffer_;
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;
  static constexpr size_t kMaxBodyBytes = 16 * 1024 * 1024;
};

}  // namespace xdrsync::emulator
