#include "jwt.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

namespace xdrsync::emulator {
namespace {

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-' || c == '+') return 62;
  if (c == '_' || c == '/') return 63;
  return -1;
}

std::string Digest(const EVP_MD* md, const unsigned char* data, size_t size) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data, size, out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string Base64UrlEncode(const std::string& bytes) {
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (char ch : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(ch);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

std::optional<std::string> Base64UrlDecode(const std::string& text) {
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    int v = DecodeChar(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::optional<Jwt> ParseJwt(const std::string& token) {
  size_t dot1 = token.find('.');
  if (dot1 == std::string::npos) return std::nullopt;
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos) {
    return std::nullopt;
  }
  auto header = Base64UrlDecode(token.substr(0, dot1));
  auto payload = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!header || !payload || !signature) return std::nullopt;
  Jwt jwt;
  jwt.header = nlohmann::json::parse(*header, nullptr, false);
  jwt.payload = nlohmann::json::parse(*payload, nullptr, false);
  if (!jwt.header.is_object() || !jwt.payload.is_object()) return std::nullopt;
  jwt.signing_input = token.substr(0, dot2);
  jwt.signature = *signature;
  return jwt;
}

std::string SignHs256(const nlohmann::json& header, const nlohmann::json& payload,
                      const std::string& key) {
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  return input + "." + Base64UrlEncode(HmacSha256(key, input));
}

bool VerifyHs256(const Jwt& jwt, const std::string& key) {
  std::string expected = HmacSha256(key, jwt.signing_input);
  return expected.size() == jwt.signature.size() &&
         CRYPTO_memcmp(expected.data(), jwt.signature.data(), expected.size()) == 0;
}

bool VerifyRsaAssertion(const Jwt& jwt, const std::string& pem, std::string* why) {
  std::string alg = jwt.header.value("alg", "");
  if (alg != "RS256" && alg != "PS256") {
    *why = "unsupported alg '" + alg + "'";
    return false;
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(nullptr, EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (cert) {
    key.reset(X509_get_pubkey(cert.get()));
    unsigned char* der = nullptr;
    int der_len = i2d_X509(cert.get(), &der);
    if (der_len > 0) {
      std::string s256 = Digest(EVP_sha256(), der, static_cast<size_t>(der_len));
      std::string s1 = Digest(EVP_sha1(), der, static_cast<size_t>(der_len));
      OPENSSL_free(der);
      if (jwt.header.contains("x5t#S256") &&
          jwt.header["x5t#S256"] != Base64UrlEncode(s256)) {
        *why = "x5t#S256 does not match the registered certificate";
        return false;
      }
      if (jwt.header.contains("x5t") && jwt.header["x5t"] != Base64UrlEncode(s1)) {
        *why = "x5t does not match the registered certificate";
        return false;
      }
    }
  } else {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio2(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    key.reset(PEM_read_bio_PUBKEY(bio2.get(), nullptr, nullptr, nullptr));
  }
  if (!key) {
    *why = "registered key is not a PEM certificate or public key";
    return false;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1) {
    *why = "verify init failed";
    return false;
  }
  if (alg == "PS256") {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO);
  }
  int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(jwt.signature.data()),
                            jwt.signature.size(),
                            reinterpret_cast<const unsigned char*>(jwt.signing_input.data()),
                            jwt.signing_input.size());
  if (ok != 1) *why = "signature does not verify with the registered key";
  return ok == 1;
}

}  // namespace xdrsync::emulator
