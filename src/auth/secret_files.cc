#include "auth/secret_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xdrsync::auth {
namespace {

constexpr off_t kMaxCredentialBytes = 1 << 20;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status ReadError(std::string_view what, const std::string& path, int err) {
  return FailedPrecondition("cannot read " + std::string(what) + " " + path + ": " + std::strerror(err));
}

}  // namespace

std::string_view TrimTrailingNewlines(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Result<std::string> ReadCredentialFile(const std::string& path, std::string_view what) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ReadError(what, path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ReadError(what, path, errno);
  // A directory or a FIFO is a misconfiguration; a FIFO would also block the fetch forever.
  if (!S_ISREG(st.st_mode)) return FailedPrecondition(std::string(what) + " " + path + " is not a regular file");
  if (st.st_size > kMaxCredentialBytes) {
    return FailedPrecondition(std::string(what) + " " + path + " is larger than 1 MiB");
  }
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ReadError(what, path, errno);
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > static_cast<size_t>(kMaxCredentialBytes)) {
      return FailedPrecondition(std::string(what) + " " + path + " is larger than 1 MiB");
    }
  }
  if (TrimTrailingNewlines(content).empty()) {
    return FailedPrecondition(std::string(what) + " " + path + " is empty");
  }
  return content;
}

Result<ClientSecretSource> ClientSecretSource::FromConfig(const AuthConfig& config, const Environment& env) {
  const int sources = (config.client_secret_env.empty() ? 0 : 1) + (config.client_secret_file.empty() ? 0 : 1) +
                      (config.client_secret_credential.empty() ? 0 : 1);
  if (sources != 1) {
    return InvalidArgument(
        "auth: a client_secret credential needs exactly one of client_secret_env, client_secret_file, "
        "client_secret_credential (" +
        std::to_string(sources) + " given)");
  }
  if (!config.client_secret_env.empty()) return ClientSecretSource(Where::kEnv, config.client_secret_env, env);
  if (!config.client_secret_file.empty()) return ClientSecretSource(Where::kFile, config.client_secret_file, env);
  if (config.client_secret_credential.find('/') != std::string::npos) {
    return InvalidArgument("auth.client_secret_credential must be a credential name, not a path");
  }
  return ClientSecretSource(Where::kCredential, config.client_secret_credential, env);
}

std::string ClientSecretSource::Describe() const {
  switch (where_) {
    case Where::kEnv:
      return "environment variable " + name_;
    case Where::kFile:
      return "file " + name_;
    case Where::kCredential:
      return "systemd credential " + name_;
  }
  return name_;
}

Result<std::string> ClientSecretSource::Read() const {
  switch (where_) {
    case Where::kEnv: {
      const auto value = env_->Get(name_);
      if (!value) return FailedPrecondition("client secret: environment variable " + name_ + " is not set");
      if (TrimTrailingNewlines(*value).empty()) {
        return FailedPrecondition("client secret: environment variable " + name_ + " is empty");
      }
      return std::string(TrimTrailingNewlines(*value));
    }
    case Where::kFile: {
      auto content = ReadCredentialFile(name_, "client secret file");
      if (!content.ok()) return content.status();
      return std::string(TrimTrailingNewlines(*content));
    }
    case Where::kCredential: {
      const auto dir = env_->Get("CREDENTIALS_DIRECTORY");
      if (!dir || dir->empty()) {
        return FailedPrecondition("client secret: systemd credential " + name_ +
                                  " requested but $CREDENTIALS_DIRECTORY is not set (LoadCredential= missing?)");
      }
      auto content = ReadCredentialFile(*dir + "/" + name_, "systemd credential");
      if (!content.ok()) return content.status();
      return std::string(TrimTrailingNewlines(*content));
    }
  }
  return Internal("client secret: unknown source");
}

}  // namespace xdrsync::auth
