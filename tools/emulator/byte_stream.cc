#include "byte_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>

namespace xdrsync::emulator {

ssize_t PlainStream::Read(char* buffer, size_t size) {
  for (;;) {
    ssize_t n = ::recv(fd_, buffer, size, 0);
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

bool PlainStream::WriteAll(const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::unique_ptr<TlsStream> TlsStream::Accept(SSL_CTX* context, int fd, std::string* error) {
  SSL* ssl = SSL_new(context);
  if (!ssl || SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    *error = "SSL_new failed";
    return nullptr;
  }
  if (SSL_accept(ssl) != 1) {
    unsigned long code = ERR_get_error();
    char text[256] = "the peer closed during the handshake";
    if (code != 0) ERR_error_string_n(code, text, sizeof(text));
    ERR_clear_error();
    *error = text;
    SSL_free(ssl);
    return nullptr;
  }
  return std::unique_ptr<TlsStream>(new TlsStream(ssl));
}

TlsStream::~TlsStream() {
  // No close_notify: the server decides how the socket ends (FIN, RST, half a body).
  SSL_free(ssl_);
  ERR_clear_error();
}

ssize_t TlsStream::Read(char* buffer, size_t size) {
  int n = SSL_read(ssl_, buffer, static_cast<int>(size > INT_MAX ? INT_MAX : size));
  if (n > 0) return n;
  int reason = SSL_get_error(ssl_, n);
  ERR_clear_error();
  return reason == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

bool TlsStream::WriteAll(const char* data, size_t size) {
  while (size > 0) {
    int chunk = static_cast<int>(size > INT_MAX ? INT_MAX : size);
    int n = SSL_write(ssl_, data, chunk);
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace xdrsync::emulator
