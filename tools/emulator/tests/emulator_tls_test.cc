// The TLS listener and sign-in discovery: a verifying OpenSSL client trusts the ca-file and
// reaches every API over https; a client that does not trust it, or speaks plain http, is
// refused; the binary prints the ca-file and the https line; MSAL's discovery documents point
// back at the emulator.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "emulator.h"
#include "emulator_child.h"
#include "emulator_fixture.h"
#include "test_http_client.h"

namespace xdrsync::emulator::testing {
namespace {

using nlohmann::json;

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

struct TlsReply {
  bool handshake_ok = false;
  long verify_result = -1;
  std::string raw;  // the whole HTTP reply
};

// One request over a verifying TLS connection to 127.0.0.1 (hostname check on the IP address).
TlsReply TlsRequest(int port, const std::string& ca_file, const std::string& request) {
  TlsReply reply;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!ca_file.empty()) SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  int fd = ConnectLoopback(port);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
  reply.handshake_ok = SSL_connect(ssl) == 1;
  reply.verify_result = SSL_get_verify_result(ssl);
  if (reply.handshake_ok && SSL_write(ssl, request.data(), static_cast<int>(request.size())) > 0) {
    char buf[4096];
    int n;
    while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) reply.raw.append(buf, static_cast<size_t>(n));
  }
  SSL_free(ssl);
  ::close(fd);
  SSL_CTX_free(ctx);
  return reply;
}

std::string Get(const std::string& target, const std::string& bearer = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
         (bearer.empty() ? "" : "Authorization: Bearer " + bearer + "\r\n") + "\r\n";
}

class EmulatorTls : public ::testing::Test {
 protected:
  void SetUp() override {
    EmulatorOptions o;
    o.tenants = {"t1"};
    o.workspaces = {{"t1", "sub1", "rg1", "ws1", false}};
    o.limits.enabled = false;
    o.tls.enabled = true;
    std::string error;
    emu_ = Emulator::Start(o, &error);
    ASSERT_TRUE(emu_) << error;
  }
  std::unique_ptr<Emulator> emu_;
};

TEST_F(EmulatorTls, AVerifyingClientTrustsTheCaFileAndIsServed) {
  EXPECT_EQ(emu_->base_url(), "https://127.0.0.1:" + std::to_string(emu_->port()));
  ASSERT_FALSE(emu_->ca_file().empty());
  TlsReply health = TlsRequest(emu_->port(), emu_->ca_file(), Get("/_control/health"));
  ASSERT_TRUE(health.handshake_ok);
  EXPECT_EQ(health.verify_result, X509_V_OK);
  EXPECT_EQ(health.raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << health.raw;
  std::string graph = emu_->MintToken("t1", kDefaultClientId, "https://graph.microsoft.com");
  TlsReply list = TlsRequest(emu_->port(), emu_->ca_file(), Get("/v1.0/security/incidents?$top=1", graph));
  EXPECT_EQ(list.raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << list.raw;
  // nextLinks and @odata.context name the https base.
  EXPECT_NE(list.raw.find("\"https://127.0.0.1:" + std::to_string(emu_->port()) + "/v1.0/$metadata"), std::string::npos);
}

TEST_F(EmulatorTls, UntrustingAndPlainClientsAreRefused) {
  TlsReply untrusting = TlsRequest(emu_->port(), "", Get("/_control/health"));
  EXPECT_FALSE(untrusting.handshake_ok);
  EXPECT_NE(untrusting.verify_result, X509_V_OK);
  TestHttpClient plain(emu_->port());
  auto r = plain.Get("/_control/health");
  EXPECT_NE(r.outcome, ClientResponse::Outcome::kOk);
  EXPECT_EQ(r.status, 0);
  // The listener survives both.
  EXPECT_TRUE(TlsRequest(emu_->port(), emu_->ca_file(), Get("/_control/health")).handshake_ok);
}

TEST_F(EmulatorTls, GeneratedFilesAreRemovedWithTheEmulator) {
  std::string ca = emu_->ca_file();
  EXPECT_TRUE(std::ifstream(ca).good());
  emu_.reset();
  EXPECT_FALSE(std::ifstream(ca).good());
}

TEST(EmulatorTlsFiles, GivenCertificateAndKeyAreServedAsTheyAre) {
  TlsFiles made;
  std::string error;
  ASSERT_TRUE(MakeSelfSignedTls(&made, &error)) << error;
  EmulatorOptions o;
  o.tls = {true, made.cert_file, made.key_file};
  auto emu = Emulator::Start(o, &error);
  ASSERT_TRUE(emu) << error;
  EXPECT_EQ(emu->ca_file(), made.cert_file);
  TlsReply reply = TlsRequest(emu->port(), made.ca_file, Get("/_control/health"));
  EXPECT_EQ(reply.verify_result, X509_V_OK);
  EXPECT_EQ(reply.raw.rfind("HTTP/1.1 200", 0), 0u);
  emu.reset();
  EXPECT_TRUE(std::ifstream(made.key_file).good());  // not ours to remove
  RemoveSelfSignedTls(made);
  o.tls = {true, made.cert_file, ""};
  EXPECT_FALSE(Emulator::Start(o, &error));
}

TEST(EmulatorTlsCli, PrintsTheCaFileThenTheHttpsLine) {
  EmulatorChild child({"--port", "0", "--tls"});
  ASSERT_GT(child.pid, 0);
  std::string ca_line = child.Line(), listen_line = child.Line();
  ASSERT_EQ(ca_line.rfind("ca-file /", 0), 0u) << ca_line;
  std::string ca = ca_line.substr(8);
  ASSERT_EQ(listen_line.rfind("listening on https://127.0.0.1:", 0), 0u) << listen_line;
  int port = std::stoi(listen_line.substr(listen_line.rfind(':') + 1));
  TlsReply reply = TlsRequest(port, ca, Get("/_control/health"));
  EXPECT_EQ(reply.verify_result, X509_V_OK);
  EXPECT_EQ(reply.raw.rfind("HTTP/1.1 200", 0), 0u);
  int status = child.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_FALSE(std::ifstream(ca).good());  // removed on a clean stop
}

class EmulatorDiscovery : public EmulatorFixture {};

TEST_F(EmulatorDiscovery, OpenIdConfigurationPointsAtTheEmulator) {
  auto r = http_->Get("/t1/v2.0/.well-known/openid-configuration");
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = r.Json();
  EXPECT_EQ(doc["token_endpoint"], emu_->base_url() + "/t1/oauth2/v2.0/token");
  EXPECT_EQ(doc["issuer"], emu_->base_url() + "/t1/v2.0");
  EXPECT_EQ(doc["authorization_endpoint"], emu_->base_url() + "/t1/oauth2/v2.0/authorize");
  EXPECT_EQ(http_->Get(TargetOf(doc["jwks_uri"])).Json(), json({{"keys", json::array()}}));
  auto unknown = http_->Get("/nope/v2.0/.well-known/openid-configuration");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.Json()["error_codes"][0], 90002);
}

TEST_F(EmulatorDiscovery, InstanceDiscoveryNamesTheTenantsMetadata) {
  std::string authorize = emu_->base_url() + "/t2/oauth2/v2.0/authorize";
  auto r = http_->Get("/common/discovery/instance?api-version=1.1&authorization_endpoint=" + Encode(authorize));
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = r.Json();
  EXPECT_EQ(doc["tenant_discovery_endpoint"], emu_->base_url() + "/t2/v2.0/.well-known/openid-configuration");
  std::string host = "127.0.0.1:" + std::to_string(emu_->port());
  EXPECT_EQ(doc["metadata"][0]["preferred_network"], host);
  EXPECT_EQ(http_->Send("POST", "/t1/v2.0/.well-known/openid-configuration").status, 405);
}

}  // namespace
}  // namespace xdrsync::emulator::testing
