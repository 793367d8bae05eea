// TLS settings applied to every OpenSSL context cpprestsdk creates for a connection.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "xdrsync/core/status.h"

struct ssl_ctx_st;
struct x509_st;

namespace xdrsync::http {

// Immutable after Load, so one instance is shared by every connection. Thread-safe.
class TlsSettings {
 public:
  // Reads the CA bundle once; an empty path keeps the system store. kInvalidArgument naming the
  // file when it cannot be read or holds no PEM certificate.
  static Result<std::shared_ptr<const TlsSettings>> Load(const std::string& ca_file);
  ~TlsSettings();
  TlsSettings(const TlsSettings&) = delete;
  TlsSettings& operator=(const TlsSettings&) = delete;

  // TLS 1.2 minimum; with a CA file, its certificates replace the default verify paths.
  void Apply(ssl_ctx_st* ctx) const;

 private:
  TlsSettings() = default;
  std::vector<x509_st*> ca_certs_;
};

}  // namespace xdrsync::http
