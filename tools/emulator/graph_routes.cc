// HTTP mapping of the Graph security API: bearer-token checks, app roles, the per-tenant
// request budget, then dispatch to the world.
#include <algorithm>
#include <cstdio>
#include <optional>

#include "services.h"
#include "url_codec.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

const char kGraphChallenge[] =
    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", "
    "client_id=\"00000003-0000-0000-c000-000000000000\"";

bool HasAnyRole(const Principal& p, std::initializer_list<const char*> roles) {
  return std::any_of(roles.begin(), roles.end(), [&](const char* role) {
    return std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end();
  });
}

HttpResponse Forbidden(Services& s, const Principal& p, const std::string& required) {
  std::string have;
  for (const auto& r : p.roles) have += (have.empty() ? "" : ",") + r;
  return GraphErrorResponse(s, 403, "Forbidden",
                            "Missing application roles. API required roles: " + required +
                                ". Application roles: " + have + ".");
}

HttpResponse FromResult(const ApiResult& result) {
  HttpResponse r;
  if (!result.raw_body.empty()) {
    r.status = result.status;
    r.body = result.raw_body;
    r.SetHeader("Content-Type", "application/json; charset=utf-8");
  } else if (result.body.is_null()) {
    r.status = result.status;
  } else {
    r.SetJson(result.status, result.body);
  }
  return r;
}

// Graph names the entity set of a single incident it returns, as it does for lists.
void AddEntityContext(const std::string& root, HttpResponse* response) {
  if (response->status != 200) return;
  json body = json::parse(response->body, nullptr, false);
  if (!body.is_object()) return;
  body["@odata.context"] = root + "/$metadata#security/incidents/$entity";
  response->SetJson(200, body);
}

// The token, its tenant and the per-app budget; nullopt when the request may go on.
std::optional<HttpResponse> FrontDoor(Services& s, TokenCheck check, const Principal& p, RequestContext* ctx) {
  if (check != TokenCheck::kOk) {
    ctx->route = "graph.unauthorized";
    std::string message = check == TokenCheck::kMissing    ? "Access token is empty."
                          : check == TokenCheck::kExpired  ? "Lifetime validation failed, the token is expired."
                          : check == TokenCheck::kWrongAudience ? "Access token validation failure. Invalid audience."
                          : check == TokenCheck::kBadSignature  ? "Access token validation failure. Signature validation failed."
                                                                : "IDX14100: JWT is not well formed.";
    HttpResponse r = GraphErrorResponse(s, 401, "InvalidAuthenticationToken", message);
    r.SetHeader("WWW-Authenticate", kGraphChallenge);
    return r;
  }
  if (!s.world.HasTenant(p.tenant)) {
    HttpResponse r = GraphErrorResponse(s, 401, "InvalidAuthenticationToken",
                                        "Access token validation failure. Unknown tenant.");
    r.SetHeader("WWW-Authenticate", kGraphChallenge);
    return r;
  }
  RateLimitSettings limits = s.limits();
  if (limits.enabled) {
    TakeResult take = s.limiter.Take("graph|" + p.tenant + "|" + p.client_id, limits.graph, s.clock.Now());
    if (!take.allowed) {
      ctx->route = "graph.throttled";
      HttpResponse r = GraphErrorResponse(s, 429, "TooManyRequests", "Too many requests.");
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.3f", take.retry_after_s);
      r.SetHeader("Retry-After", buf);
      return r;
    }
  }
  return std::nullopt;
}

}  // namespace

HttpResponse GraphErrorResponse(Services& s, int status, const std::string& code,
                                const std::string& message) {
  (void)s;
  HttpResponse r;
  r.SetJson(status, {{"error", {{"code", code}, {"message", message}, {"details", json::array()}}}});
  return r;
}

HttpResponse HandleGraph(Services& s, const HttpRequest& req, RequestContext* ctx) {
  ctx->service = "graph";
  std::vector<std::string> seg = SplitPath(req.path);
  Principal p;
  TokenCheck check = s.auth.Validate(req.Header("authorization"), kGraphAudience, &p);
  ctx->principal = p.client_id;
  if (auto rejected = FrontDoor(s, check, p, ctx)) return *rejected;
  bool include_unknown = req.Header("prefer").find("include-unknown-enum-members") != std::string::npos;
  std::string root = s.BaseUrl() + "/" + seg[0];
  auto query = ParseQuery(req.query);
  Actor actor{"api:" + p.client_id, p.display_name.empty() ? p.client_id : p.display_name, p.object_id};
  auto body = [&]() { return json::parse(req.body.empty() ? "{}" : req.body, nullptr, false); };
  if ((req.method == "PATCH" || req.method == "POST") && !req.body.empty() && !req.DeclaresJson()) {
    ctx->route = "graph.unsupported_media_type";
    return GraphErrorResponse(s, 400, "BadRequest", "Entity only allows writes with a JSON Content-Type header.");
  }
  const bool read_incidents = HasAnyRole(p, {"SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"});
  const bool write_incidents = HasAnyRole(p, {"SecurityIncident.ReadWrite.All"});
  HttpResponse response;
  bool known = seg.size() >= 3 && seg[1] == "security";
  const std::string& m = req.method;
  if (known && seg[2] == "incidents" && seg.size() == 3 && m == "GET") {
    ctx->route = "graph.incidents.list";
    if (!read_incidents) return Forbidden(s, p, "SecurityIncident.Read.All,SecurityIncident.ReadWrite.All");
    response = FromResult(s.world.GraphListIncidents(p.tenant, query, include_unknown, root));
  } else if (known && seg[2] == "incidents" && seg.size() == 4 && seg[3] == "mergeIncidents" && m == "POST") {
    ctx->route = "graph.incidents.merge";
    if (!write_incidents) return Forbidden(s, p, "SecurityIncident.ReadWrite.All");
    json b = body();
    if (b.is_discarded()) return GraphErrorResponse(s, 400, "BadRequest", "Unable to read JSON request payload.");
    response = FromResult(s.world.GraphMergeIncidents(p.tenant, b, actor));
  } else if (known && seg[2] == "incidents" && seg.size() == 4 && (m == "GET" || m == "PATCH")) {
    ctx->route = m == "GET" ? "graph.incidents.get" : "graph.incidents.patch";
    if (m == "GET" && !read_incidents) return Forbidden(s, p, "SecurityIncident.Read.All,SecurityIncident.ReadWrite.All");
    if (m == "PATCH" && !write_incidents) return Forbidden(s, p, "SecurityIncident.ReadWrite.All");
    if (m == "GET") {
      response = FromResult(s.world.GraphGetIncident(p.tenant, seg[3], query, include_unknown));
    } else {
      json b = json::parse(req.body, nullptr, false);
      if (b.is_discarded()) {
        return GraphErrorResponse(s, 400, "BadRequest",
                                  "Unable to read JSON request payload. Please ensure Content-Type "
                                  "header is set and payload is of valid JSON format.");
      }
      response = FromResult(s.world.GraphPatchIncident(p.tenant, seg[3], b, actor, include_unknown));
    }
    AddEntityContext(root, &response);
  } else if (known && seg[2] == "incidents" && seg.size() == 5 && seg[4] == "comments" && m == "POST") {
    ctx->route = "graph.incidents.comment";
    if (!write_incidents) return Forbidden(s, p, "SecurityIncident.ReadWrite.All");
    json b = json::parse(req.body, nullptr, false);
    if (b.is_discarded()) return GraphErrorResponse(s, 400, "BadRequest", "Unable to read JSON request payload.");
    response = FromResult(s.world.GraphPostComment(p.tenant, seg[3], b, actor));
  } else if (known && seg[2] == "alerts_v2" && seg.size() == 3 && m == "GET") {
    ctx->route = "graph.alerts.list";
    if (!HasAnyRole(p, {"SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"})) {
      return Forbidden(s, p, "SecurityAlert.Read.All,SecurityAlert.ReadWrite.All");
    }
    response = FromResult(s.world.GraphListAlerts(p.tenant, query, include_unknown, root));
  } else if (known && seg[0] == "beta" && seg[2] == "alerts_v2" && seg.size() == 4 &&
             seg[3] == "createAlert" && m == "POST") {
    ctx->route = "graph.alerts.create";
    if (!HasAnyRole(p, {"SecurityAlert.Create.All", "SecurityAlert.ReadWrite.All"})) {
      return Forbidden(s, p, "SecurityAlert.Create.All,SecurityAlert.ReadWrite.All");
    }
    json b = json::parse(req.body, nullptr, false);
    if (b.is_discarded()) return GraphErrorResponse(s, 400, "BadRequest", "Unable to read JSON request payload.");
    response = FromResult(s.world.GraphCreateAlert(p.tenant, b, actor));
  } else {
    ctx->route = "graph.unknown";
    return GraphErrorResponse(s, known ? 405 : 404, known ? "Request_BadRequest" : "BadRequest",
                              known ? "Specified HTTP method is not allowed for the request target."
                                    : "Resource not found for the segment '" + (seg.size() > 1 ? seg[1] : "") + "'.");
  }
  if (include_unknown) response.SetHeader("Preference-Applied", "include-unknown-enum-members");
  return response;
}

}  // namespace xdrsync::emulator
