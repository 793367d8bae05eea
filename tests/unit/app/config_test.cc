#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>

#include "config_fixture.h"
#include "xdrsync/app/config.h"

namespace xdrsync::app {
namespace {

using nlohmann::json;
using testing::ErrorOf;
using testing::MinimalConfig;
using testing::Parse;

TEST(ConfigTest, MinimalDocumentGetsTheDocumentedDefaults) {
  auto r = Parse(MinimalConfig());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Config& c = *r;
  EXPECT_EQ(c.source_path, "xdrsync.json");
  EXPECT_EQ(c.state_path, "/var/lib/xdrsync/state.db");
  EXPECT_EQ(c.poll_interval_seconds, 15);
  EXPECT_EQ(c.min_poll_seconds, 5);
  EXPECT_EQ(c.full_sweep_interval_seconds, 6 * 3600);
  EXPECT_EQ(c.sweep_overlap_seconds, 24 * 3600);
  EXPECT_EQ(c.initial_lookback_hours, 168);
  EXPECT_EQ(c.overlap_seconds, 120);
  EXPECT_EQ(c.max_attempts, 8);
  EXPECT_EQ(c.log.format, "json");
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.listen, "127.0.0.1:9464");
  ASSERT_EQ(c.defender_tenants.size(), 1u);
  const DefenderTenant& t = c.defender_tenants[0];
  EXPECT_EQ(t.cloud, Cloud::kPublic);
  EXPECT_EQ(t.endpoints.graph_url, "https://graph.microsoft.com");
  EXPECT_EQ(t.endpoints.graph_scope, "https://graph.microsoft.com/.default");
  EXPECT_EQ(t.auth.kind, auth::AuthConfig::Kind::kClientSecret);
  EXPECT_EQ(t.auth.tenant_id, t.tenant_id);
  EXPECT_EQ(t.auth.login_url, "https://login.microsoftonline.com");
  EXPECT_EQ(t.auth.client_secret_env, "CONTOSO_SECRET");
  const SentinelWorkspace& w = c.sentinel_workspaces[0];
  EXPECT_EQ(w.portal, Portal::kAuto);
  EXPECT_EQ(w.api_version, "2025-09-01");
  EXPECT_EQ(w.endpoints.arm_scope, "https://management.azure.com/.default");
  EXPECT_EQ(w.auth.kind, auth::AuthConfig::Kind::kManagedIdentity);
  EXPECT_EQ(c.links[0].policy.defender_tenant_id, "72f988bf-86f1-41af-91ab-2d7cd011db47");
  EXPECT_EQ(c.FindTenant("contoso"), &t);
  EXPECT_EQ(c.FindWorkspace("soc"), &w);
  EXPECT_EQ(c.FindTenant("nobody"), nullptr);
}

TEST(ConfigTest, CloudsPresetEndpointsAndScopes) {
  struct Case {
    Cloud cloud;
    std::string login, graph, arm;
  };
  for (const Case& k : std::vector<Case>{
           {Cloud::kPublic, "https://login.microsoftonline.com", "https://graph.microsoft.com",
            "https://management.azure.com"},
           {Cloud::kUsGov, "https://login.microsoftonline.us", "https://graph.microsoft.us",
            "https://management.usgovcloudapi.net"},
           {Cloud::kUsGovDod, "https://login.microsoftonline.us", "https://dod-graph.microsoft.us",
            "https://management.usgovcloudapi.net"},
           {Cloud::kChina, "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn",
            "https://management.chinacloudapi.cn"}}) {
    SCOPED_TRACE(std::string(CloudName(k.cloud)));
    Endpoints e = CloudEndpoints(k.cloud);
    EXPECT_EQ(e.login_url, k.login);
    EXPECT_EQ(e.graph_url, k.graph);
    EXPECT_EQ(e.arm_url, k.arm);
    EXPECT_EQ(e.graph_scope, k.graph + "/.default");
    EXPECT_EQ(e.arm_scope, k.arm + "/.default");
  }
}

TEST(ConfigTest, UrlOverridesKeepTheCloudsRealScopes) {
  json j = MinimalConfig();
  j["defender_tenants"][0]["cloud"] = "usgov";
  j["defender_tenants"][0]["graph_url"] = "http://127.0.0.1:8443/";
  j["defender_tenants"][0]["login_url"] = "http://localhost:8443";
  j["sentinel_workspaces"][0]["arm_url"] = "http://[::1]:9000";
  j["sentinel_workspaces"][0]["arm_scope"] = "https://management.core.windows.net/.default";
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Endpoints& t = r->defender_tenants[0].endpoints;
  EXPECT_EQ(t.graph_url, "http://127.0.0.1:8443");
  EXPECT_EQ(t.login_url, "http://localhost:8443");
  EXPECT_EQ(t.graph_scope, "https://graph.microsoft.us/.default");
  EXPECT_EQ(r->defender_tenants[0].auth.login_url, "http://localhost:8443");
  const Endpoints& w = r->sentinel_workspaces[0].endpoints;
  EXPECT_EQ(w.arm_url, "http://[::1]:9000");
  EXPECT_EQ(w.arm_scope, "https://management.core.windows.net/.default");
  EXPECT_EQ(w.graph_scope, "https://graph.microsoft.com/.default");
}

struct BadCase {
  std::string name;
  std::function<void(json&)> edit;
  std::string error;  // the whole line
};

void RunBadCases(const std::vector<BadCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json j = MinimalConfig();
    c.edit(j);
    auto r = Parse(j);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.error);
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  }
}

TEST(ConfigTest, TopLevelProblemsNameTheKey) {
  RunBadCases({
      {"typo", [](json& j) { j["pol_interval_seconds"] = 5; },
       "xdrsync.json: pol_interval_seconds: unknown key (did you mean 'poll_interval_seconds'?)"},
      {"far from anything", [](json& j) { j["zzzzzzzzzzzzzzzzzzzzzzzzz"] = 1; },
       "xdrsync.json: zzzzzzzzzzzzzzzzzzzzzzzzz: unknown key (expected create_recheck_seconds, defender_tenants, "
       "full_sweep_interval_seconds, initial_lookback_hours, leases, links, listen, log, max_attempts, "
       "min_poll_seconds, overlap_seconds, poll_interval_seconds, sentinel_workspaces, shard, state_path or sweep_overlap_seconds)"},
      {"bad shard", [](json& j) { j["shard"] = "3/3"; },
       "xdrsync.json: shard: shard '3/3': the ordinal must be below the count (0 to 2)"},
      {"lease duration", [](json& j) { j["leases"] = {{"duration_seconds", 1}}; },
       "xdrsync.json: leases.duration_seconds: must be from 5 to 300, got 1"},
      {"lease api over plain http", [](json& j) { j["leases"] = {{"api_url", "http://kube.example.com"}}; },
       "xdrsync.json: leases.api_url: http:// is allowed only for loopback hosts; use https://"},
      {"zero interval", [](json& j) { j["poll_interval_seconds"] = 0; },
       "xdrsync.json: poll_interval_seconds: must be from 1 to 86400, got 0"},
      {"zero floor", [](json& j) { j["min_poll_seconds"] = 0; },
       "xdrsync.json: min_poll_seconds: must be from 1 to 86400, got 0"},
      {"floor above the interval", [](json& j) { j["min_poll_seconds"] = 20; },
       "xdrsync.json: min_poll_seconds: must not be above poll_interval_seconds (15), got 20"},
      {"floor above a set interval", [](json& j) {
         j["poll_interval_seconds"] = 3;
         j["min_poll_seconds"] = 4;
       },
       "xdrsync.json: min_poll_seconds: must not be above poll_interval_seconds (3), got 4"},
      {"floor as text", [](json& j) { j["min_poll_seconds"] = "2"; },
       "xdrsync.json: min_poll_seconds: expected an integer, got string"},
      {"negative sweep", [](json& j) { j["full_sweep_interval_seconds"] = -5; },
       "xdrsync.json: full_sweep_interval_seconds: must be from 1 to 2592000, got -5"},
      {"wrong type", [](json& j) { j["poll_interval_seconds"] = "15"; },
       "xdrsync.json: poll_interval_seconds: expected an integer, got string"},
      {"fraction", [](json& j) { j["overlap_seconds"] = 1.5; },
       "xdrsync.json: overlap_seconds: expected an integer, got number"},
      {"log format", [](json& j) { j["log"]["format"] = "xml"; },
       "xdrsync.json: log.format: unknown format 'xml' (expected json or text)"},
      {"log level", [](json& j) { j["log"]["level"] = "verbose"; },
       "xdrsync.json: log.level: unknown level 'verbose' (expected trace, debug, info, warning, error, critical or "
       "off)"},
      {"listen", [](json& j) { j["listen"] = "9464"; },
       "xdrsync.json: listen: expected host:port, like 127.0.0.1:9464"},
      {"listen port", [](json& j) { j["listen"] = "127.0.0.1:70000"; },
       "xdrsync.json: listen: expected a port number 0-65535"},
      {"no links", [](json& j) { j["links"] = json::array(); }, "xdrsync.json: links: at least one link is required"},
      {"links missing", [](json& j) { j.erase("links"); }, "xdrsync.json: links: missing (required)"},
      {"not an object", [](json& j) { j = json::array(); },
       "xdrsync.json: (document): expected an object, got array"},
  });
}

TEST(ConfigTest, SideProblemsNameTheKey) {
  RunBadCases({
      {"tenant guid", [](json& j) { j["defender_tenants"][0]["tenant_id"] = "contoso.onmicrosoft.com"; },
       "xdrsync.json: defender_tenants[0].tenant_id: expected a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47"},
      {"subscription guid", [](json& j) { j["sentinel_workspaces"][0]["subscription_id"] = "sub"; },
       "xdrsync.json: sentinel_workspaces[0].subscription_id: expected a GUID like "
       "72f988bf-86f1-41af-91ab-2d7cd011db47"},
      {"missing tenant id", [](json& j) { j["sentinel_workspaces"][0].erase("tenant_id"); },
       "xdrsync.json: sentinel_workspaces[0].tenant_id: missing (required)"},
      {"cloud", [](json& j) { j["defender_tenants"][0]["cloud"] = "germany"; },
       "xdrsync.json: defender_tenants[0].cloud: unknown cloud 'germany' (expected public, usgov, usgov-dod or "
       "china)"},
      {"plain http", [](json& j) { j["defender_tenants"][0]["graph_url"] = "http://graph.example.com"; },
       "xdrsync.json: defender_tenants[0].graph_url: http:// is allowed only for loopback hosts; use https://"},
      {"loopback lookalike", [](json& j) { j["defender_tenants"][0]["graph_url"] = "http://127.evil.example"; },
       "xdrsync.json: defender_tenants[0].graph_url: http:// is allowed only for loopback hosts; use https://"},
      {"localhost lookalike", [](json& j) { j["defender_tenants"][0]["login_url"] = "http://localhost.evil.example"; },
       "xdrsync.json: defender_tenants[0].login_url: http:// is allowed only for loopback hosts; use https://"},
      {"url with credentials", [](json& j) { j["sentinel_workspaces"][0]["arm_url"] = "https://u:p@arm.example"; },
       "xdrsync.json: sentinel_workspaces[0].arm_url: credentials in a URL are not allowed"},
      {"arm_url on a tenant", [](json& j) { j["defender_tenants"][0]["arm_url"] = "https://x.example"; },
       "xdrsync.json: defender_tenants[0].arm_url: unknown key (expected auth, cloud, graph_scope, graph_url, "
       "login_url, name, reads_per_minute, tenant_id or writes_per_minute)"},
      {"scope", [](json& j) { j["sentinel_workspaces"][0]["arm_scope"] = "https://management.azure.com"; },
       "xdrsync.json: sentinel_workspaces[0].arm_scope: expected a scope of the form https://<resource>/.default"},
      {"portal", [](json& j) { j["sentinel_workspaces"][0]["portal"] = "unified"; },
       "xdrsync.json: sentinel_workspaces[0].portal: unknown portal 'unified' (expected auto, azure or defender)"},
      {"api version", [](json& j) { j["sentinel_workspaces"][0]["api_version"] = "latest"; },
       "xdrsync.json: sentinel_workspaces[0].api_version: expected an ARM api-version like 2025-09-01"},
      {"rate", [](json& j) { j["sentinel_workspaces"][0]["writes_per_second"] = 0; },
       "xdrsync.json: sentinel_workspaces[0].writes_per_second: must be from 0.01 to 100000, got 0"},
      {"tiny rate", [](json& j) { j["sentinel_workspaces"][0]["reads_per_second"] = 1e-300; },
       "xdrsync.json: sentinel_workspaces[0].reads_per_second: must be from 0.01 to 100000, got 1e-300"},
      {"huge overlap", [](json& j) { j["overlap_seconds"] = 9000000000000000000ULL; },
       "xdrsync.json: overlap_seconds: must be from 0 to 86400, got 9000000000000000000"},
      {"huge unsigned", [](json& j) { j["poll_interval_seconds"] = 18446744073709551615ULL; },
       "xdrsync.json: poll_interval_seconds: must be from 1 to 86400, got 18446744073709551615"},
      {"huge per minute", [](json& j) { j["defender_tenants"][0]["reads_per_minute"] = 1000000000; },
       "xdrsync.json: defender_tenants[0].reads_per_minute: must be from 1 to 1000000, got 1000000000"},
      {"name", [](json& j) { j["defender_tenants"][0]["name"] = "con toso"; },
       "xdrsync.json: defender_tenants[0].name: use 1-64 letters, digits, '.', '_' or '-'"},
      {"empty name", [](json& j) { j["sentinel_workspaces"][0]["name"] = ""; },
       "xdrsync.json: sentinel_workspaces[0].name: must not be empty"},
      {"secret-like typo", [](json& j) { j["defender_tenants"][0]["auth"]["client_secrt"] = "x"; },
       "xdrsync.json: defender_tenants[0].auth.client_secrt: unknown key (expected certificate_file, client_id, "
       "client_secret_credential, client_secret_env, client_secret_file, federated_token_file, imds_url, kind, "
       "managed_identity_client_id or private_key_file)"},
      {"duplicate tenant", [](json& j) { j["defender_tenants"].push_back(j["defender_tenants"][0]); },
       "xdrsync.json: defender_tenants[1].name: duplicate name 'contoso' (also defender_tenants[0])"},
      {"auth kind", [](json& j) { j["defender_tenants"][0]["auth"]["kind"] = "password"; },
       "xdrsync.json: defender_tenants[0].auth.kind: unknown auth kind 'password' (expected client_secret, "
       "certificate, managed_identity or workload_identity)"},
      {"auth missing", [](json& j) { j["defender_tenants"][0].erase("auth"); },
       "xdrsync.json: defender_tenants[0].auth: missing (required)"},
      {"two secret sources",
       [](json& j) { j["defender_tenants"][0]["auth"]["client_secret_file"] = "/etc/xdrsync/secret"; },
       "xdrsync.json: defender_tenants[0].auth: client_secret needs exactly one of client_secret_env, "
       "client_secret_file or client_secret_credential (found 2)"},
      {"no secret source", [](json& j) { j["defender_tenants"][0]["auth"].erase("client_secret_env"); },
       "xdrsync.json: defender_tenants[0].auth: client_secret needs exactly one of client_secret_env, "
       "client_secret_file or client_secret_credential (found 0)"},
      {"credential path",
       [](json& j) {
         j["defender_tenants"][0]["auth"].erase("client_secret_env");
         j["defender_tenants"][0]["auth"]["client_secret_credential"] = "/run/creds/x";
       },
       "xdrsync.json: defender_tenants[0].auth.client_secret_credential: expected a credential id (a "
       "LoadCredential= name), not a path"},
      {"certificate without file",
       [](json& j) {
         j["defender_tenants"][0]["auth"] = {{"kind", "certificate"},
                                             {"client_id", "11111111-2222-3333-4444-555555555555"}};
       },
       "xdrsync.json: defender_tenants[0].auth.certificate_file: missing (required)"},
      {"key of another kind",
       [](json& j) { j["sentinel_workspaces"][0]["auth"]["client_secret_env"] = "X"; },
       "xdrsync.json: sentinel_workspaces[0].auth.client_secret_env: not used by auth kind 'managed_identity'"},
      {"client id guid", [](json& j) { j["defender_tenants"][0]["auth"]["client_id"] = "my-app"; },
       "xdrsync.json: defender_tenants[0].auth.client_id: expected a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47"},
  });
}

TEST(ConfigTest, EachAuthKindTakesItsOwnKeys) {
  json j = MinimalConfig();
  j["defender_tenants"][0]["auth"] = {{"kind", "workload_identity"}, {"federated_token_file", "/var/run/token"}};
  j["sentinel_workspaces"][0]["auth"] = {{"kind", "certificate"},
                                         {"client_id", "11111111-2222-3333-4444-555555555555"},
                                         {"certificate_file", "/etc/xdrsync/ws.pem"}};
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->defender_tenants[0].auth.kind, auth::AuthConfig::Kind::kWorkloadIdentity);
  EXPECT_EQ(r->defender_tenants[0].auth.federated_token_file, "/var/run/token");
  EXPECT_EQ(r->defender_tenants[0].auth.client_id, "");  // $AZURE_CLIENT_ID at run time
  EXPECT_EQ(r->sentinel_workspaces[0].auth.certificate_file, "/etc/xdrsync/ws.pem");
  EXPECT_EQ(r->sentinel_workspaces[0].auth.tenant_id, "0b0b0b0b-1111-2222-3333-444444444444");
  j["sentinel_workspaces"][0]["auth"] = {{"kind", "managed_identity"},
                                         {"managed_identity_client_id", "22222222-2222-3333-4444-555555555555"},
                                         {"imds_url", "http://127.0.0.1:4000/token"}};
  r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sentinel_workspaces[0].auth.imds_url, "http://127.0.0.1:4000/token");
  j["sentinel_workspaces"][0]["auth"]["imds_url"] = "http://imds.example.com/token";
  EXPECT_EQ(ErrorOf(j), "xdrsync.json: sentinel_workspaces[0].auth.imds_url: http:// is allowed only for loopback "
                        "hosts; use https://");
}

TEST(ConfigTest, ASecretWrittenInTheFileIsRefusedWithoutEchoingIt) {
  json j = MinimalConfig();
  j["defender_tenants"][0]["auth"]["client_secret"] = "s3cr3t-Value~42";
  const std::string error = ErrorOf(j);
  EXPECT_NE(error.find("defender_tenants[0].auth.client_secret: a secret may not be written"), std::string::npos)
      << error;
  EXPECT_EQ(error.find("s3cr3t"), std::string::npos);
  // Broken JSON right after a secret: the parser's "last read" excerpt is not repeated.
  const std::string broken = R"({"defender_tenants": [{"auth": {"client_secret": "s3cr3t-Value~42" }}]x)";
  auto r = ParseConfig(broken, "xdrsync.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("s3cr3t"), std::string::npos) << r.status().message();
}

TEST(ConfigTest, SyntaxErrorsGiveLineAndColumn) {
  auto r = ParseConfig("{\n  \"state_path\": \"/x\",\n  oops\n}", "xdrsync.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("xdrsync.json: (document): invalid JSON at line 3, column 3: syntax error", 0),
            0u)
      << r.status().message();
}

TEST(ConfigTest, ThePollFloorIsAtMostTheInterval) {
  json j = MinimalConfig();
  j["poll_interval_seconds"] = 2;
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->min_poll_seconds, 2) << "unset, the default floor never exceeds a short interval";
  j["poll_interval_seconds"] = 60;
  j["min_poll_seconds"] = 60;
  r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->min_poll_seconds, 60) << "equal to the interval: no adaptation";
  j["min_poll_seconds"] = 1;
  r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->min_poll_seconds, 1);
}

// Found by fuzz_config: path tracking made deep nesting quadratic (46 KB of '[' took over 10 s).
TEST(ConfigTest, ADocumentNestedTooDeepIsOneProblem) {
  auto r = ParseConfig(std::string(100'000, '['), "deep.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "deep.json: (document): nested deeper than 64 levels") << r.status().ToString();
  // Brackets inside strings are text, not nesting.
  auto text = ParseConfig("{\"state_path\": \"" + std::string(200, '[') + "\"}", "ok.json");
  EXPECT_EQ(text.status().message().find("nested"), std::string::npos) << text.status().ToString();
}

TEST(ConfigTest, DuplicateKeysAreRefusedWithTheirPath) {
  auto r = ParseConfig(R"({"poll_interval_seconds": 5, "poll_interval_seconds": 6})", "a.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "a.json: poll_interval_seconds: duplicate key (each key may appear once)");
  const std::string nested = R"({"links": [{"name": "a"}, {"name": "b", "scope": {"exclude_tags": [], "exclude_tags": []}}]})";
  r = ParseConfig(nested, "a.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "a.json: links[1].scope.exclude_tags: duplicate key (each key may appear once)");
}

TEST(ConfigTest, ListenAddressForms) {
  auto a = ParseListenAddress("127.0.0.1:9464");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9464);
  a = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  EXPECT_TRUE(ParseListenAddress("0.0.0.0:9464").ok());
  EXPECT_FALSE(ParseListenAddress(":9464").ok());
  EXPECT_FALSE(ParseListenAddress("::1:9464").ok());
  EXPECT_FALSE(ParseListenAddress("host:port").ok());
  json j = MinimalConfig();
  j["listen"] = "";
  EXPECT_EQ(ErrorOf(j), "ok");  // the endpoint is off
}

TEST(ConfigTest, LoadConfigReadsAFileAndNamesIt) {
  const std::string path = ::testing::TempDir() + "/xdrsync_load_test.json";
  {
    std::ofstream out(path);
    out << MinimalConfig().dump(2);
  }
  auto r = LoadConfig(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->source_path, path);
  std::remove(path.c_str());
  auto missing = LoadConfig(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(missing.status().message().rfind(path + ": cannot open the configuration file", 0), 0u);
}

}  // namespace
}  // namespace xdrsync::app
