// Fakes and helpers shared by the token provider tests: a scripted transport that records every
// request, an in-memory environment, a temporary directory, and token-response builders.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xdrsync/auth/environment.h"
#include "xdrsync/http/transport.h"

namespace xdrsync::auth::testing {

inline constexpr char kTenant[] = "72f988bf-86f1-41af-91ab-2d7cd011db47";
inline constexpr char kClientId[] = "0c7f5d4e-1b2a-4c3d-9e8f-a1b2c3d4e5f6";
inline constexpr char kGraphScope[] = "https://graph.microsoft.com/.default";
inline constexpr char kArmScope[] = "https://management.azure.com/.default";

// Answers with queued responses in order, then with the handler; records every request.
class ScriptedTransport final : public http::Transport {
 public:
  using Handler = std::function<Result<http::Response>(const http::Request&)>;
  void Push(Result<http::Response> response);
  void SetHandler(Handler handler);
  Result<http::Response> Send(const http::Request& request) override;
  std::vector<http::Request> requests() const;
  http::Request last() const;
  size_t calls() const;

 private:
  mutable std::mutex mu_;
  std::deque<Result<http::Response>> queue_;
  Handler handler_;
  std::vector<http::Request> requests_;
};

class MapEnvironment final : public Environment {
 public:
  void Set(const std::string& name, const std::string& value);
  void Unset(const std::string& name);
  std::optional<std::string> Get(std::string_view name) const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> vars_;
};

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes (or overwrites) a file in the directory; returns its path.
  std::string Write(const std::string& name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

http::Response JsonResponse(int status, std::string body);
// {"token_type":"Bearer","expires_in":<expires_in>,"access_token":<token>}
http::Response TokenResponse(const std::string& access_token, int64_t expires_in = 3599);
// An unsigned JWT-shaped access token whose payload is `payload_json`.
std::string FakeJwt(const std::string& payload_json);

// Decodes an application/x-www-form-urlencoded body or URL query (duplicate names: last wins).
std::map<std::string, std::string> ParseForm(std::string_view form);
// The query part of a URL, decoded.
std::map<std::string, std::string> QueryOf(std::string_view url);
// The URL without its query.
std::string PathOf(std::string_view url);
// The first header of that name (case-insensitive), "" if absent.
std::string HeaderOf(const http::Request& request, std::string_view name);

}  // namespace xdrsync::auth::testing
