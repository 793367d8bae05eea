// The two kinds of sides: Defender tenants (Graph) and Sentinel workspaces (ARM), with their
// cloud endpoints and credentials.
#include <cctype>

#include "config_parts.h"
#include "xdrsync/core/strings.h"

namespace xdrsync::app {

Endpoints CloudEndpoints(Cloud cloud) {
  auto make = [](std::string login, std::string graph, std::string arm) {
    return Endpoints{login, graph, arm, graph + "/.default", arm + "/.default"};
  };
  switch (cloud) {
    case Cloud::kPublic:
      return make("https://login.microsoftonline.com", "https://graph.microsoft.com", "https://management.azure.com");
    case Cloud::kUsGov:
      return make("https://login.microsoftonline.us", "https://graph.microsoft.us",
                  "https://management.usgovcloudapi.net");
    case Cloud::kUsGovDod:
      return make("https://login.microsoftonline.us", "https://dod-graph.microsoft.us",
                  "https://management.usgovcloudapi.net");
    case Cloud::kChina:
      return make("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn",
                  "https://management.chinacloudapi.cn");
  }
  return CloudEndpoints(Cloud::kPublic);
}

std::string_view CloudName(Cloud cloud) {
  switch (cloud) {
    case Cloud::kPublic: return "public";
    case Cloud::kUsGov: return "usgov";
    case Cloud::kUsGovDod: return "usgov-dod";
    case Cloud::kChina: return "china";
  }
  return "public";
}

std::string_view PortalName(Portal portal) {
  switch (portal) {
    case Portal::kAuto: return "auto";
    case Portal::kAzure: return "azure";
    case Portal::kDefender: return "defender";
  }
  return "auto";
}

namespace detail {
namespace {

using Kind = auth::AuthConfig::Kind;

const EnumTable<Cloud> kClouds = {
    {"public", Cloud::kPublic}, {"usgov", Cloud::kUsGov}, {"usgov-dod", Cloud::kUsGovDod}, {"china", Cloud::kChina}};
const EnumTable<Portal> kPortals = {{"auto", Portal::kAuto}, {"azure", Portal::kAzure}, {"defender", Portal::kDefender}};
const EnumTable<Kind> kKinds = {{"client_secret", Kind::kClientSecret},
                                {"certificate", Kind::kCertificate},
                                {"managed_identity", Kind::kManagedIdentity},
                                {"workload_identity", Kind::kWorkloadIdentity}};

void Url(ObjectReader& r, std::string_view key, std::string& out) {
  std::string url;
  r.String(key, url);
  if (url.empty()) return;
  if (auto problem = UrlProblem(url); !problem.empty()) {
    r.problems().Add(r.Path(key), problem);
    return;
  }
  while (EndsWith(url, "/")) url.pop_back();
  out = url;
}

void Scope(ObjectReader& r, std::string_view key, std::string& out) {
  std::string scope;
  r.String(key, scope);
  if (scope.empty()) return;
  // Client-credential flows only accept the resource's `.default` scope.
  if (!EndsWith(scope, "/.default") || scope.find_first_of(" \t") != std::string::npos) {
    r.problems().Add(r.Path(key), "expected a scope of the form https://<resource>/.default");
    return;
  }
  out = scope;
}

void Guid(ObjectReader& r, std::string_view key, std::string& out, bool required) {
  if (required) r.Require(key);
  r.String(key, out);
  if (out.empty() && !required) return;
  if (!IsGuid(out)) {
    r.problems().Add(r.Path(key), "expected a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47");
    return;
  }
  out = AsciiLower(out);
}

void Name(ObjectReader& r, std::string& out) {
  r.Require("name");
  r.NonEmptyString("name", out);
  if (!out.empty() && !IsValidName(out)) {
    r.problems().Add(r.Path("name"), "use 1-64 letters, digits, '.', '_' or '-'");
  }
}

void CloudAndEndpoints(ObjectReader& r, bool workspace, Cloud& cloud, Endpoints& e) {
  r.Enum("cloud", kClouds, "cloud", cloud);
  e = CloudEndpoints(cloud);
  // Overriding an endpoint (a proxy, the emulator) keeps the cloud's real token scope.
  Url(r, "login_url", e.login_url);
  Url(r, "graph_url", e.graph_url);
  Scope(r, "graph_scope", e.graph_scope);
  if (workspace) {
    Url(r, "arm_url", e.arm_url);
    Scope(r, "arm_scope", e.arm_scope);
  }
}

bool IsEnvName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// A key that names a credential file must hold an absolute path. The value is never echoed: a
// secret pasted where its location belongs would otherwise come back in the error.
void CredentialPath(ObjectReader& r, std::string_view key, const std::string& value) {
  if (value.empty()) return;
  bool control = false;
  for (char c : value) control |= static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  if (value[0] != '/' || control) {
    r.problems().Add(r.Path(key), "expected the absolute path of the file that holds the credential (the value is "
                                  "not shown, in case it is the secret itself)");
  }
}

// Keys each kind uses beyond `kind` and `client_id`; any other kind's key is refused.
struct KindKeys {
  Kind kind;
  std::vector<std::string_view> keys;
};
const std::vector<KindKeys> kKindKeys = {
    {Kind::kClientSecret, {"client_secret_env", "client_secret_file", "client_secret_credential"}},
    {Kind::kCertificate, {"certificate_file", "private_key_file"}},
    {Kind::kManagedIdentity, {"managed_identity_client_id", "imds_url"}},
    {Kind::kWorkloadIdentity, {"federated_token_file"}}};

void ReadAuth(ObjectReader& parent, const std::string& tenant_id, const Endpoints& e, auth::AuthConfig& a) {
  parent.Require("auth");
  ObjectReader r(parent.Take("auth"), parent.Path("auth"), parent.problems());
  if (!r.present()) return;
  a.tenant_id = tenant_id;
  a.login_url = e.login_url;
  r.Require("kind");
  r.Enum("kind", kKinds, "auth kind", a.kind);
  if (r.Has("client_secret")) {
    // The value is never echoed: it may be a live secret. Nor is the key ever suggested for a typo.
    r.problems().Add(r.Path("client_secret"),
                     "a secret may not be written in the configuration file; use client_secret_env, "
                     "client_secret_file or client_secret_credential");
    return;
  }
  // A managed identity names itself; workload identity falls back to $AZURE_CLIENT_ID, which
  // AKS injects beside the federated token.
  const bool needs_client_id = a.kind == Kind::kClientSecret || a.kind == Kind::kCertificate;
  if (needs_client_id) r.Require("client_id");
  Guid(r, "client_id", a.client_id, false);
  std::string_view kind_name;
  for (const auto& [name, kind] : kKinds) {
    if (kind == a.kind) kind_name = name;
  }
  for (const auto& [kind, keys] : kKindKeys) {
    for (auto key : keys) {
      if (kind != a.kind && r.Take(key) != nullptr) {
        r.problems().Add(r.Path(key), "not used by auth kind " + Quoted(kind_name));
      }
    }
  }
  switch (a.kind) {
    case Kind::kClientSecret: {
      r.NonEmptyString("client_secret_env", a.client_secret_env);
      r.NonEmptyString("client_secret_file", a.client_secret_file);
      r.NonEmptyString("client_secret_credential", a.client_secret_credential);
      const int sources = int{!a.client_secret_env.empty()} + int{!a.client_secret_file.empty()} +
                          int{!a.client_secret_credential.empty()};
      if (sources != 1) {
        r.problems().Add(r.path(), "client_secret needs exactly one of client_secret_env, client_secret_file or "
                                   "client_secret_credential (found " + std::to_string(sources) + ")");
      } else if (!a.client_secret_env.empty() && !IsEnvName(a.client_secret_env)) {
        r.problems().Add(r.Path("client_secret_env"),
                         "expected an environment variable name (the value is not shown, in case it is the secret "
                         "itself)");
      } else if (a.client_secret_credential.find('/') != std::string::npos) {
        r.problems().Add(r.Path("client_secret_credential"),
                         "expected a credential id (a LoadCredential= name), not a path");
      }
      CredentialPath(r, "client_secret_file", a.client_secret_file);
      break;
    }
    case Kind::kCertificate:
      r.Require("certificate_file");
      r.NonEmptyString("certificate_file", a.certificate_file);
      r.NonEmptyString("private_key_file", a.private_key_file);
      CredentialPath(r, "certificate_file", a.certificate_file);
      CredentialPath(r, "private_key_file", a.private_key_file);
      break;
    case Kind::kManagedIdentity: {
      Guid(r, "managed_identity_client_id", a.managed_identity_client_id, false);
      std::string imds;
      r.String("imds_url", imds);
      // IMDS is link-local plain HTTP by design; anything else follows the usual URL rule.
      if (!imds.empty() && !StartsWith(imds, "http://169.254.169.254/") && !UrlProblem(imds).empty()) {
        r.problems().Add(r.Path("imds_url"), UrlProblem(imds));
      } else if (!imds.empty()) {
        a.imds_url = imds;
      }
      break;
    }
    case Kind::kWorkloadIdentity:
      r.NonEmptyString("federated_token_file", a.federated_token_file);
      CredentialPath(r, "federated_token_file", a.federated_token_file);
      break;
  }
  r.Finish();
}

}  // namespace

void ReadTenant(ObjectReader& r, DefenderTenant& t) {
  if (!r.present()) return;
  Name(r, t.name);
  Guid(r, "tenant_id", t.tenant_id, true);
  CloudAndEndpoints(r, false, t.cloud, t.endpoints);
  int64_t reads = t.reads_per_minute;
  int64_t writes = t.writes_per_minute;
  r.Int("reads_per_minute", reads, 1, 1'000'000);
  r.Int("writes_per_minute", writes, 1, 1'000'000);
  t.reads_per_minute = static_cast<int>(std::min<int64_t>(reads, 100000));
  t.writes_per_minute = static_cast<int>(std::min<int64_t>(writes, 100000));
  ReadAuth(r, t.tenant_id, t.endpoints, t.auth);
  r.Finish();
}

void ReadWorkspace(ObjectReader& r, SentinelWorkspace& w) {
  if (!r.present()) return;
  Name(r, w.name);
  Guid(r, "subscription_id", w.subscription_id, true);
  r.Require("resource_group");
  r.NonEmptyString("resource_group", w.resource_group);
  r.Require("workspace");
  r.NonEmptyString("workspace", w.workspace);
  for (const std::string* part : {&w.resource_group, &w.workspace}) {
    // Both become ARM path segments.
    if (part->find_first_of("/?#% ") != std::string::npos) {
      r.problems().Add(r.Path(part == &w.workspace ? "workspace" : "resource_group"),
                       "must not contain '/', '?', '#', '%' or spaces");
    }
  }
  Guid(r, "tenant_id", w.tenant_id, true);
  CloudAndEndpoints(r, true, w.cloud, w.endpoints);
  r.Enum("portal", kPortals, "portal", w.portal);
  r.NonEmptyString("api_version", w.api_version);
  const std::string& v = w.api_version;
  const bool dated = v.size() >= 10 && std::isdigit(static_cast<unsigned char>(v[0])) && v[4] == '-' && v[7] == '-';
  if (!dated || (v.size() > 10 && v.substr(10) != "-preview")) {
    r.problems().Add(r.Path("api_version"), "expected an ARM api-version like 2025-09-01");
  }
  r.Double("reads_per_second", w.reads_per_second, 0.01, 100'000);
  r.Double("writes_per_second", w.writes_per_second, 0.01, 100'000);
  ReadAuth(r, w.tenant_id, w.endpoints, w.auth);
  r.Finish();
}

}  // namespace detail
}  // namespace xdrsync::app
