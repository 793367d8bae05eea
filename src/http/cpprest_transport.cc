// The only file in the daemon that includes cpprestsdk. Rules kept here (deps-and-reliability §1):
// no blocking wait on a pplx pool thread (only the caller's own thread waits, on a std::future);
// every task chain ends in a task-based continuation that catches, because an unobserved task
// exception raises SIGTRAP; the deadline is ours, because cpprest's timeout restarts at every step.
#include "xdrsync/http/cpprest_transport.h"

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>

#include <csignal>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>

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

struct TooLarge : std::runtime_error {
  explicit TooLarge(size_t cap)
      : std::runtime_error("response body larger than " + std::to_string(cap >> 20) + " MiB, abandoned") {}
};

// A body read in chunks into a string, stopping at `cap` bytes: extract_vector would buffer
// whatever a broken or hostile server sends.
struct BodyRead {
  BodyRead(concurrency::streams::istream in, size_t limit) : body(std::move(in)), cap(limit) {}
  concurrency::streams::istream body;
  concurrency::streams::container_buffer<std::string> buffer;
  size_t cap;
  size_t total = 0;  // bytes read; the container may be longer (the buffer allocates ahead)
};

pplx::task<void> ReadBody(const std::shared_ptr<BodyRead>& state) {
  return state->body.read(state->buffer, 64 * 1024).then([state](size_t n) -> pplx::task<void> {
    if (n == 0) return pplx::task_from_result();
    state->total += n;
    if (state->total > state->cap) throw TooLarge(state->cap);
    return ReadBody(state);
  });
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
      // A request that must not be repeated (a POST, or a PATCH guarded only by a read) gets a
      // connection of its own: cpprest resends any
      // request whose reused keep-alive connection fails before the status line, and that
      // resend would double a comment or a twin (deps notes §1). A fresh connection is never
      // resent; its client dies with the request.
      Result<std::shared_ptr<http_client>> client =
          request.may_resend() ? ClientFor(*url) : Result<std::shared_ptr<http_client>>(NewClient(*url));
      if (!client.ok()) return client.status();
      return Execute(*client, request, *url);
    } catch (const std::exception& e) {
      // uri_exception and friends from building the message: the request itself is malformed.
      return InvalidArgument(request.method + " " + url->host + ": " + e.what());
    }
  }

 private:
  Result<std::shared_ptr<http_client>> ClientFor(const UrlParts& url) {
    std::lock_guard lock(mu_);
    if (auto it = clients_.find(url.origin); it != clients_.end()) return it->second;
    auto client = NewClient(url);
    clients_.emplace(url.origin, client);
    return client;
  }

  std::shared_ptr<http_client> NewClient(const UrlParts& url) const {
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
    return std::make_shared<http_client>(web::uri(url.origin), config);
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
    if (!request.may_resend()) message.headers().add("Connection", "close");
    const bool has_body_method = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
    if (!request.body.empty() || has_body_method) {
      std::string content_type = HeaderValue(request.headers, "content-type");
      if (content_type.empty()) content_type = "application/json";
      message.set_body(std::string(request.body), content_type);
    }
    return message;
  }

  Result<Response> Execute(const std::shared_ptr<http_client>& client, const Request& request,
                           const UrlParts& url) const {
    cpphttp::http_request message = BuildMessage(request, url);
    auto promise = std::make_shared<std::promise<Result<Response>>>();
    std::future<Result<Response>> future = promise->get_future();
    pplx::cancellation_token_source cancel;
    const auto started = std::chrono::steady_clock::now();
    const std::string method = request.method;
    const std::string host = url.host;

    const size_t cap = options_.max_response_bytes;
    client->request(message, cancel.get_token())
        .then([cap](cpphttp::http_response response) {
          Response out;
          out.status = response.status_code();
          for (const auto& [name, value] : response.headers()) out.headers.emplace_back(AsciiLower(name), value);
          if (response.headers().content_length() > cap) throw TooLarge(cap);
          // Continuations only: the body is read chunk by chunk, never waited on here.
          auto state = std::make_shared<BodyRead>(response.body(), cap);
          return ReadBody(state).then([state, out]() mutable {
            out.body = std::move(state->buffer.collection());
            out.body.resize(state->total);
            return out;
          });
        })
        // The chain holds the client, so a one-off client outlives an abandoned (deadline) wait.
        .then([promise, started, method, host, client, cancel](pplx::task<Response> task) {
          (void)client;
          try {
            Response out = task.get();
            out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                started);
            promise->set_value(std::move(out));
          } catch (const pplx::task_canceled&) {
            promise->set_value(Unavailable(method, host, "request cancelled"));
          } catch (const TooLarge& e) {
            // The library keeps filling the body buffer from the socket: close it.
            cancel.cancel();
            promise->set_value(Unavailable(method, host, e.what()));
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
