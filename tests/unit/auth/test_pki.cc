#include "test_pki.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

namespace xdrsync::auth::testing {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what);
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

PkeyPtr ReadKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  Check(key != nullptr, "read key");
  return key;
}

X509Ptr ReadCert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  Check(cert != nullptr, "read certificate");
  return cert;
}

std::string KeyPem(EVP_PKEY* key, const EVP_CIPHER* cipher = nullptr, const std::string& pass = "") {
  BioPtr bio(BIO_new(BIO_s_mem()));
  auto* kstr = cipher != nullptr ? reinterpret_cast<unsigned char*>(const_cast<char*>(pass.data())) : nullptr;
  Check(PEM_write_bio_PKCS8PrivateKey(bio.get(), key, cipher, reinterpret_cast<char*>(kstr),
                                      static_cast<int>(pass.size()), nullptr, nullptr) == 1,
        "write key");
  return BioText(bio.get());
}

}  // namespace

std::string NewRsaKeyPem(unsigned int bits) {
  PkeyPtr key(EVP_RSA_gen(bits));
  Check(key != nullptr, "generate RSA key");
  return KeyPem(key.get());
}

std::string NewEcKeyPem() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "generate EC key");
  return KeyPem(key.get());
}

std::string EncryptedKeyPem(const std::string& key_pem, const std::string& passphrase) {
  PkeyPtr key = ReadKey(key_pem);
  return KeyPem(key.get(), EVP_aes_256_cbc(), passphrase);
}

std::string SelfSignedCertPem(const std::string& key_pem, const std::string& common_name, long days) {
  PkeyPtr key = ReadKey(key_pem);
  X509Ptr cert(X509_new());
  Check(cert != nullptr, "new certificate");
  Check(X509_set_version(cert.get(), 2) == 1, "version");
  Check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 4242) == 1, "serial");
  Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr, "notBefore");
  Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600) != nullptr, "notAfter");
  Check(X509_set_pubkey(cert.get(), key.get()) == 1, "public key");
  X509_NAME* name = X509_get_subject_name(cert.get());
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1,
        "subject");
  Check(X509_set_issuer_name(cert.get(), name) == 1, "issuer");
  Check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign certificate");
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(bio.get(), cert.get()) == 1, "write certificate");
  return BioText(bio.get());
}

std::string CertDerSha256(const std::string& cert_pem) {
  X509Ptr cert = ReadCert(cert_pem);
  unsigned char* der = nullptr;
  const int der_len = i2d_X509(cert.get(), &der);
  Check(der_len > 0, "DER encode");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  const int ok = EVP_Digest(der, static_cast<size_t>(der_len), md, &md_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  Check(ok == 1, "digest");
  return std::string(reinterpret_cast<const char*>(md), md_len);
}

bool VerifyPs256(const std::string& cert_pem, std::string_view signed_data, std::string_view signature) {
  X509Ptr cert = ReadCert(cert_pem);
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  Check(pub != nullptr, "public key");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  Check(EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pub) == 1, "verify init");
  Check(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1, "PSS padding");
  Check(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1, "salt length");
  Check(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1, "MGF1");
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(signed_data.data()), signed_data.size()) == 1;
}

}  // namespace xdrsync::auth::testing
