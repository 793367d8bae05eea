#include "auth/managed_identity.h"

#include "auth/encoding.h"
#include "auth/token_response.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::auth {

std::string ResourceOfScope(std::string_view scope) {
  constexpr std::string_view kDefault = "/.default";
  if (EndsWith(scope, kDefault)) scope.remove_suffix(kDefault.size());
  return std::string(scope);
}

ManagedIdentitySource::ManagedIdentitySource(const AuthConfig& config, http::Transport& transport,
                                             const Clock& clock, const Environment& env)
    : tenant_id_(config.tenant_id),
      client_id_(config.managed_identity_client_id),
      imds_url_(config.imds_url),
      deadline_(std::chrono::seconds(config.request_timeout_seconds)),
      transport_(transport),
      clock_(clock),
      env_(env) {}

Result<AccessToken> ManagedIdentitySource::Fetch(std::string_view scope) {
  const std::string resource = ResourceOfScope(scope);
  const std::string endpoint = env_.Get("IDENTITY_ENDPOINT").value_or("");
  const std::string identity_header = env_.Get("IDENTITY_HEADER").value_or("");
  const bool app_service = !endpoint.empty() && !identity_header.empty();

  http::Request request;
  request.method = "GET";
  request.deadline = deadline_;
  request.api = "identity";
  request.tenant = tenant_id_;
  FormFields query;
  if (app_service) {
    query = {{"resource", resource}, {"api-version", "2019-08-01"}};
    if (!client_id_.empty()) query.emplace_back("client_id", client_id_);
    request.url = AppendQuery(endpoint, query);
    request.headers = {{"X-IDENTITY-HEADER", identity_header}};
  } else {
    query = {{"api-version", "2018-02-01"}, {"resource", resource}};
    if (!client_id_.empty()) query.emplace_back("client_id", client_id_);
    request.url = AppendQuery(imds_url_, query);
    // IMDS answers 400 without it: the header proves the caller is not a forwarded request.
    request.headers = {{"Metadata", "true"}};
  }
  request.headers.emplace_back("Accept", "application/json");

  const std::string who = std::string("managed identity") + (client_id_.empty() ? "" : " " + client_id_) +
                          (app_service ? " (IDENTITY_ENDPOINT)" : " (IMDS)");
  const Secrets sent{identity_header};
  auto response = transport_.Send(request);
  if (!response.ok()) return Redacted(response.status().Annotate(who), sent);
  auto token =
      ReadTokenResponse(*response, clock_.Now(), who, app_service ? Endpoint::kAppService : Endpoint::kImds, sent);
  if (!token.ok()) return Redacted(token.status(), sent);
  return token;
}

}  // namespace xdrsync::auth
