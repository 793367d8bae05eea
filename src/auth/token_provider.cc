#include "xdrsync/auth/token_provider.h"

#include <algorithm>
#include <utility>

#include "auth/certificate.h"
#include "auth/login_source.h"
#include "auth/managed_identity.h"
#include "auth/secret_files.h"
#include "auth/token_cache.h"

namespace xdrsync::auth {
namespace {

// Tenant ids go into the token URL's path: a GUID or a verified domain, nothing that could
// change the URL's shape.
bool IsValidTenant(std::string_view tenant) {
  return !tenant.empty() && std::all_of(tenant.begin(), tenant.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

Status CheckCommon(const AuthConfig& config) {
  if (config.refresh_margin_seconds < 0 || config.refresh_margin_seconds > 86'400) {
    return InvalidArgument("auth.refresh_margin_seconds must be between 0 and 86400");
  }
  if (config.request_timeout_seconds <= 0 || config.request_timeout_seconds > 3'600) {
    return InvalidArgument("auth.request_timeout_seconds must be between 1 and 3600");
  }
  return Status::Ok();
}

Status CheckConfidentialClient(const AuthConfig& config) {
  if (config.client_id.empty()) return InvalidArgument("auth.client_id is required");
  if (config.tenant_id.empty()) return InvalidArgument("auth: tenant_id is required");
  if (!IsValidTenant(config.tenant_id)) {
    return InvalidArgument("auth: tenant_id '" + config.tenant_id + "' is not a tenant GUID or domain");
  }
  if (!config.login_url.starts_with("https://") && !config.login_url.starts_with("http://")) {
    return InvalidArgument("auth: login_url '" + config.login_url + "' is not an http(s) URL");
  }
  return Status::Ok();
}

// Builds the proof once so a missing secret, unreadable file or bad key fails at start-up, not
// at the first sync cycle.
Result<std::unique_ptr<ClientCredential>> MakeCredential(const AuthConfig& config, const Clock& clock,
                                                         const Environment& env) {
  std::unique_ptr<ClientCredential> credential;
  switch (config.kind) {
    case AuthConfig::Kind::kClientSecret: {
      auto source = ClientSecretSource::FromConfig(config, env);
      if (!source.ok()) return source.status();
      credential = MakeSecretCredential(std::move(source).value());
      break;
    }
    case AuthConfig::Kind::kCertificate: {
      auto loaded = CertificateCredential::Load(config);
      if (!loaded.ok()) return loaded.status();
      credential = std::move(loaded).value();
      break;
    }
    case AuthConfig::Kind::kWorkloadIdentity:
      credential = MakeFederatedCredential(config.federated_token_file, env);
      break;
    case AuthConfig::Kind::kManagedIdentity:
      return Internal("a managed identity has no client credential");
  }
  const auto proof = credential->Proof(clock.Now());
  if (!proof.ok()) return proof.status();
  return credential;
}

}  // namespace

bool HasAnyRole(const AccessToken& token, std::initializer_list<std::string_view> roles) {
  return std::any_of(token.roles.begin(), token.roles.end(), [&](const std::string& have) {
    return std::find(roles.begin(), roles.end(), std::string_view(have)) != roles.end();
  });
}

Result<std::unique_ptr<TokenProvider>> MakeTokenProvider(const AuthConfig& config, http::Transport& transport,
                                                         const Clock& clock) {
  static const ProcessEnvironment process_env;
  return MakeTokenProvider(config, transport, clock, process_env);
}

Result<std::unique_ptr<TokenProvider>> MakeTokenProvider(const AuthConfig& given, http::Transport& transport,
                                                         const Clock& clock, const Environment& env) {
  AuthConfig config = given;
  if (Status s = CheckCommon(config); !s.ok()) return s;

  std::unique_ptr<TokenSource> source;
  if (config.kind == AuthConfig::Kind::kManagedIdentity) {
    if (config.imds_url.empty()) return InvalidArgument("auth.imds_url must not be empty");
    source = std::make_unique<ManagedIdentitySource>(config, transport, clock, env);
  } else {
    if (config.kind == AuthConfig::Kind::kWorkloadIdentity) {
      // AKS's workload identity webhook injects these beside AZURE_FEDERATED_TOKEN_FILE.
      if (config.client_id.empty()) config.client_id = env.Get("AZURE_CLIENT_ID").value_or("");
      if (config.tenant_id.empty()) config.tenant_id = env.Get("AZURE_TENANT_ID").value_or("");
    }
    if (Status s = CheckConfidentialClient(config); !s.ok()) return s;
    auto credential = MakeCredential(config, clock, env);
    if (!credential.ok()) return credential.status();
    source = std::make_unique<LoginTokenSource>(config, std::move(credential).value(), transport, clock);
  }
  return std::unique_ptr<TokenProvider>(
      std::make_unique<CachingTokenProvider>(std::move(source), clock, config.refresh_margin_seconds));
}

}  // namespace xdrsync::auth
