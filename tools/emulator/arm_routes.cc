// HTTP mapping of the ARM Sentinel incidents API: the front door (token, api-version, tenant,
// RBAC, the token-bucket throttle and its headers), then dispatch to the world.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>

#include "arm_api_versions.h"
#include "services.h"
#include "url_codec.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

bool Same(const std::string& a, const char* b) {
  std::string sb(b);
  return a.size() == sb.size() && std::equal(a.begin(), a.end(), sb.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
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

HttpResponse Unauthorized(const std::string& code, const std::string& message, const std::string& why) {
  HttpResponse r = ArmErrorResponse(401, code, message);
  r.SetHeader("WWW-Authenticate", "Bearer authorization_uri=\"https://login.windows.net/\", "
                                  "error=\"invalid_token\", error_description=\"" + why + "\"");
  return r;
}

// Which RBAC level an operation needs: 0 read, 1 incident write, 2 delete.
int Needed(const std::string& method) { return method == "DELETE" ? 2 : method == "PUT" ? 1 : 0; }

int Granted(const std::string& role) {
  if (role == "contributor") return 2;
  if (role == "responder") return 1;
  if (role == "reader") return 0;
  return -1;
}

}  // namespace

HttpResponse ArmErrorResponse(int status, const std::string& code, const std::string& message) {
  HttpResponse r;
  r.SetJson(status, ArmError(code, message));
  return r;
}

namespace {

HttpResponse MethodNotAllowed(const std::string& method) {
  return ArmErrorResponse(405, "UnsupportedApiVersion",
                          "The requested resource does not support http method '" + method + "'.");
}

// Routes under one incident: …/incidents/{id}/{sub}[/{child}].
HttpResponse DispatchIncidentChild(Services& s, const HttpRequest& req, const std::vector<std::string>& seg,
                                   const WorkspaceRef& ws, const Actor& actor, const nlohmann::json& body,
                                   RequestContext* ctx) {
  const std::string& m = req.method;
  const std::string& incident = seg[11];
  if (seg.size() == 13 && Same(seg[12], "comments")) {
    ctx->route = "arm.comments.list";
    return m == "GET" ? FromResult(s.world.ArmListComments(ws, incident)) : MethodNotAllowed(m);
  }
  if (seg.size() == 13 && (Same(seg[12], "alerts") || Same(seg[12], "entities") || Same(seg[12], "bookmarks"))) {
    // Actions: POST only, no body.
    ctx->route = Same(seg[12], "alerts") ? "arm.incidents.alerts"
                 : Same(seg[12], "entities") ? "arm.incidents.entities" : "arm.incidents.bookmarks";
    if (m != "POST") return MethodNotAllowed(m);
    return FromResult(Same(seg[12], "alerts")     ? s.world.ArmListAlerts(ws, incident)
                      : Same(seg[12], "entities") ? s.world.ArmListEntities(ws, incident)
                                                  : s.world.ArmListBookmarks(ws, incident));
  }
  if (seg.size() == 14 && Same(seg[12], "comments")) {
    ctx->route = m == "GET" ? "arm.comments.get" : m == "PUT" ? "arm.comments.put" : "arm.comments.delete";
    if (m == "GET") return FromResult(s.world.ArmGetComment(ws, incident, seg[13]));
    if (m == "PUT") return FromResult(s.world.ArmPutComment(ws, incident, seg[13], body, actor));
    if (m == "DELETE") return FromResult(s.world.ArmDeleteComment(ws, incident, seg[13], actor));
    return MethodNotAllowed(m);
  }
  return ArmErrorResponse(404, "NotFound", "No route for " + m + " " + req.path);
}

HttpResponse Dispatch(Services& s, const HttpRequest& req, const std::vector<std::string>& seg,
                      const WorkspaceRef& ws, const Actor& actor, RequestContext* ctx) {
  const std::string& m = req.method;
  auto query = ParseQuery(req.query);
  if (query.count("$select")) {
    // Not a parameter of any incidents operation; refused rather than ignored, so a client that
    // relies on a projection finds out here.
    return ArmErrorResponse(400, "BadRequest",
                            "The query parameter '$select' is not supported by Microsoft.SecurityInsights/incidents.");
  }
  nlohmann::json body = nlohmann::json::parse(req.body.empty() ? "null" : req.body, nullptr, false);
  if (m == "PUT" && (body.is_discarded() || body.is_null())) {
    return ArmErrorResponse(400, "InvalidRequestContent",
                            "The request content was invalid and could not be deserialized.");
  }
  if (seg.size() == 11) {
    ctx->route = "arm.incidents.list";
    return m == "GET" ? FromResult(s.world.ArmList(ws, query, s.BaseUrl())) : MethodNotAllowed(m);
  }
  if (seg.size() == 12) {
    ctx->route = m == "GET" ? "arm.incidents.get" : m == "PUT" ? "arm.incidents.put" : "arm.incidents.delete";
    if (m == "GET") return FromResult(s.world.ArmGet(ws, seg[11]));
    if (m == "PUT") return FromResult(s.world.ArmPut(ws, seg[11], body, actor));
    if (m == "DELETE") return FromResult(s.world.ArmDelete(ws, seg[11], actor));
    return ArmErrorResponse(405, "MethodNotAllowed", "Method not allowed.");
  }
  return DispatchIncidentChild(s, req, seg, ws, actor, body, ctx);
}

// Front door 1: the bearer token (401 with ARM's challenge), nullopt when it is good.
std::optional<HttpResponse> TokenRejection(Services& s, TokenCheck check, const Principal& p) {
  switch (check) {
    case TokenCheck::kOk: return std::nullopt;
    case TokenCheck::kMissing:
      return Unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                          "The authentication failed because of missing 'Authorization' header.");
    case TokenCheck::kExpired:
      return Unauthorized("ExpiredAuthenticationToken",
                          "The access token expiry UTC time '" + FormatTime(TimePoint(std::chrono::seconds(p.expires))) +
                              "' is earlier than current UTC time '" + FormatTime(s.clock.Now()) + "'.",
                          "The access token has expired.");
    case TokenCheck::kWrongAudience:
      return Unauthorized("InvalidAuthenticationTokenAudience",
                          "The access token has been obtained for wrong audience or resource '" + p.audience +
                              "'. It should exactly match with one of the allowed audiences "
                              "'https://management.core.windows.net/','https://management.azure.com/'.",
                          "The access token has been obtained for wrong audience.");
    default:
      return Unauthorized("InvalidAuthenticationToken", "The access token is invalid.", "The access token is invalid.");
  }
}

// Front door 2: api-version, the resource type, the body's media type; nullopt when all fit.
std::optional<HttpResponse> RequestRejection(const HttpRequest& req, const std::vector<std::string>& seg) {
  std::string api_version = ParseQuery(req.query)["api-version"];
  if (api_version.empty()) {
    return ArmErrorResponse(400, "MissingApiVersionParameter",
                            "The api-version query parameter (?api-version=) is required for all requests.");
  }
  bool shaped = seg.size() >= 11 && Same(seg[0], "subscriptions") && Same(seg[2], "resourceGroups") &&
                Same(seg[4], "providers") && Same(seg[5], "Microsoft.OperationalInsights") &&
                Same(seg[6], "workspaces") && Same(seg[8], "providers") &&
                Same(seg[9], "Microsoft.SecurityInsights") && Same(seg[10], "incidents");
  if (!shaped) {
    return ArmErrorResponse(404, "InvalidResourceType", "The resource type could not be found in the namespace.");
  }
  if (!IsPublishedArmApiVersion(api_version)) {
    return ArmErrorResponse(400, "NoRegisteredProviderFound",
                            "No registered resource provider found for location 'westeurope' and API version '" +
                                api_version + "' for type 'incidents'.");
  }
  if (!req.body.empty() && !req.DeclaresJson()) {
    std::string type = req.Header("content-type");
    return ArmErrorResponse(415, "UnsupportedMediaType",
                            "The content media type '" + (type.empty() ? std::string("<none>") : type) +
                                "' is not supported. Only 'application/json' is supported.");
  }
  return std::nullopt;
}

}  // namespace

HttpResponse HandleArm(Services& s, const HttpRequest& req, RequestContext* ctx) {
  ctx->service = "arm";
  ctx->route = "arm.unknown";
  std::vector<std::string> seg = SplitPath(req.path);
  Principal p;
  TokenCheck check = s.auth.Validate(req.Header("authorization"), kArmAudience, &p);
  ctx->principal = p.client_id;
  if (auto rejected = TokenRejection(s, check, p)) return *rejected;
  if (auto rejected = RequestRejection(req, seg)) return *rejected;
  WorkspaceRef ws{seg[1], seg[3], seg[7]};
  std::string tenant = s.world.WorkspaceTenant(ws.subscription, ws.resource_group, ws.name);
  if (!tenant.empty() && tenant != p.tenant) {
    return Unauthorized("InvalidAuthenticationTokenTenant",
                        "The access token is from the wrong issuer 'https://sts.windows.net/" + p.tenant +
                            "/'. It must match the tenant 'https://sts.windows.net/" + tenant +
                            "/' associated with this subscription.",
                        "The access token is from the wrong issuer.");
  }
  const std::string& m = req.method;
  std::string op = m == "DELETE" ? "deletes" : m == "PUT" ? "writes" : "reads";
  if (Granted(s.auth.ArmRole(p.tenant, p.client_id)) < Needed(m)) {
    std::string action = m == "DELETE" ? "delete" : "write";
    return ArmErrorResponse(403, "AuthorizationFailed",
                            "The client '" + p.client_id + "' with object id '" + p.object_id +
                                "' does not have authorization to perform action "
                                "'Microsoft.SecurityInsights/incidents/" + action + "' over scope '" +
                                ws.IncidentsPath() + "' or the scope is invalid. If access was recently "
                                "granted, please refresh your credentials.");
  }
  HttpResponse response;
  RateLimitSettings limits = s.limits();
  long long remaining = -1, global_remaining = -1;
  if (limits.enabled) {
    BucketSpec spec = op == "reads" ? limits.arm_reads : op == "writes" ? limits.arm_writes : limits.arm_deletes;
    BucketSpec global{spec.capacity * limits.arm_global_multiplier, spec.refill_per_second * limits.arm_global_multiplier};
    TakeResult mine = s.limiter.Take("arm|" + ws.subscription + "|" + p.object_id + "|" + op, spec, s.clock.Now());
    TakeResult all = mine.allowed ? s.limiter.Take("arm|" + ws.subscription + "|*|" + op, global, s.clock.Now()) : mine;
    if (!mine.allowed || !all.allowed) {
      ctx->route = "arm.throttled";
      response = ArmErrorResponse(429, "TooManyRequests",
                                  "The request is being throttled as the limit has been reached for operation type - " + op + ".");
      double wait = std::max(mine.retry_after_s, all.retry_after_s);
      response.SetHeader("Retry-After", std::to_string(static_cast<long long>(std::ceil(wait))));
      return response;
    }
    remaining = mine.remaining;
    global_remaining = all.remaining;
  }
  Actor actor{"api:" + p.client_id, p.display_name.empty() ? p.client_id : p.display_name, p.object_id};
  response = Dispatch(s, req, seg, ws, actor, ctx);
  if (remaining >= 0) {
    response.SetHeader("x-ms-ratelimit-remaining-subscription-" + op, std::to_string(remaining));
    response.SetHeader("x-ms-ratelimit-remaining-subscription-global-" + op, std::to_string(global_remaining));
  }
  return response;
}

}  // namespace xdrsync::emulator
