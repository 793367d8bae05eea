// TLS for the emulator: a certificate authority and a server certificate for 127.0.0.1 and
// localhost made at start (so SDKs that refuse plain http can be pointed at it), or a given
// certificate and key; and the server-side SSL_CTX built from them.
#pragma once

#include <memory>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace xdrsync::emulator {

struct TlsFiles {
  std::string cert_file;  // PEM server certificate (chain)
  std::string key_file;   // PEM private key
  std::string ca_file;    // what clients trust: the generated CA, or cert_file when given
};

// Writes ca.pem, cert.pem and key.pem (0600) into a new directory under $TMPDIR (or /tmp).
// The server certificate (ECDSA P-256, 30 days) names DNS:localhost and IP:127.0.0.1 and is
// signed by a CA made for this run. Returns false and sets *error on failure.
bool MakeSelfSignedTls(TlsFiles* out, std::string* error);
// Removes what MakeSelfSignedTls wrote (the directory of ca_file).
void RemoveSelfSignedTls(const TlsFiles& files);

// A TLS 1.2+ server context from PEM files; nullptr (and *error) when they do not load or the
// key does not match the certificate.
std::shared_ptr<SSL_CTX> MakeServerContext(const TlsFiles& files, std::string* error);

}  // namespace xdrsync::emulator
