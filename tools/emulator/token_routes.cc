// HTTP mapping of the Entra token endpoints: v2.0 client credentials and both managed-identity
// endpoints (IMDS and App Service / Container Apps).
#include "jwt.h"
#include "services.h"
#include "url_codec.h"

namespace xdrsync::emulator {
namespace {

std::string DecodeBasic(const std::string& header) {
  if (header.size() < 7 || header.compare(0, 6, "Basic ") != 0) return "";
  auto decoded = Base64UrlDecode(header.substr(6));
  if (!decoded) return "";
  // Basic auth carries url-encoded id and secret (RFC 6749 §2.3.1).
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return PercentDecode(*decoded, true);
  return PercentDecode(decoded->substr(0, colon), true) + ":" +
         PercentDecode(decoded->substr(colon + 1), true);
}

HttpResponse FromReply(const TokenReply& reply) {
  HttpResponse response;
  response.SetJson(reply.status, reply.body);
  response.SetHeader("Cache-Control", "no-store, no-cache");
  response.SetHeader("Pragma", "no-cache");
  return response;
}

}  // namespace

HttpResponse HandleToken(Services& s, const HttpRequest& request, RequestContext* context) {
  context->service = "token";
  std::vector<std::string> seg = SplitPath(request.path);
  if (request.path == "/metadata/identity/oauth2/token") {
    context->route = "token.imds";
    if (request.method != "GET" && request.method != "POST") {
      HttpResponse r;
      r.SetJson(405, {{"error", "invalid_request"}, {"error_description", "method not allowed"}});
      return r;
    }
    return FromReply(s.auth.Imds(ParseQuery(request.query), request.Header("metadata")));
  }
  if (request.path == "/msi/token") {
    context->route = "token.appservice";
    return FromReply(s.auth.AppService(ParseQuery(request.query), request.Header("x-identity-header")));
  }
  context->route = "token.client_credentials";
  if (request.method != "POST") {
    HttpResponse r;
    r.SetJson(405, {{"error", "invalid_request"},
                    {"error_description", "AADSTS900561: The endpoint only accepts POST requests."}});
    return r;
  }
  std::string type = request.Header("content-type");
  if (type.find("application/x-www-form-urlencoded") == std::string::npos) {
    HttpResponse r;
    r.SetJson(400, {{"error", "invalid_request"},
                    {"error_description", "AADSTS900144: The request body must contain the following "
                                          "parameter: 'grant_type'."},
                    {"error_codes", {900144}}});
    return r;
  }
  auto form = ParseQuery(request.body);
  if (auto it = form.find("client_id"); it != form.end()) context->principal = it->second;
  return FromReply(s.auth.ClientCredentials(seg[0], form, DecodeBasic(request.Header("authorization")),
                                            s.BaseUrl()));
}

}  // namespace xdrsync::emulator
