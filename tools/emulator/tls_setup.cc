#include "tls_setup.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace xdrsync::emulator {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

std::string OpenSslError(const std::string& what) {
  unsigned long code = ERR_get_error();
  char text[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return what + ": " + text;
}

KeyPtr NewKey() { return KeyPtr(EVP_EC_gen("P-256"), EVP_PKEY_free); }

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for `subject_key`, signed by `issuer_key` (issuer == nullptr: self-signed).
CertPtr NewCert(EVP_PKEY* subject_key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key,
                long serial, bool is_ca) {
  CertPtr cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 60 * 60);
  X509_set_pubkey(cert.get(), subject_key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("xdrsync-emulator"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : cert.get();
  bool ok = is_ca ? AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
                        AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign")
                  : AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
                        AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature") &&
                        AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth") &&
                        AddExtension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  ok = ok && AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer) ok = ok && AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (!ok || X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) cert.reset();
  return cert;
}

bool WritePem(const std::string& path, const std::vector<X509*>& certs, EVP_PKEY* key, std::string* error) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) {
    *error = "cannot write " + path;
    return false;
  }
  if (key) ::fchmod(fileno(f), 0600);
  bool ok = true;
  for (X509* cert : certs) ok = ok && PEM_write_X509(f, cert) == 1;
  if (key) ok = ok && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) *error = OpenSslError("writing " + path);
  return ok;
}

}  // namespace

bool MakeSelfSignedTls(TlsFiles* out, std::string* error) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/xdrsync-emulator-tls-XXXXXX";
  std::vector<char> dir(pattern.begin(), pattern.end());
  dir.push_back('\0');
  if (!::mkdtemp(dir.data())) {
    *error = "cannot create a directory like " + pattern;
    return false;
  }
  KeyPtr ca_key = NewKey(), server_key = NewKey();
  if (!ca_key || !server_key) {
    *error = OpenSslError("generating keys");
    return false;
  }
  CertPtr ca = NewCert(ca_key.get(), "xdrsync-emulator local CA", nullptr, ca_key.get(), 1, true);
  CertPtr server = ca ? NewCert(server_key.get(), "127.0.0.1", ca.get(), ca_key.get(), 2, false)
                      : CertPtr(nullptr, X509_free);
  if (!server) {
    *error = OpenSslError("making certificates");
    return false;
  }
  std::string base(dir.data());
  out->ca_file = base + "/ca.pem";
  out->cert_file = base + "/cert.pem";
  out->key_file = base + "/key.pem";
  return WritePem(out->ca_file, {ca.get()}, nullptr, error) &&
         WritePem(out->cert_file, {server.get(), ca.get()}, nullptr, error) &&
         WritePem(out->key_file, {}, server_key.get(), error);
}

void RemoveSelfSignedTls(const TlsFiles& files) {
  for (const std::string* path : {&files.ca_file, &files.cert_file, &files.key_file}) ::unlink(path->c_str());
  std::string dir = files.ca_file.substr(0, files.ca_file.rfind('/'));
  if (!dir.empty()) ::rmdir(dir.c_str());
}

std::shared_ptr<SSL_CTX> MakeServerContext(const TlsFiles& files, std::string* error) {
  std::shared_ptr<SSL_CTX> context(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!context) {
    *error = OpenSslError("SSL_CTX_new");
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(context.get(), files.cert_file.c_str()) != 1) {
    *error = OpenSslError("loading certificate " + files.cert_file);
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(context.get(), files.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(context.get()) != 1) {
    *error = OpenSslError("loading key " + files.key_file);
    return nullptr;
  }
  return context;
}

}  // namespace xdrsync::emulator
