#include "http/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace xdrsync::http {

Result<std::shared_ptr<const TlsSettings>> TlsSettings::Load(const std::string& ca_file) {
  std::shared_ptr<TlsSettings> settings(new TlsSettings());
  if (ca_file.empty()) return std::shared_ptr<const TlsSettings>(settings);
  BIO* bio = BIO_new_file(ca_file.c_str(), "r");
  if (bio == nullptr) {
    ERR_clear_error();
    return InvalidArgument("ca_file '" + ca_file + "' cannot be read");
  }
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) settings->ca_certs_.push_back(cert);
  BIO_free(bio);
  // The loop ends on "no start line" at end of file; that error is expected, not a failure.
  ERR_clear_error();
  if (settings->ca_certs_.empty()) {
    return InvalidArgument("ca_file '" + ca_file + "' holds no PEM certificate");
  }
  return std::shared_ptr<const TlsSettings>(settings);
}

TlsSettings::~TlsSettings() {
  for (X509* cert : ca_certs_) X509_free(cert);
}

void TlsSettings::Apply(ssl_ctx_st* ctx) const {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (ca_certs_.empty()) return;
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr) return;
  // add_cert takes its own reference, so the shared certificates outlive no store.
  for (X509* cert : ca_certs_) X509_STORE_add_cert(store, cert);
  SSL_CTX_set_cert_store(ctx, store);
}

}  // namespace xdrsync::http
