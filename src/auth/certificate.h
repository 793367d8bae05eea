// Certificate credentials: a client assertion JWT signed with the application's private key
// (Microsoft identity platform "certificate credentials", current form: PS256 with x5t#S256).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "auth/login_source.h"
#include "xdrsync/auth/token_provider.h"

namespace xdrsync::auth {

class CertificateCredential final : public ClientCredential {
 public:
  // Loads and checks the PEM certificate and key now, so a bad path, an encrypted or non-RSA key
  // or a key that does not belong to the certificate fails at start-up with a clear line.
  // `private_key_file` empty means the key is in `certificate_file`.
  static Result<std::unique_ptr<CertificateCredential>> Load(const AuthConfig& config);

  // Re-reads both files (a renewed certificate is used from the next fetch on) and signs a
  // fresh assertion with a new jti.
  Result<FormFields> Proof(Timestamp now) const override;

  // The signed JWT alone, for tests.
  Result<std::string> Assertion(Timestamp now) const;

 private:
  CertificateCredential(std::string certificate_file, std::string private_key_file, std::string audience,
                        std::string client_id)
      : certificate_file_(std::move(certificate_file)),
        private_key_file_(std::move(private_key_file)),
        audience_(std::move(audience)),
        client_id_(std::move(client_id)) {}

  std::string certificate_file_;
  std::string private_key_file_;
  std::string audience_;
  std::string client_id_;
};

}  // namespace xdrsync::auth
