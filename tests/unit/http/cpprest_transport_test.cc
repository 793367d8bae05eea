// The cpprest adapter against a real socket server on 127.0.0.1: the behaviours that matter when
// the network or the service misbehaves.
#include "xdrsync/http/cpprest_transport.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "unit/http/test_server.h"
#include "xdrsync/core/strings.h"
#include "xdrsync/core/uuid.h"

namespace xdrsync::http {
namespace {

using testing::HttpResponse;
using testing::ReceivedRequest;
using testing::TestServer;
using After = TestServer::After;

TransportOptions DirectOptions() {
  TransportOptions options;
  options.proxy = ProxySettings{};
  options.step_timeout = std::chrono::milliseconds(10'000);
  return options;
}

Request Get(std::string url, std::chrono::milliseconds deadline = std::chrono::milliseconds(5'000)) {
  Request request;
  request.method = "GET";
  request.url = std::move(url);
  request.deadline = deadline;
  return request;
}

TEST(CpprestTransport, ReturnsStatusHeadersAndBody) {
  TestServer server([](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, HttpResponse(200, R"({"ok":true})",
                                         "Content-Type: application/json\r\nX-Ms-Request-Id: svc-1\r\n"));
    return After::kKeepOpen;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  auto result = transport->Send(Get(server.Url("/incidents?$top=50")));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, R"({"ok":true})");
  EXPECT_EQ(result->RequestId(), "svc-1");
  EXPECT_EQ(result->Header("CONTENT-TYPE"), "application/json");
  for (const auto& [name, value] : result->headers) EXPECT_EQ(name, AsciiLower(name));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].head.substr(0, server.requests()[0].head.find('\r')),
            "GET /incidents?$top=50 HTTP/1.1");
}

TEST(CpprestTransport, AddsAClientRequestIdWhenTheCallerHasNone) {
  TestServer server([](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, HttpResponse(204, ""));
    return After::kKeepOpen;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  ASSERT_TRUE(transport->Send(Get(server.Url())).ok());
  Request mine = Get(server.Url());
  mine.headers.emplace_back("client-request-id", "11111111-2222-4333-8444-555555555555");
  ASSERT_TRUE(transport->Send(mine).ok());

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  const std::string generated = requests[0].Header("client-request-id");
  auto uuid = Uuid::Parse(generated);
  ASSERT_TRUE(uuid.ok()) << generated;
  EXPECT_EQ(uuid->bytes()[6] >> 4, 4);
  EXPECT_EQ(requests[0].Header("return-client-request-id"), "true");
  EXPECT_EQ(requests[0].Header("x-ms-client-request-id"), generated);
  EXPECT_FALSE(requests[0].Header("user-agent").empty());
  EXPECT_EQ(requests[1].CountHeader("client-request-id"), 1u);
  EXPECT_EQ(requests[1].Header("client-request-id"), "11111111-2222-4333-8444-555555555555");
}

TEST(CpprestTransport, ReusesKeepAliveConnectionsPerOrigin) {
  TestServer server([](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, HttpResponse(200, "{}"));
    return After::kKeepOpen;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(transport->Send(Get(server.Url())).ok());
    // cpprest hands the connection back to its pool just after the body completes; a short pause
    // lets that happen, as it does between real calls.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LE(server.connections(), 2);
}

// The service applies the write, then the connection closes before the status line. cpprest
// resends any request whose *reused* connection fails that way; a write that must not be resent
// must reach the server exactly once and come back as an unknown outcome.
void ExpectSentOnceOnAConnectionOfItsOwn(const std::string& method, bool read_guarded) {
  std::atomic<int> writes{0};
  TestServer server([&](int fd, const ReceivedRequest& request) {
    if (request.head.rfind(method + " ", 0) == 0) {
      ++writes;
      return After::kClose;
    }
    TestServer::SendAll(fd, HttpResponse(200, "{}"));
    return After::kKeepOpen;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  ASSERT_TRUE(transport->Send(Get(server.Url())).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the GET's connection back in the pool
  Request write = Get(server.Url("/incidents/1/comments"));
  write.method = method;
  write.read_guarded = read_guarded;
  write.body = R"({"comment":"x"})";
  auto result = transport->Send(write);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_EQ(writes.load(), 1);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(AsciiLower(requests[1].Header("connection")), "close");
  EXPECT_EQ(server.connections(), 2) << "the " << method << " rode a connection of its own";
  EXPECT_TRUE(transport->Send(Get(server.Url())).ok()) << "reads go on as before";
}

TEST(CpprestTransport, APostIsSentOnceEvenWhenItsConnectionDropsBeforeTheReply) {
  // A new comment, a new twin.
  ExpectSentOnceOnAConnectionOfItsOwn("POST", false);
}

TEST(CpprestTransport, AReadGuardedPatchIsSentOnceEvenWhenItsConnectionDropsBeforeTheReply) {
  // A Graph PATCH, whose only guard is the read made right before it.
  ExpectSentOnceOnAConnectionOfItsOwn("PATCH", true);
}

TEST(CpprestTransport, SendsBodyAndContentType) {
  TestServer server([](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, HttpResponse(200, "{}"));
    return After::kKeepOpen;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  Request patch = Get(server.Url("/incidents/1"));
  patch.method = "PATCH";
  patch.body = R"({"status":"resolved"})";
  patch.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  patch.headers.emplace_back("If-Match", "\"etag-1\"");
  ASSERT_TRUE(transport->Send(patch).ok());
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body, patch.body);
  EXPECT_EQ(requests[0].Header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(requests[0].Header("if-match"), "\"etag-1\"");
}

TEST(CpprestTransport, RedirectIsReturnedNotFollowedAndTheTokenStaysHome) {
  TestServer elsewhere(
      [](int fd, const ReceivedRequest&) {
        TestServer::SendAll(fd, HttpResponse(200, "stolen"));
        return After::kClose;
      },
      "127.0.0.2");
  const std::string location = elsewhere.Url("/collect");
  TestServer origin([&](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, HttpResponse(302, "", "Location: " + location + "\r\n"));
    return After::kKeepOpen;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  Request request = Get(origin.Url("/incidents"));
  request.headers.emplace_back("Authorization", "Bearer secret-token-value");
  auto result = transport->Send(request);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->status, 302);
  EXPECT_EQ(result->Header("location"), location);
  EXPECT_EQ(elsewhere.connections(), 0);
  EXPECT_TRUE(elsewhere.requests().empty());
  ASSERT_EQ(origin.requests().size(), 1u);
  EXPECT_EQ(origin.requests()[0].Header("authorization"), "Bearer secret-token-value");
}

TEST(CpprestTransport, WholeRequestDeadlineFiresOnAHang) {
  TestServer* self = nullptr;
  TestServer server([&](int, const ReceivedRequest&) {
    self->WaitForStop();
    return After::kClose;
  });
  self = &server;
  auto transport = MakeCpprestTransport(DirectOptions());
  const auto started = std::chrono::steady_clock::now();
  auto result = transport->Send(Get(server.Url(), std::chrono::milliseconds(1'000)));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_NE(result.status().message().find("deadline"), std::string::npos);
  EXPECT_NE(result.status().message().find("127.0.0.1"), std::string::npos);
  EXPECT_GE(took, std::chrono::milliseconds(1'000));
  EXPECT_LT(took, std::chrono::milliseconds(1'500));
}

TEST(CpprestTransport, DeadlineCoversATricklingBody) {
  std::atomic<int> trickled{0};
  TestServer server([&](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    // One byte every 100 ms: each read step succeeds, so only the whole-request deadline can end it.
    // The client's cancellation closes the connection, which ends the trickle early.
    while (trickled < 40 && TestServer::SendAll(fd, "x")) {
      ++trickled;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return After::kClose;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  const auto started = std::chrono::steady_clock::now();
  auto result = transport->Send(Get(server.Url(), std::chrono::milliseconds(1'000)));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_LT(took, std::chrono::milliseconds(1'500));
  // The abandoned request does not keep the connection: the server's writes start failing.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_LT(trickled.load(), 20);
}

TEST(CpprestTransport, ConnectionResetIsUnavailable) {
  TestServer server([](int, const ReceivedRequest&) { return After::kReset; });
  auto transport = MakeCpprestTransport(DirectOptions());
  auto result = transport->Send(Get(server.Url()));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_NE(result.status().message().find("127.0.0.1"), std::string::npos);
}

TEST(CpprestTransport, TruncatedBodyIsUnavailableNotAShortSuccess) {
  TestServer server([](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"value\":[");
    return After::kClose;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  auto result = transport->Send(Get(server.Url()));
  ASSERT_FALSE(result.ok()) << "status " << result->status << " body " << result->body;
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
}

TEST(CpprestTransport, ReadsAChunkedBody) {
  TestServer server([](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    TestServer::SendAll(fd, "5\r\nhello\r\n");
    TestServer::SendAll(fd, "1\r\n \r\n");
    TestServer::SendAll(fd, "5\r\nworld\r\n0\r\n\r\n");
    return After::kKeepOpen;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  auto result = transport->Send(Get(server.Url()));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->body, "hello world");
}

TEST(CpprestTransport, ReadsA20MegabyteBody) {
  std::string big(20 * 1024 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  TestServer server([&](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, HttpResponse(200, big));
    return After::kKeepOpen;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  auto result = transport->Send(Get(server.Url(), std::chrono::milliseconds(20'000)));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->body.size(), big.size());
  EXPECT_TRUE(result->body == big);
}

TEST(CpprestTransport, ABodyOverTheCapIsRefusedWhetherAnnouncedOrNot) {
  TransportOptions options = DirectOptions();
  options.max_response_bytes = 1 << 20;
  auto transport = MakeCpprestTransport(options);
  TestServer announced([](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, HttpResponse(200, std::string((1 << 20) + 1, 'x')));
    return After::kKeepOpen;
  });
  auto big = transport->Send(Get(announced.Url()));
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("larger than 1 MiB"), std::string::npos) << big.status().ToString();

  // Chunked, without end: the reader stops at the cap and closes the connection.
  std::atomic<size_t> sent{0};
  TestServer endless([&](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'y') + "\r\n";
    while (sent < (size_t{256} << 20) && TestServer::SendAll(fd, chunk)) sent += 0x10000;
    return After::kClose;
  });
  auto unbounded = transport->Send(Get(endless.Url(), std::chrono::milliseconds(20'000)));
  ASSERT_FALSE(unbounded.ok());
  EXPECT_NE(unbounded.status().message().find("larger than 1 MiB"), std::string::npos)
      << unbounded.status().ToString();
  EXPECT_LT(sent.load(), size_t{256} << 20) << "the server was never cut off";
  EXPECT_TRUE(transport->Send(Get(announced.Url())).status().message().find("larger") != std::string::npos);
}

TEST(CpprestTransport, RefusesPlainHttpToANonLoopbackHost) {
  auto transport = MakeCpprestTransport(DirectOptions());
  auto result = transport->Send(Get("http://graph.example.com/v1.0/security/incidents"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kInvalidArgument);
  EXPECT_NE(result.status().message().find("graph.example.com"), std::string::npos);
  EXPECT_EQ(transport->Send(Get("ftp://127.0.0.1/x")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(transport->Send(Get("/relative/path")).status().code(), Code::kInvalidArgument);
}

TEST(CpprestTransport, ConnectionRefusedIsUnavailable) {
  // Bind and close a socket to find a port nobody listens on.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  auto transport = MakeCpprestTransport(DirectOptions());
  auto result = transport->Send(Get("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
}

TEST(CpprestTransport, HttpsGoesThroughTheConfiguredProxy) {
  TestServer proxy([](int fd, const ReceivedRequest&) {
    TestServer::SendAll(fd, HttpResponse(403, ""));
    return After::kClose;
  });
  TransportOptions options = DirectOptions();
  options.proxy = ParseProxySettings("127.0.0.1:" + std::to_string(proxy.port()), "").value();
  auto transport = MakeCpprestTransport(options);
  auto result = transport->Send(Get("https://graph.example.invalid/v1.0/security/incidents"));
  EXPECT_FALSE(result.ok() && result->status == 200);
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_EQ(proxy.requests()[0].head.substr(0, proxy.requests()[0].head.find('\r')),
            "CONNECT graph.example.invalid:443 HTTP/1.1");
}

TEST(CpprestTransport, UnusableOptionsFailEverySend) {
  TransportOptions options = DirectOptions();
  options.ca_file = "/nonexistent/ca.pem";
  const Status check = CheckTransportOptions(options);
  EXPECT_EQ(check.code(), Code::kInvalidArgument);
  EXPECT_NE(check.message().find("/nonexistent/ca.pem"), std::string::npos);
  auto transport = MakeCpprestTransport(options);
  EXPECT_EQ(transport->Send(Get("https://graph.example.invalid/")).status().code(), Code::kInvalidArgument);
}

TEST(CpprestTransport, ConcurrentSendsFromManyThreads) {
  TestServer server([](int fd, const ReceivedRequest& request) {
    TestServer::SendAll(fd, HttpResponse(200, request.head.substr(0, request.head.find(' ', 4))));
    return After::kKeepOpen;
  });
  auto transport = MakeCpprestTransport(DirectOptions());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto result = transport->Send(Get(server.Url("/t" + std::to_string(t))));
        if (result.ok() && result->status == 200 && result->body == "GET /t" + std::to_string(t)) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 80);
}

}  // namespace
}  // namespace xdrsync::http
