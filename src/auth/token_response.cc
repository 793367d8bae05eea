#include "auth/token_response.h"

#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "auth/encoding.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::auth {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxDescription = 160;
constexpr size_t kMinRedactedLength = 6;

// What an operator should do about the codes we have met; the description the service sends is
// long, multi-line and carries timestamps, so a known code gets our own short reason instead.
struct KnownCode {
  int64_t code;
  bool permission;  // consent or role, rather than the credential itself
  std::string_view hint;
};
constexpr KnownCode kKnownCodes[] = {
    {7000215, false, "the client secret is wrong or revoked"},
    {7000222, false, "the client secret has expired; create a new one"},
    {700016, false, "the client_id is not an application in this tenant"},
    {700027, false, "the certificate is not registered on the application or the signature is wrong"},
    {700024, false, "the client assertion is outside its validity window; check the clock"},
    {7000112, false, "the application is disabled"},
    {70021, false, "no federated credential on the application matches the token's issuer and subject"},
    {700211, false, "no federated credential on the application matches the token's issuer"},
    {700213, false, "no federated credential on the application matches the token's subject"},
    {90002, false, "the tenant does not exist in this cloud; check tenant_id and cloud"},
    {900023, false, "tenant_id is not a valid tenant"},
    {65001, true, "an administrator has not consented to the application's permissions"},
    {500011, true, "the resource is not known in this tenant; check the scope and cloud"},
    {70011, true, "the scope is not valid for this application"},
};

// Beyond these an expiry is nonsense, and adding it to a Timestamp would overflow.
constexpr int64_t kMaxExpiresIn = 10LL * 366 * 24 * 3600;
constexpr int64_t kMaxExpiresOn = 100'000'000'000;

std::optional<int64_t> AsInteger(const Json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    return u <= static_cast<uint64_t>(INT64_MAX) ? std::optional<int64_t>(static_cast<int64_t>(u)) : std::nullopt;
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    return d >= 0 && d <= static_cast<double>(kMaxExpiresOn) ? std::optional<int64_t>(static_cast<int64_t>(d))
                                                             : std::nullopt;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    int64_t out = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && end == s.data() + s.size()) return out;
  }
  return std::nullopt;
}

std::string StringField(const Json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "AADSTS7000215: Invalid client secret provided. Ensure ...\r\nTrace ID: ..." → its first sentence.
std::string ShortDescription(std::string_view description) {
  if (StartsWith(description, "AADSTS")) {
    const size_t colon = description.find(": ");
    if (colon != std::string_view::npos) description.remove_prefix(colon + 2);
  }
  const size_t end = description.find_first_of("\r\n");
  if (end != std::string_view::npos) description = description.substr(0, end);
  const size_t sentence = description.find(". ");
  if (sentence != std::string_view::npos) description = description.substr(0, sentence);
  return Utf8Prefix(Trim(description), kMaxDescription);
}

Code CodeForHttpStatus(int status, Endpoint endpoint) {
  if (status == 429) return Code::kResourceExhausted;
  if (status >= 500 || status == 408) return Code::kUnavailable;
  // IMDS answers 404 while an identity is being assigned and 410 while it updates itself.
  if (endpoint == Endpoint::kImds && (status == 404 || status == 410)) return Code::kUnavailable;
  if (status == 403) return Code::kPermissionDenied;
  return Code::kUnauthenticated;
}

}  // namespace

JwtClaims ReadUnverifiedClaims(std::string_view jwt) {
  JwtClaims claims;
  const size_t first = jwt.find('.');
  if (first == std::string_view::npos) return claims;
  const size_t second = jwt.find('.', first + 1);
  if (second == std::string_view::npos) return claims;
  const auto payload = Base64UrlDecode(jwt.substr(first + 1, second - first - 1));
  if (!payload) return claims;
  const Json j = Json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return claims;
  if (const auto roles = j.find("roles"); roles != j.end() && roles->is_array()) {
    for (const auto& role : *roles) {
      if (role.is_string()) claims.roles.push_back(role.get<std::string>());
    }
  }
  claims.tenant_id = StringField(j, "tid");
  return claims;
}

Status TokenErrorStatus(const http::Response& response, std::string_view who, Endpoint endpoint,
                        const Secrets& sent) {
  Code code = CodeForHttpStatus(response.status, endpoint);
  const Json j = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  const std::string where = endpoint == Endpoint::kLogin ? "the token endpoint" : "the identity endpoint";
  if (!j.is_object() || !j.contains("error")) {
    return {code, std::string(who) + ": HTTP " + std::to_string(response.status) + " from " + where};
  }
  // IMDS and App Service sometimes nest the error object; Entra ID sends a string.
  const Json& err = j["error"].is_object() ? j["error"] : j;
  const std::string error = RedactedText(err.is_object() && err.contains("error") && err["error"].is_string()
                                             ? err["error"].get<std::string>()
                                             : StringField(err, "code"),
                                         sent);
  std::string description = StringField(err, "error_description");
  if (description.empty()) description = StringField(err, "message");
  description = RedactedText(std::move(description), sent);
  std::optional<int64_t> aadsts;
  if (const auto codes = j.find("error_codes"); codes != j.end() && codes->is_array() && !codes->empty()) {
    aadsts = AsInteger(codes->front());
  }

  const KnownCode* known = nullptr;
  for (const auto& k : kKnownCodes) {
    if (aadsts && k.code == *aadsts) known = &k;
  }
  const std::string lower = AsciiLower(error);
  if (code != Code::kUnavailable && code != Code::kResourceExhausted) {
    if ((known != nullptr && known->permission) || lower == "consent_required" || lower == "interaction_required" ||
        lower == "access_denied" || lower == "invalid_resource" || lower == "invalid_scope") {
      code = Code::kPermissionDenied;
    } else if (lower == "invalid_client" || lower == "unauthorized_client" || lower == "invalid_grant") {
      code = Code::kUnauthenticated;
    }
  }

  std::string message = std::string(who) + ": " + (error.empty() ? "HTTP " + std::to_string(response.status) : error);
  if (aadsts) message += " AADSTS" + std::to_string(*aadsts);
  std::string detail = known != nullptr ? std::string(known->hint) : ShortDescription(description);
  const std::string trace = RedactedText(StringField(j, "trace_id"), sent);
  const std::string correlation = RedactedText(StringField(j, "correlation_id"), sent);
  if (!trace.empty()) {
    detail += (detail.empty() ? "" : "; ") + std::string("trace_id ") + trace;
  } else if (!correlation.empty()) {
    detail += (detail.empty() ? "" : "; ") + std::string("correlation_id ") + correlation;
  }
  if (!detail.empty()) message += " (" + detail + ")";
  return {code, RedactedText(std::move(message), sent)};
}

Result<AccessToken> ReadTokenResponse(const http::Response& response, Timestamp now, std::string_view who,
                                      Endpoint endpoint, const Secrets& sent) {
  if (response.status < 200 || response.status > 299) return TokenErrorStatus(response, who, endpoint, sent);
  const Json j = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return ParseError(std::string(who) + ": the token response is not a JSON object");
  AccessToken token;
  token.value = StringField(j, "access_token");
  if (token.value.empty()) return ParseError(std::string(who) + ": the token response has no access_token");

  // expires_in is relative, so it is immune to skew between our clock and the issuer's; the
  // managed identity endpoints may send only the absolute expires_on.
  std::optional<int64_t> expires_in, expires_on;
  if (const auto it = j.find("expires_in"); it != j.end()) expires_in = AsInteger(*it);
  if (const auto it = j.find("expires_on"); it != j.end()) expires_on = AsInteger(*it);
  if (expires_in && *expires_in > 0 && *expires_in <= kMaxExpiresIn) {
    token.expires_on = now + *expires_in;
  } else if (expires_on && *expires_on > 0 && *expires_on <= kMaxExpiresOn) {
    token.expires_on = Timestamp::FromUnixSeconds(*expires_on);
  } else {
    return ParseError(std::string(who) + ": the token response has no usable expires_in or expires_on");
  }
  JwtClaims claims = ReadUnverifiedClaims(token.value);
  token.roles = std::move(claims.roles);
  token.tenant_id = std::move(claims.tenant_id);
  return token;
}

std::string RedactedText(std::string text, const Secrets& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.size() < kMinRedactedLength) continue;
    for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

Status Redacted(const Status& status, const Secrets& secrets) {
  return {status.code(), RedactedText(status.message(), secrets)};
}

}  // namespace xdrsync::auth
