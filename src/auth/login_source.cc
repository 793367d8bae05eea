#include "auth/login_source.h"

#include <utility>

#include "auth/token_response.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::auth {
namespace {

class SecretCredential final : public ClientCredential {
 public:
  explicit SecretCredential(ClientSecretSource source) : source_(std::move(source)) {}
  Result<FormFields> Proof(Timestamp) const override {
    auto secret = source_.Read();
    if (!secret.ok()) return secret.status();
    return FormFields{{"client_secret", std::move(secret).value()}};
  }

 private:
  ClientSecretSource source_;
};

class FederatedCredential final : public ClientCredential {
 public:
  FederatedCredential(std::string path, const Environment& env) : path_(std::move(path)), env_(env) {}
  Result<FormFields> Proof(Timestamp) const override {
    std::string path = path_;
    if (path.empty()) {
      path = env_.Get("AZURE_FEDERATED_TOKEN_FILE").value_or("");
      if (path.empty()) {
        return FailedPrecondition(
            "workload identity: neither auth.federated_token_file nor $AZURE_FEDERATED_TOKEN_FILE is set");
      }
    }
    auto token = ReadCredentialFile(path, path_.empty() ? "$AZURE_FEDERATED_TOKEN_FILE" : "auth.federated_token_file");
    if (!token.ok()) return token.status();
    return FormFields{{"client_assertion_type", std::string(kJwtBearerAssertionType)},
                      {"client_assertion", std::string(Trim(*token))}};
  }

 private:
  std::string path_;
  const Environment& env_;
};

}  // namespace

std::string TokenEndpointUrl(std::string_view login_url, std::string_view tenant_id) {
  return std::string(TrimTrailingSlashes(login_url)) + "/" + std::string(tenant_id) + "/oauth2/v2.0/token";
}

std::unique_ptr<ClientCredential> MakeSecretCredential(ClientSecretSource source) {
  return std::make_unique<SecretCredential>(std::move(source));
}

std::unique_ptr<ClientCredential> MakeFederatedCredential(std::string path, const Environment& env) {
  return std::make_unique<FederatedCredential>(std::move(path), env);
}

LoginTokenSource::LoginTokenSource(const AuthConfig& config, std::unique_ptr<ClientCredential> credential,
                                   http::Transport& transport, const Clock& clock)
    : tenant_id_(config.tenant_id),
      client_id_(config.client_id),
      token_url_(TokenEndpointUrl(config.login_url, config.tenant_id)),
      deadline_(std::chrono::seconds(config.request_timeout_seconds)),
      credential_(std::move(credential)),
      transport_(transport),
      clock_(clock) {}

Result<AccessToken> LoginTokenSource::Fetch(std::string_view scope) {
  const std::string who = "tenant " + tenant_id_;
  auto proof = credential_->Proof(clock_.Now());
  if (!proof.ok()) return proof.status().Annotate(who);

  FormFields form{{"client_id", client_id_}, {"scope", std::string(scope)}, {"grant_type", "client_credentials"}};
  for (auto& field : *proof) form.push_back(field);

  http::Request request;
  request.method = "POST";
  request.repeatable = true;  // a second token request only returns a second token
  request.url = token_url_;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = FormBody(form);
  request.deadline = deadline_;
  request.api = "login";
  request.tenant = tenant_id_;

  // Whatever the server or the transport says goes into a message: scrub what we sent.
  Secrets sent;
  for (const auto& [name, value] : *proof) {
    if (name == "client_secret" || name == "client_assertion") {
      sent.push_back(value);
      sent.push_back(UrlEncode(value));
    }
  }
  auto response = transport_.Send(request);
  if (!response.ok()) return Redacted(response.status().Annotate(who), sent);
  auto token = ReadTokenResponse(*response, clock_.Now(), who, Endpoint::kLogin, sent);
  if (!token.ok()) return Redacted(token.status(), sent);
  return token;
}

}  // namespace xdrsync::auth
