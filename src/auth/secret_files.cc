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

// Messages name the configuration key, never its value: a secret pasted where its location
// belongs must not come back in an error.
Status ReadError(std::string_view key, int err) {
  return FailedPrecondition("cannot read the file named by " + std::string(key) + ": " + std::strerror(err));
}

}  // namespace

std::string_view TrimTrailingNewlines(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Result<std::string> ReadCredentialFile(const std::string& path, std::string_view key) {
  const std::string k(key);
  // O_NONBLOCK: a FIFO must not block the open (it is refused below, once fstat tells what it is).
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return ReadError(key, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ReadError(key, errno);
  // A directory, a FIFO or a device is a misconfiguration; a FIFO would also block the read.
  if (!S_ISREG(st.st_mode)) return FailedPrecondition("the file named by " + k + " is not a regular file");
  if (st.st_size > kMaxCredentialBytes) return FailedPrecondition("the file named by " + k + " is larger than 1 MiB");
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ReadError(key, errno);
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > static_cast<size_t>(kMaxCredentialBytes)) {
      return FailedPrecondition("the file named by " + k + " is larger than 1 MiB");
    }
  }
  if (TrimTrailingNewlines(content).empty()) return FailedPrecondition("the file named by " + k + " is empty");
  return content;
}

std::vector<std::string> CredentialFileWarnings(const std::string& path, std::string_view key) {
  std::vector<std::string> out;
  if (path.empty()) return out;
  const std::string k(key);
  struct stat link {};
  if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
    out.push_back("the file named by " + k +
                  " is a symbolic link; it is followed (Kubernetes mounts secrets that way), so make sure "
                  "nobody else can change where it points");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      (st.st_mode & (st.st_gid == 0 ? S_IRWXO : (S_IRWXG | S_IRWXO))) != 0) {
    out.push_back("the file named by " + k + " can be read or written by other users (mode " +
                  std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                  std::to_string(st.st_mode & 7) + "); chmod 600 it");
  }
  return out;
}

std::vector<std::string> CredentialFileWarnings(const AuthConfig& config, const Environment& env) {
  std::vector<std::string> out;
  const std::string credentials = env.Get("CREDENTIALS_DIRECTORY").value_or("");
  auto add = [&](const std::string& path, std::string_view key) {
    for (auto& w : CredentialFileWarnings(path, key)) out.push_back(std::move(w));
  };
  switch (config.kind) {
    case AuthConfig::Kind::kClientSecret:
      add(config.client_secret_file, "auth.client_secret_file");
      if (!config.client_secret_credential.empty() && !credentials.empty()) {
        add(credentials + "/" + config.client_secret_credential, "auth.client_secret_credential");
      }
      break;
    case AuthConfig::Kind::kCertificate:
      add(config.private_key_file.empty() ? config.certificate_file : config.private_key_file,
          config.private_key_file.empty() ? "auth.certificate_file" : "auth.private_key_file");
      break;
    case AuthConfig::Kind::kWorkloadIdentity:
      add(config.federated_token_file.empty() ? env.Get("AZURE_FEDERATED_TOKEN_FILE").value_or("")
                                              : config.federated_token_file,
          config.federated_token_file.empty() ? "$AZURE_FEDERATED_TOKEN_FILE" : "auth.federated_token_file");
      break;
    case AuthConfig::Kind::kManagedIdentity:
      break;
  }
  return out;
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
      return "auth.client_secret_env";
    case Where::kFile:
      return "auth.client_secret_file";
    case Where::kCredential:
      return "auth.client_secret_credential";
  }
  return "auth";
}

Result<std::string> ClientSecretSource::Read() const {
  switch (where_) {
    case Where::kEnv: {
      const auto value = env_->Get(name_);
      if (!value) return FailedPrecondition("client secret: the environment variable named by auth.client_secret_env is not set");
      if (TrimTrailingNewlines(*value).empty()) {
        return FailedPrecondition("client secret: the environment variable named by auth.client_secret_env is empty");
      }
      return std::string(TrimTrailingNewlines(*value));
    }
    case Where::kFile: {
      auto content = ReadCredentialFile(name_, "auth.client_secret_file");
      if (!content.ok()) return content.status().Annotate("client secret");
      return std::string(TrimTrailingNewlines(*content));
    }
    case Where::kCredential: {
      const auto dir = env_->Get("CREDENTIALS_DIRECTORY");
      if (!dir || dir->empty()) {
        return FailedPrecondition(
            "client secret: auth.client_secret_credential is set but $CREDENTIALS_DIRECTORY is not "
            "(LoadCredential= missing?)");
      }
      auto content = ReadCredentialFile(*dir + "/" + name_, "auth.client_secret_credential");
      if (!content.ok()) return content.status().Annotate("client secret");
      return std::string(TrimTrailingNewlines(*content));
    }
  }
  return Internal("client secret: unknown source");
}

}  // namespace xdrsync::auth
