#include "auth_test_support.h"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "auth/encoding.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::auth::testing {

void ScriptedTransport::Push(Result<http::Response> response) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(response));
}

void ScriptedTransport::SetHandler(Handler handler) {
  std::lock_guard lock(mu_);
  handler_ = std::move(handler);
}

Result<http::Response> ScriptedTransport::Send(const http::Request& request) {
  Handler handler;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (!queue_.empty()) {
      Result<http::Response> next = std::move(queue_.front());
      queue_.pop_front();
      return next;
    }
    handler = handler_;
  }
  // The handler runs unlocked so it may block (single-flight tests) while others record.
  if (handler) return handler(request);
  return Internal("ScriptedTransport: no response scripted for " + request.url);
}

std::vector<http::Request> ScriptedTransport::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

http::Request ScriptedTransport::last() const {
  std::lock_guard lock(mu_);
  return requests_.empty() ? http::Request{} : requests_.back();
}

size_t ScriptedTransport::calls() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

void MapEnvironment::Set(const std::string& name, const std::string& value) {
  std::lock_guard lock(mu_);
  vars_[name] = value;
}

void MapEnvironment::Unset(const std::string& name) {
  std::lock_guard lock(mu_);
  vars_.erase(name);
}

std::optional<std::string> MapEnvironment::Get(std::string_view name) const {
  std::lock_guard lock(mu_);
  const auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "xdrsync-auth-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, std::string_view content) const {
  const std::filesystem::path p = path_ / name;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  return p.string();
}

http::Response JsonResponse(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.headers = {{"content-type", "application/json; charset=utf-8"}};
  r.body = std::move(body);
  return r;
}

http::Response TokenResponse(const std::string& access_token, int64_t expires_in) {
  return JsonResponse(200, R"({"token_type":"Bearer","expires_in":)" + std::to_string(expires_in) +
                               R"(,"ext_expires_in":)" + std::to_string(expires_in) + R"(,"access_token":")" +
                               access_token + R"("})");
}

std::string FakeJwt(const std::string& payload_json) {
  return Base64UrlEncode(R"({"typ":"JWT","alg":"RS256"})") + "." + Base64UrlEncode(payload_json) + ".c2lnbmF0dXJl";
}

namespace {
int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}
}  // namespace

std::map<std::string, std::string> ParseForm(std::string_view form) {
  std::map<std::string, std::string> out;
  for (const std::string& pair : Split(form, '&')) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string::npos) {
      out[PercentDecode(pair)] = "";
    } else {
      out[PercentDecode(std::string_view(pair).substr(0, eq))] = PercentDecode(std::string_view(pair).substr(eq + 1));
    }
  }
  return out;
}

std::map<std::string, std::string> QueryOf(std::string_view url) {
  const size_t q = url.find('?');
  return q == std::string_view::npos ? std::map<std::string, std::string>{} : ParseForm(url.substr(q + 1));
}

std::string PathOf(std::string_view url) { return std::string(url.substr(0, url.find('?'))); }

std::string HeaderOf(const http::Request& request, std::string_view name) {
  for (const auto& [k, v] : request.headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

}  // namespace xdrsync::auth::testing
