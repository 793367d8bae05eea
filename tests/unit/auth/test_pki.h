// Throwaway keys and self-signed certificates made with OpenSSL for the certificate credential
// tests, and an independent PS256 verifier. Nothing here is the code under test.
#pragma once

#include <string>
#include <string_view>

namespace xdrsync::auth::testing {

// PEM (PKCS#8) of a new RSA private key.
std::string NewRsaKeyPem(unsigned int bits = 2048);
// PEM of a new P-256 private key.
std::string NewEcKeyPem();
// The same key as an AES-encrypted PEM, protected by `passphrase`.
std::string EncryptedKeyPem(const std::string& key_pem, const std::string& passphrase);
// PEM of a certificate for the key, self-signed, valid from now for `days`.
std::string SelfSignedCertPem(const std::string& key_pem, const std::string& common_name, long days);

// Raw SHA-256 of the certificate's DER encoding, computed from i2d_X509 (not X509_digest).
std::string CertDerSha256(const std::string& cert_pem);
// True when `signature` is a valid RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt) signature of
// `signed_data` under the certificate's public key.
bool VerifyPs256(const std::string& cert_pem, std::string_view signed_data, std::string_view signature);

}  // namespace xdrsync::auth::testing
