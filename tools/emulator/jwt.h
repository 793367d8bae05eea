// JWT helpers: base64url, the emulator's own HS256-signed access tokens, and verification of
// client assertions signed with RS256/PS256 against a registered certificate or public key.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace xdrsync::emulator {

std::string Base64UrlEncode(const std::string& bytes);
std::optional<std::string> Base64UrlDecode(const std::string& text);
std::string HmacSha256(const std::string& key, const std::string& data);

struct Jwt {
  nlohmann::json header;
  nlohmann::json payload;
  std::string signing_input;  // "<b64 header>.<b64 payload>"
  std::string signature;      // raw bytes
};

// Three dot-separated base64url parts whose first two are JSON objects; nullopt otherwise.
std::optional<Jwt> ParseJwt(const std::string& token);
std::string SignHs256(const nlohmann::json& header, const nlohmann::json& payload,
                      const std::string& key);
bool VerifyHs256(const Jwt& jwt, const std::string& key);

// Verifies RS256 or PS256 (per the header's alg) with the key in `pem` (an X.509 certificate
// or a PUBLIC KEY block). When a certificate is given and the header names a thumbprint
// (x5t#S256 or x5t), the thumbprint must match the certificate too.
bool VerifyRsaAssertion(const Jwt& jwt, const std::string& pem, std::string* why);

}  // namespace xdrsync::emulator
