#include "emulator.h"

#include <csignal>
#include <cstdio>
#include <ctime>

#include "http_server.h"

namespace xdrsync::emulator {
namespace {

using nlohmann::json;

std::string RetryAfterText(double seconds, bool whole) {
  if (whole) return std::to_string(static_cast<long long>(seconds + 0.999));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", seconds);
  return buf;
}

HttpResponse StatusFault(Services& s, const std::string& service, const FaultRule& rule) {
  std::string code = rule.status == 429 ? "TooManyRequests"
                     : rule.status == 503 ? "ServiceUnavailable"
                     : rule.status == 504 ? "GatewayTimeout"
                     : rule.status == 409 ? "Conflict"
                                          : "InternalServerError";
  HttpResponse r;
  if (service == "graph") {
    r = GraphErrorResponse(s, rule.status, rule.status == 500 ? "UnknownError" : code,
                           "Injected fault " + rule.id + ".");
  } else if (service == "token") {
    r.SetJson(rule.status, {{"error", "temporarily_unavailable"},
                            {"error_description", "AADSTS50196: Injected fault " + rule.id + "."}});
  } else {
    r = ArmErrorResponse(rule.status, code, "Injected fault " + rule.id + ".");
  }
  if (rule.status == 429 || rule.status == 503) {
    r.SetHeader("Retry-After", RetryAfterText(rule.retry_after_s, service == "arm"));
  }
  return r;
}

void ReplaceEnum(json* node, const std::string& field, const std::string& value) {
  if (node->is_object()) {
    for (auto it = node->begin(); it != node->end(); ++it) {
      if (it.key() == field && it->is_string()) {
        *it = value;
      } else {
        ReplaceEnum(&*it, field, value);
      }
    }
  } else if (node->is_array()) {
    for (auto& item : *node) ReplaceEnum(&item, field, value);
  }
}

std::string ServiceOf(const std::string& path) {
  if (path.rfind("/v1.0/", 0) == 0 || path.rfind("/beta/", 0) == 0) return "graph";
  if (path.rfind("/subscriptions/", 0) == 0) return "arm";
  if (path == "/metadata/identity/oauth2/token" || path == "/msi/token" ||
      path.find("/oauth2/v2.0/token") != std::string::npos || IsDiscoveryPath(path)) {
    return "token";
  }
  return "unknown";
}

}  // namespace

Emulator::Emulator() = default;

Emulator::~Emulator() {
  Stop();
  if (generated_tls_files_) RemoveSelfSignedTls(tls_files_);
}

namespace {

// The server context for options.tls, or nullptr for plain http (and on failure, with *error).
std::shared_ptr<SSL_CTX> TlsContextFor(const TlsOptions& tls, TlsFiles* files, bool* generated, std::string* error) {
  if (!tls.enabled) return nullptr;
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    *error = "a TLS certificate needs its key, and a key its certificate";
    return nullptr;
  }
  if (tls.cert_file.empty()) {
    if (!MakeSelfSignedTls(files, error)) return nullptr;
    *generated = true;
  } else {
    *files = {tls.cert_file, tls.key_file, tls.cert_file};
  }
  return MakeServerContext(*files, error);
}

}  // namespace

std::unique_ptr<Emulator> Emulator::Start(EmulatorOptions options, std::string* error) {
  // A client that disconnects mid-reply must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  std::string ignored;
  if (!error) error = &ignored;
  std::unique_ptr<Emulator> emulator(new Emulator());
  emulator->services_ = std::make_unique<Services>(options.seed, options.clock_source);
  Services& s = *emulator->services_;
  s.world.SetSettings(options.world);
  s.set_limits(options.limits);
  s.auth.SetTokenLifetime(options.token_lifetime_s);
  s.auth.SetIdentityHeader(options.identity_header);
  for (const auto& t : options.tenants) {
    s.world.AddTenant(t);
    s.auth.AddTenant(t);
  }
  for (const auto& ws : options.workspaces) {
    s.world.AddWorkspace(ws);
    s.auth.AddTenant(ws.tenant);
  }
  if (options.clients.empty()) {
    std::vector<std::string> tenants = options.tenants;
    for (const auto& ws : options.workspaces) tenants.push_back(ws.tenant);
    for (size_t i = 0; i < tenants.size(); ++i) AddDefaultClients(s, tenants[i], i == 0);
  }
  for (const auto& c : options.clients) {
    s.world.AddTenant(c.tenant);
    s.auth.AddClient(c);
  }
  if (!options.scenario.is_null() && !LoadScenario(s, options.scenario, error)) return nullptr;
  std::shared_ptr<SSL_CTX> tls =
      TlsContextFor(options.tls, &emulator->tls_files_, &emulator->generated_tls_files_, error);
  if (options.tls.enabled && !tls) return nullptr;
  s.tls = options.tls.enabled;
  Emulator* raw = emulator.get();
  emulator->server_ =
      HttpServer::Start(options.port, [raw](const HttpRequest& r) { return raw->Handle(r); }, std::move(tls), error);
  if (!emulator->server_) return nullptr;
  s.port = emulator->server_->port();
  return emulator;
}

void Emulator::Stop() {
  if (server_) server_->Stop();
}

std::string Emulator::MintToken(const std::string& tenant, const std::string& client_id,
                                const std::string& audience) {
  return services_->auth.Mint(tenant, client_id, audience);
}

namespace {

// Faults that replace the request: it never reaches the API. Returns false when `fault` is a
// post-handling kind (or absent) and the request must be served.
bool PreFault(Services& s, const std::string& service, const HttpRequest& request,
              const std::optional<FaultRule>& fault, HttpResponse* response) {
  if (!fault) return false;
  switch (fault->kind) {
    case FaultKind::kStatus:
      *response = StatusFault(s, service, *fault);
      return true;
    case FaultKind::kConflictNextPut: {
      std::string name = request.path.substr(request.path.rfind('/') + 1);
      response->SetJson(409, service == "graph"
                                 ? json{{"error", {{"code", "Conflict"}, {"message", "The incident was modified by another request."}}}}
                                 : ArmError("Conflict", "Newer version of resource '" + name + "' exists. Data was not saved"));
      return true;
    }
    case FaultKind::kHang:
      response->delivery = Delivery::kHang;
      response->hang = std::chrono::milliseconds(fault->hang_ms);
      return true;
    case FaultKind::kReset:
      response->delivery = Delivery::kReset;
      return true;
    default:
      return false;
  }
}

// Faults that spoil the reply of a request that was applied.
void PostFault(const FaultRule& fault, HttpResponse* response) {
  switch (fault.kind) {
    case FaultKind::kLatency:
      response->delay = std::chrono::milliseconds(fault.latency_ms);
      break;
    case FaultKind::kTruncate:
      response->delivery = Delivery::kTruncate;
      break;
    case FaultKind::kDropAfterApply:
      response->delivery = Delivery::kDrop;
      break;
    case FaultKind::kMalformedJson:
      response->body = response->body.substr(0, response->body.size() / 2) + ",,\"]";
      break;
    case FaultKind::kUnknownEnum: {
      json body = json::parse(response->body, nullptr, false);
      if (!body.is_discarded()) {
        ReplaceEnum(&body, fault.field, fault.enum_value);
        response->body = body.dump();
      }
      break;
    }
    case FaultKind::kReplaceBody:
      response->body = ReplacementBody(fault);
      break;
    default:
      break;
  }
}

// Correlation headers as each service sends them; Graph errors also carry them in innerError.
// RFC 9110 IMF-fixdate of the emulator clock: clients measure the server's clock offset from it.
std::string HttpDate(TimePoint now) {
  const time_t t = static_cast<time_t>(EpochSeconds(now));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

void StampHeaders(Services& s, const std::string& service, const HttpRequest& request,
                  HttpResponse* response) {
  response->SetHeader("Date", HttpDate(s.clock.Now()));
  std::string request_id = s.ids.Guid();
  if (service == "graph") {
    std::string client_request_id = request.Header("client-request-id");
    if (client_request_id.empty()) client_request_id = request_id;
    response->SetHeader("request-id", request_id);
    response->SetHeader("client-request-id", client_request_id);
    if (response->status < 400 || response->delivery != Delivery::kNormal) return;
    json body = json::parse(response->body, nullptr, false);
    if (!body.is_discarded() && body.contains("error") && body["error"].is_object()) {
      body["error"]["innerError"] = {{"date", FormatTime(s.clock.Now()).substr(0, 19)},
                                     {"request-id", request_id},
                                     {"client-request-id", client_request_id}};
      response->body = body.dump();
    }
  } else if (service == "arm") {
    std::string correlation = request.Header("x-ms-correlation-request-id");
    std::string stamp = FormatTime(s.clock.Now());
    std::string compact = stamp.substr(0, 4) + stamp.substr(5, 2) + stamp.substr(8, 5) +
                          stamp.substr(14, 2) + stamp.substr(17, 2) + "Z";
    response->SetHeader("x-ms-request-id", request_id);
    response->SetHeader("x-ms-correlation-request-id", correlation.empty() ? s.ids.Guid() : correlation);
    response->SetHeader("x-ms-routing-request-id", "WESTEUROPE:" + compact + ":" + request_id);
    if (request.Header("x-ms-return-client-request-id") == "true") {
      response->SetHeader("x-ms-client-request-id", request.Header("x-ms-client-request-id"));
    }
  }
}

void LogRequest(Services& s, const HttpRequest& request, const RequestContext& ctx,
                const HttpResponse& response, const std::optional<FaultRule>& fault,
                std::chrono::steady_clock::time_point started) {
  RequestRecord record;
  record.time = s.clock.Now();
  record.method = request.method;
  record.path = request.path;
  record.query = request.query;
  record.route = ctx.route;
  record.principal = ctx.principal;
  bool replied = response.delivery == Delivery::kNormal || response.delivery == Delivery::kTruncate;
  record.status = replied ? response.status : 0;
  record.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count() +
      static_cast<double>(response.delay.count());
  // Token requests carry secrets and assertions: log that there was a body, not what it said.
  record.request_body = ctx.service == "token" ? (request.body.empty() ? "" : "<redacted>") : request.body;
  if (fault) record.fault = FaultRuleToJson(*fault)["kind"].get<std::string>();
  s.journal.LogRequest(std::move(record));
}

}  // namespace

HttpResponse Emulator::Handle(const HttpRequest& request) {
  Services& s = *services_;
  auto started = std::chrono::steady_clock::now();
  if (request.method == "TRACE" || request.method == "TRCE") {
    // Never echo a request back: it would reflect the Authorization header.
    HttpResponse r;
    r.SetJson(405, {{"error", {{"code", "MethodNotAllowed"}, {"message", "TRACE is not allowed."}}}});
    return r;
  }
  if (request.path.rfind("/_control", 0) == 0) return HandleControl(s, request);

  RequestContext ctx;
  ctx.service = ServiceOf(request.path);
  ctx.route = ctx.service + ".unknown";
  std::optional<FaultRule> fault = s.faults.Draw(request.method, request.path, request.sequence_on_connection);
  HttpResponse response;
  if (!PreFault(s, ctx.service, request, fault, &response)) {
    if (ctx.service == "token") {
      response = IsDiscoveryPath(request.path) ? HandleDiscovery(s, request, &ctx) : HandleToken(s, request, &ctx);
    } else if (ctx.service == "graph") {
      response = HandleGraph(s, request, &ctx);
    } else if (ctx.service == "arm") {
      response = HandleArm(s, request, &ctx);
    } else {
      response.SetJson(404, {{"error", {{"code", "NotFound"}, {"message", "No such endpoint: " + request.path}}}});
    }
    if (fault) PostFault(*fault, &response);
  }
  StampHeaders(s, ctx.service, request, &response);
  LogRequest(s, request, ctx, response, fault, started);
  return response;
}

}  // namespace xdrsync::emulator
