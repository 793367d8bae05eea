// The only file in the daemon that includes cpprestsdk. Rules kept here (deps-and-reliability §1):
// no blocking wait on a pplx pool thread (only the caller's own thread waits, on a std::future);
// every task chain ends in a task-based continuation that catches, because an unobserved task
// exception raises SIGTRAP; the deadline is ours, because cpprest's timeout restarts at every step.
#include "xdrsync/http/cpprest_transport.h"

#include <cpprest/http_client.h>

#include <csignal>
#include <future>
#include <map>
#include <mutex>

#include "http/tls_context.h"
#include "http/url.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::http {
namespace {

namespace cpphttp = web::http;
using cpphttp::client::http_client;
using cpphttp::client::http_client_config;

bool HasHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return true;
  }
  return false;
}

std::string HeaderValue(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

Status Unavailable(const std::string& method, const std::string& host, std::string_view what) {
  return {Code::kUnavailable, method + " " + host + ": " + std::string(what)};
}

class CpprestTransport final : public Transport {
 public:
  explicit CpprestTransport(const TransportOptions& options) : options_(options) {
    auto proxy = options.proxy ? Result<ProxySettings>(*options.proxy) : ProxySettingsFromEnvironment();
    if (!proxy.ok()) {
      config_status_ = proxy.status();
      return;
    }
    proxy_ = std::move(proxy).value();
    auto tls = TlsSettings::Load(options.ca_file);
    if (!tls.ok()) {
      config_status_ = tls.status();
      return;
    }
    tls_ = std::move(tls).value();
  }

  ~CpprestTransport() override {
    std::lock_guard lock(mu_);
    clients_.clear();
  }

  Result<Response> Send(const Request& request) override {
    if (!config_status_.ok()) return config_status_;
    const auto url = ParseUrl(request.url);
    if (!url || (url->scheme != "https" && url->scheme != "http")) {
      return InvalidArgument("not an absolute http(s) URL (host '" + HostOf(request.url) + "')");
    }
    // Plain http only where nothing leaves the machine: loopback, and the Azure instance metadata
    // service (link-local, served by the host, http by design).
    if (url->scheme == "http" && !IsLoopbackHost(url->host) && url->host != "169.254.169.254") {
      return InvalidArgument("plain http:// refused for non-loopback host '" + url->host + "'; use https://");
    }
    if (request.method.empty()) return InvalidArgument("request to " + url->host + " has no method");
    try {
      auto client = ClientFor(*url);
      if (!client.ok()) return client.status();
      return Execute(**client, request, *url);
    } catch (const std::exception& e) {
      // uri_exception and friends from building the message: the request itself is malformed.
      return InvalidArgument(request.method + " " + url->host + ": " + e.what());
    }
  }

 private:
  Result<std::shared_ptr<http_client>> ClientFor(const UrlParts& url) {
    std::lock_guard lock(mu_);
    if (auto it = clients_.find(url.origin); it != clients_.end()) return it->second;
    http_client_config config;
    config.set_timeout(options_.step_timeout);
    config.set_max_redirects(0);
    config.set_validate_certificates(true);
    if (url.scheme == "https") {
      config.set_ssl_context_callback(
          [tls = tls_](boost::asio::ssl::context& context) { tls->Apply(context.native_handle()); });
    }
    if (!BypassesProxy(proxy_, url.host, url.port)) {
      config.set_proxy(web::web_proxy(web::uri(proxy_.url)));
    }
    auto client = std::make_shared<http_client>(web::uri(url.origin), config);
    clients_.emplace(url.origin, client);
    return client;
  }

  cpphttp::http_request BuildMessage(const Request& request, const UrlParts& url) const {
    cpphttp::http_request message(request.method);
    message.set_request_uri(web::uri(url.resource));
    for (const auto& [name, value] : request.headers) {
      // Content-Type travels with the body; Host and Content-Length are the library's to set.
      if (EqualsIgnoreCase(name, "content-type") || EqualsIgnoreCase(name, "host") ||
          EqualsIgnoreCase(name, "content-length")) {
        continue;
      }
      message.headers().add(name, value);
    }
    std::string id = HeaderValue(request.headers, "client-request-id");
    if (id.empty()) {
      id = NewClientRequestId();
      message.headers().add("client-request-id", id);
    }
    if (!HasHeader(request.headers, "return-client-request-id")) {
      message.headers().add("return-client-request-id", "true");
    }
    // ARM reads the x-ms- forms; Graph ignores them.
    if (!HasHeader(request.headers, "x-ms-client-request-id")) message.headers().add("x-ms-client-request-id", id);
    if (!HasHeader(request.headers, "x-ms-return-client-request-id")) {
      message.headers().add("x-ms-return-client-request-id", "true");
    }
    if (!HasHeader(request.headers, "user-agent")) message.headers().add("User-Agent", options_.user_agent);
    const bool has_body_method = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
    if (!request.body.empty() || has_body_method) {
      std::string content_type = HeaderValue(request.headers, "content-type");
      if (content_type.empty()) content_type = "application/json";
      message.set_body(std::string(request.body), content_type);
    }
    return message;
  }

  Result<Response> Execute(http_client& client, const Request& request, const UrlParts& url) const {
    cpphttp::http_request message = BuildMessage(request, url);
    auto promise = std::make_shared<std::promise<Result<Response>>>();
    std::future<Result<Response>> future = promise->get_future();
    pplx::cancellation_token_source cancel;
    const auto started = std::chrono::steady_clock::now();
    const std::string method = request.method;
    const std::string host = url.host;

    client.request(message, cancel.get_token())
        .then([](cpphttp::http_response response) {
          // Continuations only: extract_vector's task is chained, never waited on here.
          return response.extract_vector().then([response](std::vector<unsigned char> body) {
            Response out;
            out.status = response.status_code();
            for (const auto& [name, value] : response.headers()) out.headers.emplace_back(AsciiLower(name), value);
            out.body.assign(body.begin(), body.end());
            return out;
          });
        })
        .then([promise, started, method, host](pplx::task<Response> task) {
          try {
            Response out = task.get();
            out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                started);
            promise->set_value(std::move(out));
          } catch (const pplx::task_canceled&) {
            promise->set_value(Unavailable(method, host, "request cancelled"));
          } catch (const std::exception& e) {
            promise->set_value(Unavailable(method, host, e.what()));
          } catch (...) {
            promise->set_value(Unavailable(method, host, "unknown failure"));
          }
        });

    if (future.wait_for(request.deadline) != std::future_status::ready) {
      // Closes the socket; the chain still completes into the abandoned promise, which it owns.
      cancel.cancel();
      return Unavailable(method, host,
                         "deadline of " + std::to_string(request.deadline.count()) + " ms exceeded");
    }
    return future.get();
  }

  const TransportOptions options_;
  Status config_status_;
  ProxySettings proxy_;
  std::shared_ptr<const TlsSettings> tls_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<http_client>> clients_;
};

}  // namespace

Status CheckTransportOptions(const TransportOptions& options) {
  if (!options.proxy) {
    if (auto proxy = ProxySettingsFromEnvironment(); !proxy.ok()) return proxy.status();
  }
  if (auto tls = TlsSettings::Load(options.ca_file); !tls.ok()) return tls.status();
  return Status::Ok();
}

std::unique_ptr<Transport> MakeCpprestTransport(const TransportOptions& options) {
  return std::make_unique<CpprestTransport>(options);
}

void IgnoreSigpipe() { std::signal(SIGPIPE, SIG_IGN); }

}  // namespace xdrsync::http
