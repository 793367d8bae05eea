// The adapter over real TLS on 127.0.0.1: a throwaway self-signed certificate, trusted only when
// given as ca_file. A small OpenSSL server written here answers one request per connection.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include "xdrsync/http/cpprest_transport.h"

namespace xdrsync::http {
namespace {

class TlsServer {
 public:
  TlsServer() {
    key_ = EVP_EC_gen("P-256");
    cert_ = X509_new();
    X509_set_version(cert_, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert_), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert_), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert_), 3600);
    X509_set_pubkey(cert_, key_);
    X509_NAME* name = X509_get_subject_name(cert_);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1,
                               -1, 0);
    X509_set_issuer_name(cert_, name);
    AddExtension(NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(NID_subject_alt_name, "IP:127.0.0.1");
    X509_sign(cert_, key_, EVP_sha256());

    ca_file_ = ::testing::TempDir() + "xdrsync_tls_test_ca_" + std::to_string(::getpid()) + ".pem";
    FILE* f = std::fopen(ca_file_.c_str(), "w");
    PEM_write_X509(f, cert_);
    std::fclose(f);

    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, cert_);
    SSL_CTX_use_PrivateKey(ctx_, key_);

    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }

  ~TlsServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
    SSL_CTX_free(ctx_);
    X509_free(cert_);
    EVP_PKEY_free(key_);
    std::remove(ca_file_.c_str());
  }

  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }
  const std::string& ca_file() const { return ca_file_; }
  int served() const { return served_.load(); }

 private:
  void AddExtension(int nid, const char* value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert_, cert_, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    X509_add_ext(cert_, ext, -1);
    X509_EXTENSION_free(ext);
  }

  void Loop() {
    for (;;) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) {
        std::string head;
        char buf[4096];
        while (head.find("\r\n\r\n") == std::string::npos) {
          const int n = SSL_read(ssl, buf, static_cast<int>(sizeof buf));
          if (n <= 0) break;
          head.append(buf, static_cast<size_t>(n));
        }
        const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        SSL_write(ssl, response.data(), static_cast<int>(response.size()));
        SSL_shutdown(ssl);
        ++served_;
      }
      ERR_clear_error();
      SSL_free(ssl);
      ::close(fd);
    }
  }

  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  SSL_CTX* ctx_ = nullptr;
  std::string ca_file_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> served_{0};
  std::thread thread_;
};

Request Get(std::string url) {
  Request r;
  r.method = "GET";
  r.url = std::move(url);
  r.deadline = std::chrono::milliseconds(5'000);
  return r;
}

TEST(CpprestTls, TrustsTheConfiguredCaFile) {
  TlsServer server;
  TransportOptions options;
  options.proxy = ProxySettings{};
  options.ca_file = server.ca_file();
  ASSERT_TRUE(CheckTransportOptions(options).ok());
  auto result = MakeCpprestTransport(options)->Send(Get(server.Url()));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "ok");
  EXPECT_EQ(server.served(), 1);
}

TEST(CpprestTls, RefusesACertificateTheSystemStoreDoesNotKnow) {
  TlsServer server;
  TransportOptions options;
  options.proxy = ProxySettings{};
  auto result = MakeCpprestTransport(options)->Send(Get(server.Url()));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_EQ(server.served(), 0);
}

TEST(CpprestTls, AFileWithoutCertificatesIsAConfigurationError) {
  const std::string path = ::testing::TempDir() + "xdrsync_tls_test_empty_" + std::to_string(::getpid()) + ".pem";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("not a certificate\n", f);
  std::fclose(f);
  TransportOptions options;
  options.proxy = ProxySettings{};
  options.ca_file = path;
  const Status status = CheckTransportOptions(options);
  std::remove(path.c_str());
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_NE(status.message().find("no PEM certificate"), std::string::npos);
}

}  // namespace
}  // namespace xdrsync::http
