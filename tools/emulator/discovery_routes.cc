// Sign-in discovery, as MSAL reads it before asking for a token: the OpenID Connect metadata of a
// tenant, the instance-discovery document and the (empty) signing-key set. All point back at the
// emulator's own base URL, so a client given the emulator as its authority host stays on it.
#include "services.h"
#include "url_codec.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

bool KnownTenant(Services& s, const std::string& tenant) {
  return tenant == "common" || tenant == "organizations" || s.world.HasTenant(tenant);
}

json OpenIdConfiguration(const std::string& base, const std::string& tenant) {
  std::string root = base + "/" + tenant;
  return {{"token_endpoint", root + "/oauth2/v2.0/token"},
          {"token_endpoint_auth_methods_supported", {"client_secret_post", "private_key_jwt", "client_secret_basic"}},
          {"jwks_uri", root + "/discovery/v2.0/keys"},
          {"response_modes_supported", {"query", "fragment", "form_post"}},
          {"subject_types_supported", {"pairwise"}},
          {"id_token_signing_alg_values_supported", {"RS256"}},
          {"response_types_supported", {"code", "id_token", "code id_token", "id_token token"}},
          {"scopes_supported", {"openid", "profile", "email", "offline_access"}},
          {"issuer", root + "/v2.0"},
          {"request_uri_parameter_supported", false},
          {"userinfo_endpoint", base + "/oidc/userinfo"},
          {"authorization_endpoint", root + "/oauth2/v2.0/authorize"},
          {"device_authorization_endpoint", root + "/oauth2/v2.0/devicecode"},
          {"http_logout_supported", true},
          {"frontchannel_logout_supported", true},
          {"end_session_endpoint", root + "/oauth2/v2.0/logout"},
          {"claims_supported", {"sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid"}},
          {"kerberos_endpoint", root + "/kerberos"},
          {"tenant_region_scope", "EU"},
          {"cloud_instance_name", "microsoftonline.com"},
          {"cloud_graph_host_name", "graph.windows.net"},
          {"msgraph_host", "graph.microsoft.com"},
          {"rbac_url", "https://pas.windows.net"}};
}

// The tenant named by an instance-discovery request's authorization_endpoint
// (https://host/{tenant}/oauth2/v2.0/authorize), "common" when it names none.
std::string TenantOfAuthorizeUrl(const std::string& url) {
  size_t host = url.find("://");
  size_t path = url.find('/', host == std::string::npos ? 0 : host + 3);
  if (path == std::string::npos) return "common";
  std::vector<std::string> seg = SplitPath(url.substr(path));
  return seg.empty() ? "common" : seg[0];
}

HttpResponse UnknownTenant(Services& s, const std::string& tenant) {
  HttpResponse r;
  r.SetJson(400, {{"error", "invalid_tenant"},
                  {"error_description", "AADSTS90002: Tenant '" + tenant + "' not found. Trace ID: " + s.ids.Guid()},
                  {"error_codes", {90002}}});
  return r;
}

}  // namespace

bool IsDiscoveryPath(const std::string& path) {
  std::vector<std::string> seg = SplitPath(path);
  if (seg.size() == 4 && seg[1] == "v2.0" && seg[2] == ".well-known" && seg[3] == "openid-configuration") return true;
  if (seg.size() == 3 && seg[1] == "discovery" && seg[2] == "instance") return true;
  return seg.size() == 4 && seg[1] == "discovery" && seg[2] == "v2.0" && seg[3] == "keys";
}

HttpResponse HandleDiscovery(Services& s, const HttpRequest& request, RequestContext* context) {
  context->service = "token";
  std::vector<std::string> seg = SplitPath(request.path);
  HttpResponse r;
  if (request.method != "GET") {
    context->route = "token.discovery";
    r.SetJson(405, {{"error", "invalid_request"}, {"error_description", "The endpoint only accepts GET requests."}});
    return r;
  }
  std::string base = s.BaseUrl();
  if (seg[1] == "v2.0") {
    context->route = "token.openid_configuration";
    if (!KnownTenant(s, seg[0])) return UnknownTenant(s, seg[0]);
    r.SetJson(200, OpenIdConfiguration(base, seg[0]));
  } else if (seg[2] == "instance") {
    context->route = "token.instance_discovery";
    std::string tenant = TenantOfAuthorizeUrl(ParseQuery(request.query)["authorization_endpoint"]);
    if (!KnownTenant(s, tenant)) return UnknownTenant(s, tenant);
    std::string host = base.substr(base.find("://") + 3);
    std::string localhost = "localhost" + host.substr(host.find(':'));
    r.SetJson(200, {{"tenant_discovery_endpoint", base + "/" + tenant + "/v2.0/.well-known/openid-configuration"},
                    {"api-version", "1.1"},
                    {"metadata", {{{"preferred_network", host}, {"preferred_cache", host},
                                   {"aliases", {host, localhost}}}}}});
  } else {
    // Tokens here are HS256 with the emulator's own key: there is no public key to publish.
    context->route = "token.keys";
    r.SetJson(200, {{"keys", json::array()}});
  }
  r.SetHeader("Cache-Control", "max-age=86400, private");
  return r;
}

}  // namespace xdrsync::emulator
