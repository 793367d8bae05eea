// Reading credentials from files and environment variables. Every error names where the value
// was looked for (a variable, a path) and never the value.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xdrsync/auth/environment.h"
#include "xdrsync/auth/token_provider.h"
#include "xdrsync/core/status.h"

namespace xdrsync::auth {

// The whole file (at most 1 MiB, systemd's credential limit), or kFailedPrecondition naming the
// configuration `key` that holds the path ("auth.client_secret_file") and never the path itself,
// which may be a secret pasted in the wrong place. Fails on an empty file, since an empty
// credential is never meant, and on anything but a regular file (a FIFO does not block: the open
// is non-blocking).
Result<std::string> ReadCredentialFile(const std::string& path, std::string_view key);

// Warnings about a credential file that is still read: a symbolic link (followed, since Kubernetes
// mounts secrets and projected tokens as links) and a mode that lets group or others in. Each
// names the key, never the path. Nothing when the file cannot be examined (reading will say why).
// The group counts only when it is not root's: systemd hands a service its credentials
// (LoadCredential=) as root:root 0440 files with an ACL for the service's user.
std::vector<std::string> CredentialFileWarnings(const std::string& path, std::string_view key);

// Drops trailing CR/LF, as an editor or `echo` leaves one; inner characters are kept.
std::string_view TrimTrailingNewlines(std::string_view s);

// Where a client secret comes from. Resolves the source on every Read(), so a rotated secret
// (a new file, a new credential, a new variable value after a restart) is picked up at the next
// token fetch.
class ClientSecretSource {
 public:
  // Checks that exactly one of client_secret_env / client_secret_file / client_secret_credential
  // is configured.
  static Result<ClientSecretSource> FromConfig(const AuthConfig& config, const Environment& env);
  Result<std::string> Read() const;
  // The configuration key the secret comes from ("auth.client_secret_file"), for error messages;
  // never the value of that key.
  std::string Describe() const;

 private:
  enum class Where { kEnv, kFile, kCredential };
  ClientSecretSource(Where where, std::string name, const Environment& env)
      : where_(where), name_(std::move(name)), env_(&env) {}
  Where where_;
  std::string name_;
  const Environment* env_;
};

}  // namespace xdrsync::auth
