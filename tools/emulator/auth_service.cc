#include "auth_service.h"

#include <algorithm>

#include "jwt.h"
#include "time_text.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

const char kBearerType[] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const char kFederatedAudience[] = "api://AzureADTokenExchange";

// A string claim, or "" when absent or not a string (aud may legally be an array).
std::string Claim(const json& payload, const char* key) {
  auto it = payload.find(key);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

}  // namespace

std::string AudienceForScope(const std::string& scope) {
  std::string s = scope;
  if (s.size() > 9 && s.compare(s.size() - 9, 9, "/.default") == 0) s.resize(s.size() - 9);
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s == kGraphAudience) return kGraphAudience;
  if (s == kArmAudience || s == "https://management.core.windows.net") return kArmAudience;
  return "";
}

AuthService::AuthService(EmuClock* clock, IdSource* ids, std::string signing_key)
    : clock_(clock), ids_(ids), key_(std::move(signing_key)) {}

void AuthService::AddClient(ClientConfig client) {
  if (client.object_id.empty()) client.object_id = ids_->Guid();
  std::lock_guard<std::mutex> lock(mu_);
  if (std::find(tenants_.begin(), tenants_.end(), client.tenant) == tenants_.end()) {
    tenants_.push_back(client.tenant);
  }
  std::string key = client.tenant + "|" + client.client_id;
  clients_[key] = std::move(client);
}

void AuthService::AddTenant(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  if (std::find(tenants_.begin(), tenants_.end(), tenant) == tenants_.end()) tenants_.push_back(tenant);
}

bool AuthService::HasTenant(const std::string& tenant) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::find(tenants_.begin(), tenants_.end(), tenant) != tenants_.end();
}

void AuthService::SetTokenLifetime(long long seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  lifetime_s_ = seconds;
}

long long AuthService::token_lifetime() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lifetime_s_;
}

void AuthService::SetIdentityHeader(const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  identity_header_ = value;
}

std::string AuthService::ArmRole(const std::string& tenant, const std::string& client_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(tenant + "|" + client_id);
  return it == clients_.end() ? std::string() : it->second.arm_role;
}

json AuthService::Describe() const {
  std::lock_guard<std::mutex> lock(mu_);
  json clients = json::array();
  for (const auto& [key, c] : clients_) {
    clients.push_back({{"client_id", c.client_id}, {"tenant", c.tenant}, {"graph_roles", c.graph_roles},
                       {"arm_role", c.arm_role}, {"managed_identity", c.managed_identity},
                       {"object_id", c.object_id}});
  }
  return {{"tenants", tenants_}, {"clients", clients}, {"token_lifetime_s", lifetime_s_},
          {"identity_header", identity_header_}};
}

TokenReply AuthService::AadError(int status, const std::string& error, int code,
                                 const std::string& text) {
  std::string trace = ids_->Guid();
  std::string correlation = ids_->Guid();
  std::string stamp = FormatTime(clock_->Now());
  std::string when = stamp.substr(0, 10) + " " + stamp.substr(11, 8) + "Z";
  TokenReply r;
  r.status = status;
  r.body = {{"error", error},
            {"error_description", "AADSTS" + std::to_string(code) + ": " + text +
                                      " Trace ID: " + trace + " Correlation ID: " + correlation +
                                      " Timestamp: " + when},
            {"error_codes", {code}},
            {"timestamp", when},
            {"trace_id", trace},
            {"correlation_id", correlation},
            {"error_uri", "https://login.microsoftonline.com/error?code=" + std::to_string(code)}};
  return r;
}

std::string AuthService::Issue(const ClientConfig& c, const std::string& audience, long long* exp) {
  long long now = EpochSeconds(clock_->Now());
  long long lifetime;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lifetime = lifetime_s_;
  }
  *exp = now + lifetime;
  json payload = {{"aud", audience},
                  {"iss", "https://sts.windows.net/" + c.tenant + "/"},
                  {"iat", now},
                  {"nbf", now},
                  {"exp", *exp},
                  {"appid", c.client_id},
                  {"app_displayname", c.display_name},
                  {"idtyp", "app"},
                  {"oid", c.object_id},
                  {"sub", c.object_id},
                  {"tid", c.tenant},
                  {"ver", "1.0"}};
  // App roles travel in Graph tokens; ARM evaluates RBAC on its side instead.
  if (audience == kGraphAudience) payload["roles"] = c.graph_roles;
  return SignHs256({{"typ", "JWT"}, {"alg", "HS256"}, {"kid", "xdrsync-emulator"}}, payload, key_);
}

std::string AuthService::CheckAssertion(const ClientConfig& c, const std::string& tenant,
                                        const std::string& assertion,
                                        const std::string& issuer_url, int* code) {
  auto jwt = ParseJwt(assertion);
  if (!jwt) {
    *code = 50027;
    return "JWT token is invalid or malformed.";
  }
  const json& p = jwt->payload;
  long long now = EpochSeconds(clock_->Now());
  std::string aud = Claim(p, "aud");
  if (!c.federated_issuer.empty() && aud == kFederatedAudience) {
    if (Claim(p, "iss") != c.federated_issuer) {
      *code = 700211;
      return "No matching federated identity record found for presented assertion issuer '" +
             Claim(p, "iss") + "'.";
    }
    if (Claim(p, "sub") != c.federated_subject) {
      *code = 700213;
      return "No matching federated identity record found for presented assertion subject '" +
             Claim(p, "sub") + "'.";
    }
  } else {
    std::string login = "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token";
    std::string local = issuer_url + "/" + tenant + "/oauth2/v2.0/token";
    if (aud != login && aud != local) {
      *code = 50013;
      return "Assertion failed signature validation. [Reason - The audience '" + aud +
             "' is invalid for this token endpoint.]";
    }
    if (Claim(p, "iss") != c.client_id || Claim(p, "sub") != c.client_id) {
      *code = 700023;
      return "Client assertion issuer and subject must both be the client id.";
    }
    if (!p.contains("jti")) {
      *code = 50027;
      return "JWT token is invalid: the jti claim is missing.";
    }
    if (!c.certificate_pem.empty()) {
      std::string why;
      if (!VerifyRsaAssertion(*jwt, c.certificate_pem, &why)) {
        *code = 700027;
        return "Client assertion failed signature validation. " + why;
      }
    }
  }
  if (!p.contains("exp") || !p["exp"].is_number()) {
    *code = 50027;
    return "JWT token is invalid: the exp claim is missing.";
  }
  long long exp = p["exp"].get<long long>();
  long long nbf = p.contains("nbf") && p["nbf"].is_number() ? p["nbf"].get<long long>() : now;
  if (exp <= now || nbf > now + 300) {
    *code = 700024;
    return "Client assertion is not within its valid time range. Current time: " +
           std::to_string(now) + ", assertion valid from " + std::to_string(nbf) +
           ", expiry time of assertion " + std::to_string(exp) + ".";
  }
  return "";
}

TokenReply AuthService::ClientCredentials(const std::string& tenant,
                                          const std::map<std::string, std::string>& form,
                                          const std::string& basic_auth,
                                          const std::string& issuer_url) {
  if (!HasTenant(tenant)) {
    return AadError(400, "invalid_request", 90002, "Tenant '" + tenant + "' not found.");
  }
  if (Get(form, "grant_type") != "client_credentials") {
    return AadError(400, "unsupported_grant_type", 70003,
                    "The app requested an unsupported grant type '" + Get(form, "grant_type") + "'.");
  }
  std::string client_id = Get(form, "client_id");
  std::string secret = Get(form, "client_secret");
  if (!basic_auth.empty()) {
    size_t colon = basic_auth.find(':');
    if (client_id.empty()) client_id = basic_auth.substr(0, colon);
    if (colon != std::string::npos) secret = basic_auth.substr(colon + 1);
  }
  std::string scope = Get(form, "scope");
  if (scope.empty()) {
    return AadError(400, "invalid_request", 900144,
                    "The request body must contain the following parameter: 'scope'.");
  }
  std::string audience = AudienceForScope(scope);
  bool dot_default = scope.size() > 9 && scope.compare(scope.size() - 9, 9, "/.default") == 0;
  if (audience.empty() || !dot_default) {
    return AadError(400, "invalid_scope", 1002012,
                    "The provided value for scope " + scope + " is not valid. Client credential "
                    "flows must have a scope value with /.default suffixed to the resource identifier.");
  }
  ClientConfig client;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(tenant + "|" + client_id);
    if (it == clients_.end() || it->second.managed_identity) {
      return AadError(400, "unauthorized_client", 700016,
                      "Application with identifier '" + client_id +
                          "' was not found in the directory '" + tenant + "'.");
    }
    client = it->second;
  }
  std::string assertion = Get(form, "client_assertion");
  if (!assertion.empty()) {
    if (Get(form, "client_assertion_type") != kBearerType) {
      return AadError(400, "invalid_request", 50027, "Invalid client_assertion_type.");
    }
    int code = 0;
    std::string why = CheckAssertion(client, tenant, assertion, issuer_url, &code);
    if (!why.empty()) return AadError(401, "invalid_client", code, why);
  } else if (secret.empty()) {
    return AadError(401, "invalid_client", 7000218,
                    "The request body must contain the following parameter: 'client_assertion' "
                    "or 'client_secret'.");
  } else if (client.secret.empty() || secret != client.secret) {
    return AadError(401, "invalid_client", 7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request "
                    "is the client secret value, not the client secret ID, for a secret added to "
                    "app '" + client_id + "'.");
  }
  long long exp = 0;
  std::string token = Issue(client, audience, &exp);
  long long lifetime = token_lifetime();
  return {200, {{"token_type", "Bearer"}, {"expires_in", lifetime}, {"ext_expires_in", lifetime},
                {"access_token", token}}};
}

const ClientConfig* AuthService::FindManaged(const std::map<std::string, std::string>& q) const {
  std::string wanted = Get(q, "client_id");
  std::string object = Get(q, "object_id").empty() ? Get(q, "principal_id") : Get(q, "object_id");
  for (const auto& [key, c] : clients_) {
    if (!c.managed_identity) continue;
    if (!wanted.empty() && c.client_id != wanted) continue;
    if (!object.empty() && c.object_id != object) continue;
    return &c;
  }
  return nullptr;
}

TokenReply AuthService::Imds(const std::map<std::string, std::string>& q,
                             const std::string& metadata) {
  if (metadata != "true") {
    return {400, {{"error", "invalid_request"},
                  {"error_description", "Required metadata header not specified"}}};
  }
  if (Get(q, "api-version").empty()) {
    return {400, {{"error", "invalid_request"}, {"error_description", "api-version is required"}}};
  }
  std::string audience = AudienceForScope(Get(q, "resource"));
  if (audience.empty()) {
    return {400, {{"error", "invalid_resource"},
                  {"error_description", "AADSTS500011: The resource principal named " +
                                            Get(q, "resource") + " was not found in the tenant."}}};
  }
  ClientConfig client;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const ClientConfig* c = FindManaged(q);
    if (!c) {
      return {400, {{"error", "invalid_request"},
                    {"error_description", "Identity not found"}}};
    }
    client = *c;
  }
  long long exp = 0;
  std::string token = Issue(client, audience, &exp);
  long long now = EpochSeconds(clock_->Now());
  return {200, {{"access_token", token}, {"client_id", client.client_id},
                {"expires_in", std::to_string(exp - now)}, {"expires_on", std::to_string(exp)},
                {"ext_expires_in", std::to_string(exp - now)}, {"not_before", std::to_string(now)},
                {"resource", Get(q, "resource")}, {"token_type", "Bearer"},
                {"refresh_token", ""}}};
}

TokenReply AuthService::AppService(const std::map<std::string, std::string>& q,
                                   const std::string& identity_header) {
  ClientConfig client;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (identity_header.empty() || identity_header != identity_header_) {
      return {401, {{"statusCode", 401}, {"message", "Unauthorized: X-IDENTITY-HEADER is missing or wrong."}}};
    }
    const ClientConfig* c = FindManaged(q);
    if (!c) return {400, {{"statusCode", 400}, {"message", "Identity not found"}}};
    client = *c;
  }
  std::string audience = AudienceForScope(Get(q, "resource"));
  if (audience.empty() || Get(q, "api-version").empty()) {
    return {400, {{"statusCode", 400}, {"message", "resource and api-version are required"}}};
  }
  long long exp = 0;
  std::string token = Issue(client, audience, &exp);
  return {200, {{"access_token", token}, {"expires_on", std::to_string(exp)},
                {"resource", Get(q, "resource")}, {"token_type", "Bearer"},
                {"client_id", client.client_id}}};
}

std::string AuthService::Mint(const std::string& tenant, const std::string& client_id,
                              const std::string& audience) {
  ClientConfig client;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(tenant + "|" + client_id);
    if (it == clients_.end()) return "";
    client = it->second;
  }
  long long exp = 0;
  return Issue(client, AudienceForScope(audience), &exp);
}

TokenCheck AuthService::Validate(const std::string& authorization, const std::string& audience,
                                 Principal* out) const {
  if (authorization.empty()) return TokenCheck::kMissing;
  if (authorization.size() < 8 || authorization.compare(0, 7, "Bearer ") != 0) {
    return TokenCheck::kMalformed;
  }
  auto jwt = ParseJwt(authorization.substr(7));
  if (!jwt) return TokenCheck::kMalformed;
  if (!VerifyHs256(*jwt, key_)) return TokenCheck::kBadSignature;
  const json& p = jwt->payload;
  out->tenant = Claim(p, "tid");
  out->client_id = Claim(p, "appid");
  out->object_id = Claim(p, "oid");
  out->display_name = Claim(p, "app_displayname");
  out->audience = Claim(p, "aud");
  out->expires = p.contains("exp") && p["exp"].is_number() ? p["exp"].get<long long>() : 0;
  out->roles.clear();
  if (p.contains("roles") && p["roles"].is_array()) {
    for (const auto& role : p["roles"]) {
      if (role.is_string()) out->roles.push_back(role.get<std::string>());
    }
  }
  if (out->audience != audience) return TokenCheck::kWrongAudience;
  if (out->expires <= EpochSeconds(clock_->Now())) return TokenCheck::kExpired;
  return TokenCheck::kOk;
}

}  // namespace xdrsync::emulator
