#include "auth/certificate.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <ctime>
#include <nlohmann/json.hpp>

#include "auth/encoding.h"
#include "auth/secret_files.h"
#include "xdrsync/core/sha1.h"

namespace xdrsync::auth {
namespace {

// Entra ID accepts up to ten minutes; the assertion is used at once, so more would only widen
// the window in which a leaked one is replayable.
constexpr int64_t kAssertionLifetimeSeconds = 600;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

struct SigningMaterial {
  X509Ptr certificate;
  PkeyPtr key;
};

// Without a callback OpenSSL would prompt on the terminal for an encrypted key's passphrase and
// hang a daemon; refusing makes the load fail with our message instead.
int NoPassphrase(char*, int, int, void*) { return -1; }

// The reason of the last OpenSSL error (never key material), and an empty queue for the next caller.
std::string OpenSslReason() {
  const unsigned long err = ERR_peek_last_error();
  const char* reason = err != 0 ? ERR_reason_error_string(err) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : "unknown OpenSSL error";
}

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Result<SigningMaterial> LoadMaterial(const std::string& certificate_file, const std::string& private_key_file) {
  auto cert_pem = ReadCredentialFile(certificate_file, "auth.certificate_file");
  if (!cert_pem.ok()) return cert_pem.status();
  SigningMaterial m;
  {
    BioPtr bio = MemoryBio(*cert_pem);
    m.certificate.reset(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (!m.certificate) {
      return FailedPrecondition("the file named by auth.certificate_file holds no PEM certificate (" +
                                OpenSslReason() + ")");
    }
  }
  const std::string key_key = private_key_file.empty() ? "auth.certificate_file" : "auth.private_key_file";
  Result<std::string> key_pem =
      private_key_file.empty() ? std::move(cert_pem) : ReadCredentialFile(private_key_file, key_key);
  if (!key_pem.ok()) return key_pem.status();
  {
    BioPtr bio = MemoryBio(*key_pem);
    m.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
    if (!m.key) {
      return FailedPrecondition("cannot read a PEM private key from the file named by " + key_key +
                                " (encrypted keys are not supported): " + OpenSslReason());
    }
  }
  if (EVP_PKEY_is_a(m.key.get(), "RSA") != 1) {
    return FailedPrecondition("the private key named by " + key_key + " is not an RSA key (PS256 needs one)");
  }
  if (X509_check_private_key(m.certificate.get(), m.key.get()) != 1) {
    ERR_clear_error();
    return FailedPrecondition("the private key named by " + key_key +
                              " does not match the certificate named by auth.certificate_file");
  }
  return m;
}

Result<std::string> Sha256Thumbprint(X509* certificate) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (X509_digest(certificate, EVP_sha256(), md.data(), &len) != 1) {
    return Internal("cannot hash the certificate: " + OpenSslReason());
  }
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

Result<std::string> SignPs256(EVP_PKEY* key, std::string_view data) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  // RFC 7518 §3.5: PS256 = RSASSA-PSS, SHA-256, MGF1 with SHA-256, salt as long as the hash.
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1) {
    return Internal("cannot set up the PS256 signature: " + OpenSslReason());
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, bytes, data.size()) != 1) {
    return Internal("cannot sign the client assertion: " + OpenSslReason());
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, bytes, data.size()) != 1) {
    return Internal("cannot sign the client assertion: " + OpenSslReason());
  }
  signature.resize(len);
  return signature;
}

// A random (version 4) UUID, so no two assertions share a jti even within one second.
Result<std::string> RandomUuid() {
  std::array<uint8_t, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    return Internal("no randomness for the assertion id: " + OpenSslReason());
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
  const std::string hex = HexLower(b.data(), b.size());
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

}  // namespace

Result<std::unique_ptr<CertificateCredential>> CertificateCredential::Load(const AuthConfig& config) {
  if (config.certificate_file.empty()) return InvalidArgument("auth.certificate_file is required for a certificate credential");
  auto material = LoadMaterial(config.certificate_file, config.private_key_file);
  if (!material.ok()) return material.status();
  return std::unique_ptr<CertificateCredential>(
      new CertificateCredential(config.certificate_file, config.private_key_file,
                                TokenEndpointUrl(config.login_url, config.tenant_id), config.client_id));
}

Result<std::string> CertificateCredential::Assertion(Timestamp now) const {
  auto material = LoadMaterial(certificate_file_, private_key_file_);
  if (!material.ok()) return material.status();
  std::time_t now_t = static_cast<std::time_t>(now.unix_seconds());
  if (X509_cmp_time(X509_get0_notAfter(material->certificate.get()), &now_t) < 0) {
    return FailedPrecondition("the certificate in " + certificate_file_ + " has expired; renew it");
  }
  auto thumbprint = Sha256Thumbprint(material->certificate.get());
  if (!thumbprint.ok()) return thumbprint.status();
  auto jti = RandomUuid();
  if (!jti.ok()) return jti.status();

  const nlohmann::json header = {{"alg", "PS256"}, {"typ", "JWT"}, {"x5t#S256", Base64UrlEncode(*thumbprint)}};
  const int64_t t = now.unix_seconds();
  const nlohmann::json claims = {{"aud", audience_}, {"iss", client_id_}, {"sub", client_id_}, {"jti", *jti},
                                 {"nbf", t},         {"iat", t},          {"exp", t + kAssertionLifetimeSeconds}};
  // Replacing invalid UTF-8 (a mistyped client_id) instead of throwing keeps this exception-free.
  const auto dump = [](const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); };
  const std::string signing_input = Base64UrlEncode(dump(header)) + "." + Base64UrlEncode(dump(claims));
  auto signature = SignPs256(material->key.get(), signing_input);
  if (!signature.ok()) return signature.status();
  return signing_input + "." + Base64UrlEncode(*signature);
}

Result<FormFields> CertificateCredential::Proof(Timestamp now) const {
  auto assertion = Assertion(now);
  if (!assertion.ok()) return assertion.status();
  return FormFields{{"client_assertion_type", std::string(kJwtBearerAssertionType)},
                    {"client_assertion", std::move(assertion).value()}};
}

}  // namespace xdrsync::auth
