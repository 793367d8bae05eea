// The limits of the bounded server, each proven with real sockets on 127.0.0.1 and a hostile
// client. Deadlines are shortened through the options; assertions are on behaviour and counters,
// with generous waits only.
#include "app/bounded_http_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "unit/app/http_test_client.h"

namespace xdrsync::app {
namespace {

using namespace test_client;  // NOLINT: the test's vocabulary
using std::chrono::milliseconds;
using std::chrono::steady_clock;

const char kResponses[] = "xdrsync_health_responses_total";
const char kRejected[] = "xdrsync_health_connections_rejected_total";
const char kTimedOut[] = "xdrsync_health_connections_timed_out_total";
const char kAcceptErrors[] = "xdrsync_health_accept_errors_total";

int OpenDescriptors() {
  int n = 0;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (readdir(dir) != nullptr) ++n;
  closedir(dir);
  return n;
}

class BoundedHttpServerTest : public ::testing::Test {
 protected:
  static BoundedHttpOptions Options() {
    BoundedHttpOptions options;
    options.port = 0;
    return options;
  }
  void StartServer(const BoundedHttpOptions& options = Options()) {
    auto server = BoundedHttpServer::Start(
        options,
        [this](const HttpRequestHead& head) {
          ++handled_;
          if (head.path == "/throw") throw std::runtime_error("boom");
          HttpResponse r;
          r.body = "hello " + head.path + "\n";
          return r;
        },
        counters_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }
  double Responses(int code) const { return counters_.Value(kResponses, {{"code", std::to_string(code)}}); }

  Metrics counters_;
  std::atomic<int> handled_{0};
  std::unique_ptr<BoundedHttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(BoundedHttpServerTest, GetAndHeadReachTheHandler) {
  StartServer();
  HttpReply get = Request(port_, "GET", "/x?q=1");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "hello /x\n");
  EXPECT_NE(get.head.find("Content-Length: 9"), std::string::npos) << get.head;
  EXPECT_NE(get.head.find("Connection: close"), std::string::npos) << get.head;
  HttpReply head = Request(port_, "HEAD", "/x");
  EXPECT_EQ(head.status, 200);
  EXPECT_NE(head.head.find("Content-Length: 9"), std::string::npos) << head.head;
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(handled_.load(), 2);
  EXPECT_EQ(Responses(200), 2);
}

TEST_F(BoundedHttpServerTest, EveryOtherMethodIs405WithoutReachingTheHandler) {
  StartServer();
  for (const char* method : {"TRACE", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get"}) {
    SCOPED_TRACE(method);
    HttpReply r = Request(port_, method, "/x", "Authorization: Bearer very-secret-token\r\n");
    EXPECT_EQ(r.status, 405);
    EXPECT_NE(r.head.find("Allow: GET, HEAD"), std::string::npos) << r.head;
    EXPECT_EQ(r.head.find("very-secret-token"), std::string::npos);
    EXPECT_EQ(r.body.find("very-secret-token"), std::string::npos);
  }
  EXPECT_EQ(handled_.load(), 0);
  EXPECT_EQ(Responses(405), 7);
}

TEST_F(BoundedHttpServerTest, AHeadOverTheCapIs431AndTheConnectionIsClosed) {
  StartServer();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  // 17 KiB of one header field and no end of headers: answered without waiting for more.
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: a\r\nX-Fill: " + std::string(17 * 1024, 'a')));
  HttpReply r = ParseReply(ReadAll(fd));  // returns at the server's close, not at the timeout
  close(fd);
  EXPECT_EQ(r.status, 431);
  EXPECT_NE(r.head.find("Connection: close"), std::string::npos);
  EXPECT_EQ(handled_.load(), 0);
  EXPECT_EQ(Responses(431), 1);
}

TEST_F(BoundedHttpServerTest, AClientThatNeverEndsItsHeadIsCutOffNotBuffered) {
  StartServer();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  // The 256 MiB header of the review, capped at 64 MiB here: the server must stop reading and
  // close after about 16 KiB, so sending fails long before the end. What can still be sent is the
  // kernel's socket buffers (a few MiB on loopback), not the server's memory.
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: a\r\nX-Fill: "));
  const std::string piece(64 * 1024, 'a');
  size_t sent = 0;
  int error = 0;
  while (sent < 64u * 1024 * 1024) {
    const ssize_t n = send(fd, piece.data(), piece.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      error = errno;
      break;
    }
    sent += static_cast<size_t>(n);
  }
  close(fd);
  EXPECT_TRUE(error == ECONNRESET || error == EPIPE) << "errno " << error << " after " << sent << " bytes";
  EXPECT_LT(sent, 32u * 1024 * 1024);
  EXPECT_EQ(Responses(431), 1);
}

TEST_F(BoundedHttpServerTest, ABodyOverTheCapIs413AndOneAtTheCapIsRead) {
  StartServer();
  HttpReply over = Exchange(port_, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n");
  EXPECT_EQ(over.status, 413);
  HttpReply huge = Exchange(port_, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n");
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(handled_.load(), 0);
  HttpReply at_cap =
      Exchange(port_, "GET /body HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 65536\r\n\r\n" +
                          std::string(64 * 1024, 'b'));
  EXPECT_EQ(at_cap.status, 200);
  EXPECT_EQ(at_cap.body, "hello /body\n");
  EXPECT_EQ(Responses(413), 2);
}

TEST_F(BoundedHttpServerTest, AChunkedBodyIs411) {
  StartServer();
  HttpReply r =
      Exchange(port_, "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 411);
  EXPECT_NE(r.head.find("Connection: close"), std::string::npos);
  EXPECT_EQ(handled_.load(), 0);
  EXPECT_EQ(Responses(411), 1);
}

TEST_F(BoundedHttpServerTest, MalformedRequestsAre400Or505) {
  StartServer();
  EXPECT_EQ(Exchange(port_, "GET / HTTP/1.1\r\nHost a\r\n\r\n").status, 400);
  EXPECT_EQ(Exchange(port_, "GET / HTTP/1.1\r\n\r\n").status, 400);  // no Host
  EXPECT_EQ(Exchange(port_, "GET / HTTP/2.0\r\nHost: a\r\n\r\n").status, 505);
  EXPECT_EQ(Exchange(port_, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15)).status, 400);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(BoundedHttpServerTest, KeepAliveAndPipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  // A small body is read and dropped; the next request on the connection still parses.
  ASSERT_TRUE(SendAll(fd,
                      "GET /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                      "HEAD /b HTTP/1.1\r\nHost: a\r\n\r\n"
                      "GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  const std::string raw = ReadAll(fd);
  close(fd);
  const size_t a = raw.find("hello /a\n");
  const size_t c = raw.find("hello /c\n");
  ASSERT_NE(a, std::string::npos) << raw;
  ASSERT_NE(c, std::string::npos) << raw;
  EXPECT_LT(a, c);
  EXPECT_EQ(raw.find("hello /b"), std::string::npos) << raw;  // HEAD: no body
  EXPECT_EQ(handled_.load(), 3);
}

TEST_F(BoundedHttpServerTest, AHandlerThatThrowsIs500AndTheServerGoesOn) {
  StartServer();
  EXPECT_EQ(Request(port_, "GET", "/throw").status, 500);
  EXPECT_EQ(Request(port_, "GET", "/fine").status, 200);
}

TEST_F(BoundedHttpServerTest, AnIdleClientIsClosedAtTheDeadline) {
  BoundedHttpOptions options = Options();
  options.request_timeout_ms = 300;
  StartServer(options);
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(ClosedByServer(fd));  // within the socket's 5 s receive timeout
  close(fd);
  EXPECT_TRUE(Eventually([&] { return counters_.Value(kTimedOut) == 1; }));
}

TEST_F(BoundedHttpServerTest, ASlowClientIsClosedAtTheDeadlineEvenWhileItKeepsSending) {
  BoundedHttpOptions options = Options();
  options.request_timeout_ms = 300;
  StartServer(options);
  const auto start = steady_clock::now();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\n"));
  // One header field every 20 ms: the connection is never idle, and still never completes.
  bool closed = false;
  while (!closed && steady_clock::now() - start < std::chrono::seconds(10)) {
    char c = 0;
    const ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
    closed = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    if (!closed) closed = !SendAll(fd, "X-Slow: 1\r\n");
    std::this_thread::sleep_for(milliseconds(20));
  }
  close(fd);
  EXPECT_TRUE(closed);
  EXPECT_GE(steady_clock::now() - start, milliseconds(300));
  EXPECT_TRUE(Eventually([&] { return counters_.Value(kTimedOut) == 1; }));
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(BoundedHttpServerTest, AnIdleKeepAliveConnectionIsClosedButNotCountedAsATimeout) {
  BoundedHttpOptions options = Options();
  options.request_timeout_ms = 300;
  StartServer(options);
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /k HTTP/1.1\r\nHost: a\r\n\r\n"));
  const std::string raw = ReadAll(fd);  // the answer, then the close at the idle deadline
  close(fd);
  EXPECT_EQ(ParseReply(raw).status, 200);
  EXPECT_EQ(counters_.Value(kTimedOut), 0);
}

TEST_F(BoundedHttpServerTest, ConnectionsOverTheCapGet503AndFreedSlotsServeAgain) {
  BoundedHttpOptions options = Options();
  options.max_connections = 4;
  StartServer(options);
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(Connect(port_));
    ASSERT_GE(held.back(), 0);
    ASSERT_TRUE(SendAll(held.back(), "GET / HTTP/1.1\r\n"));  // a request that never finishes
  }
  const int extra = Connect(port_);
  ASSERT_GE(extra, 0);
  HttpReply busy = ParseReply(ReadAll(extra));
  close(extra);
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.body, "busy\n");
  EXPECT_TRUE(Eventually([&] { return counters_.Value(kRejected) == 1; }));
  close(held.back());
  held.pop_back();
  // Once the server has seen that close, a normal request gets its slot.
  EXPECT_TRUE(Eventually([&] { return Request(port_, "GET", "/again").status == 200; }));
  for (int fd : held) close(fd);
}

// Lowers the soft descriptor limit and fills it up; restores both on destruction.
class DescriptorExhaustion {
 public:
  DescriptorExhaustion() {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = std::min<rlim_t>(saved_.rlim_cur, 256);
    ok_ = setrlimit(RLIMIT_NOFILE, &low) == 0;
    for (int fd = Open(); ok_ && fd >= 0; fd = Open()) held_.push_back(fd);
    ok_ = ok_ && errno == EMFILE;
  }
  ~DescriptorExhaustion() {
    for (int fd : held_) close(fd);
    setrlimit(RLIMIT_NOFILE, &saved_);
  }
  DescriptorExhaustion(const DescriptorExhaustion&) = delete;
  DescriptorExhaustion& operator=(const DescriptorExhaustion&) = delete;
  bool ok() const { return ok_; }

 private:
  static int Open() { return open("/dev/null", O_RDONLY | O_CLOEXEC); }
  rlimit saved_{};
  bool ok_ = false;
  std::vector<int> held_;
};

TEST_F(BoundedHttpServerTest, AcceptBacksOffWhenDescriptorsRunOutAndRecovers) {
  ASSERT_EQ(Options().accept_backoff_ms, 250);  // the default, which the health server uses
  StartServer();
  // The client's socket exists before the descriptors run out; connect() needs no new one.
  const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(client, 0);
  timeval timeout{5, 0};
  setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  {
    DescriptorExhaustion exhausted;
    ASSERT_TRUE(exhausted.ok());
    // The kernel completes the handshake; the server's accept() fails with EMFILE.
    ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_TRUE(Eventually([&] { return counters_.Value(kAcceptErrors) >= 1; }));
    // A spinning loop makes thousands of attempts a second (the review saw 20,000 in 3 s); with
    // a 250 ms back-off there is about one per 250 ms, and it keeps trying.
    const double before = counters_.Value(kAcceptErrors);
    const auto start = steady_clock::now();
    std::this_thread::sleep_for(milliseconds(1000));
    const double attempts = counters_.Value(kAcceptErrors) - before;
    const auto elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count();
    EXPECT_LE(attempts, static_cast<double>(elapsed) / 250 + 2) << "in " << elapsed << " ms";
    EXPECT_TRUE(Eventually([&] { return counters_.Value(kAcceptErrors) > before; }));
  }
  // Descriptors are back: the queued connection is accepted and answered.
  ASSERT_TRUE(SendAll(client, "GET /late HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  HttpReply late = ParseReply(ReadAll(client));
  close(client);
  EXPECT_EQ(late.status, 200);
  EXPECT_EQ(late.body, "hello /late\n");
}

TEST_F(BoundedHttpServerTest, StopIsPromptWithClientsConnectedAndClosesEveryDescriptor) {
  const int before = OpenDescriptors();
  BoundedHttpOptions options = Options();
  options.request_timeout_ms = 60'000;
  StartServer(options);
  std::vector<int> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(Connect(port_));
    ASSERT_GE(clients.back(), 0);
    ASSERT_TRUE(SendAll(clients.back(), "GET / HTTP/1.1\r\nX-Slow: "));
  }
  ASSERT_TRUE(Eventually([&] { return OpenDescriptors() >= before + 2 * 8 + 2; }));  // all accepted
  const auto start = steady_clock::now();
  server_->Stop();
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));  // not the 60 s deadline
  server_->Stop();
  for (int fd : clients) {
    EXPECT_TRUE(ClosedByServer(fd));
    close(fd);
  }
  EXPECT_EQ(OpenDescriptors(), before);
  EXPECT_EQ(Connect(port_), -1);  // refused
}

}  // namespace
}  // namespace xdrsync::app
