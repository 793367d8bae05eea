#include "app/http_wire.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace xdrsync::app {
namespace {

using State = HttpHeadParser::State;

const char kSimple[] = "GET /readyz?verbose=1 HTTP/1.1\r\nHost: 127.0.0.1:9464\r\nUser-Agent: probe\r\n\r\n";

TEST(HttpHeadParserTest, ParsesARequestHead) {
  HttpHeadParser parser;
  const std::string text = kSimple;
  EXPECT_EQ(parser.Feed(text), text.size());
  ASSERT_EQ(parser.state(), State::kComplete) << parser.error();
  const HttpRequestHead& head = parser.head();
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/readyz?verbose=1");
  EXPECT_EQ(head.path, "/readyz");
  EXPECT_EQ(head.minor_version, 1);
  ASSERT_EQ(head.headers.size(), 2u);
  ASSERT_NE(head.Header("user-agent"), nullptr);
  EXPECT_EQ(*head.Header("user-agent"), "probe");
  EXPECT_EQ(head.Header("accept"), nullptr);
  EXPECT_FALSE(head.content_length.has_value());
  EXPECT_FALSE(head.has_transfer_encoding);
  EXPECT_TRUE(head.keep_alive);
}

TEST(HttpHeadParserTest, GivesTheSameResultFedOneByteAtATime) {
  HttpHeadParser parser;
  const std::string text = kSimple;
  for (size_t i = 0; i < text.size(); ++i) {
    ASSERT_EQ(parser.state(), State::kIncomplete) << "at byte " << i;
    EXPECT_EQ(parser.Feed(text.substr(i, 1)), 1u);
  }
  ASSERT_EQ(parser.state(), State::kComplete);
  EXPECT_EQ(parser.head().path, "/readyz");
  EXPECT_EQ(*parser.head().Header("host"), "127.0.0.1:9464");
}

TEST(HttpHeadParserTest, StopsAtTheEndOfTheHeadAndLeavesWhatFollows) {
  HttpHeadParser parser;
  const std::string head = "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n";
  EXPECT_EQ(parser.Feed(head + "hello" + "GET /next HTTP/1.1\r\n"), head.size());
  ASSERT_EQ(parser.state(), State::kComplete);
  EXPECT_EQ(parser.head().content_length, 5u);
  EXPECT_EQ(parser.Feed("more"), 0u);  // complete: nothing more is taken
  parser.Reset();
  const std::string next = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(parser.Feed(next), next.size());
  ASSERT_EQ(parser.state(), State::kComplete);
  EXPECT_EQ(parser.head().path, "/next");
}

TEST(HttpHeadParserTest, AcceptsBareLineFeedsAndLeadingEmptyLines) {
  HttpHeadParser parser;
  parser.Feed("\r\n\nGET /healthz HTTP/1.0\nAccept: */*\n\n");
  ASSERT_EQ(parser.state(), State::kComplete) << parser.error();
  EXPECT_EQ(parser.head().path, "/healthz");
  EXPECT_FALSE(parser.head().keep_alive);  // HTTP/1.0 without keep-alive; no Host needed
}

TEST(HttpHeadParserTest, AHeadOverTheBudgetFailsWith431WithoutTakingMore) {
  HttpHeadParser parser;
  const std::string start = "GET / HTTP/1.1\r\nHost: a\r\nX-Fill: ";
  EXPECT_EQ(parser.Feed(start), start.size());
  // A 1 MiB field with no end, in socket-sized pieces: refused at the budget, and no further
  // bytes are taken (or kept) after that.
  const std::string piece(4096, 'a');
  size_t taken = start.size();
  for (int i = 0; i < 256; ++i) taken += parser.Feed(piece);
  EXPECT_EQ(parser.state(), State::kFailed);
  EXPECT_EQ(parser.error_status(), 431);
  EXPECT_EQ(taken, 16u * 1024);
  EXPECT_EQ(parser.consumed(), 16u * 1024);
  EXPECT_EQ(parser.error().find("aaaa"), std::string::npos);  // never quotes the input
}

TEST(HttpHeadParserTest, TheBudgetCountsEveryByteUpToTheBlankLine) {
  const std::string prefix = "GET / HTTP/1.1\r\nHost: a\r\nX-Fill: ";
  const std::string end = "\r\n\r\n";
  const std::string exact = prefix + std::string(1000 - prefix.size() - end.size(), 'a') + end;
  ASSERT_EQ(exact.size(), 1000u);
  HttpHeadParser at_limit(HttpHeadLimits{1000, 100});
  EXPECT_EQ(at_limit.Feed(exact), 1000u);
  EXPECT_EQ(at_limit.state(), State::kComplete);
  HttpHeadParser over(HttpHeadLimits{999, 100});
  over.Feed(exact);
  EXPECT_EQ(over.state(), State::kFailed);
  EXPECT_EQ(over.error_status(), 431);
}

TEST(HttpHeadParserTest, TooManyFieldsIs431) {
  std::string text = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 100; ++i) text += "X-" + std::to_string(i) + ": 1\r\n";
  HttpHeadParser parser;
  parser.Feed(text + "\r\n");
  EXPECT_EQ(parser.state(), State::kFailed);
  EXPECT_EQ(parser.error_status(), 431);
}

TEST(HttpHeadParserTest, ContentLengthAndTransferEncoding) {
  struct Case {
    const char* name;
    std::string fields;
    std::optional<uint64_t> length;
    bool transfer_encoding;
  };
  const Case cases[] = {
      {"none", "", std::nullopt, false},
      {"plain", "Content-Length: 42\r\n", 42u, false},
      {"zero", "Content-Length: 0\r\n", 0u, false},
      {"leading zeros", "Content-Length: 007\r\n", 7u, false},
      {"same value listed", "Content-Length: 5, 5\r\n", 5u, false},
      {"same value twice", "Content-Length: 5\r\nContent-Length: 5\r\n", 5u, false},
      {"too large saturates", "Content-Length: 99999999999999999999999999\r\n", std::numeric_limits<uint64_t>::max(),
       false},
      {"chunked", "Transfer-Encoding: chunked\r\n", std::nullopt, true},
      {"both", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", 3u, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpHeadParser parser;
    parser.Feed("GET / HTTP/1.1\r\nHost: a\r\n" + c.fields + "\r\n");
    ASSERT_EQ(parser.state(), State::kComplete) << parser.error();
    EXPECT_EQ(parser.head().content_length, c.length);
    EXPECT_EQ(parser.head().has_transfer_encoding, c.transfer_encoding);
  }
}

TEST(HttpHeadParserTest, MalformedOrHostileHeadsAreRefused) {
  struct Case {
    const char* name;
    std::string text;
    int status;
  };
  const std::string host = "Host: a\r\n";
  const Case cases[] = {
      {"two spaces", "GET  / HTTP/1.1\r\n" + host, 400},
      {"tab separator", "GET\t/ HTTP/1.1\r\n" + host, 400},
      {"extra word", "GET / HTTP/1.1 x\r\n" + host, 400},
      {"no version", "GET /\r\n" + host, 400},
      {"method not a token", "G(T / HTTP/1.1\r\n" + host, 400},
      {"control character in target", "GET /\x01 HTTP/1.1\r\n" + host, 400},
      {"non-ASCII target", "GET /\xc3\xa9 HTTP/1.1\r\n" + host, 400},
      {"lower-case version", "GET / http/1.1\r\n" + host, 400},
      {"version garbage", "GET / HTTP/1.1.1\r\n" + host, 400},
      {"HTTP/2", "GET / HTTP/2.0\r\n" + host, 505},
      {"HTTP/0.9", "GET / HTTP/0.9\r\n" + host, 505},
      {"field without colon", "GET / HTTP/1.1\r\n" + host + "Nonsense\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\n" + host + "Content-Length : 5\r\n", 400},
      {"empty field name", "GET / HTTP/1.1\r\n" + host + ": x\r\n", 400},
      {"obsolete line folding", "GET / HTTP/1.1\r\n" + host + "X-A: b\r\n c\r\n", 400},
      {"NUL in a value", std::string("GET / HTTP/1.1\r\n") + host + "X-A: b" + std::string(1, '\0') + "c\r\n", 400},
      {"escape in a value", "GET / HTTP/1.1\r\n" + host + "X-A: \x1b[2J\r\n", 400},
      {"bare CR", "GET / HTTP/1.1\r\n" + host + "X-A: b\rX-B: c\r\n", 400},
      {"negative length", "GET / HTTP/1.1\r\n" + host + "Content-Length: -1\r\n", 400},
      {"signed length", "GET / HTTP/1.1\r\n" + host + "Content-Length: +5\r\n", 400},
      {"hex length", "GET / HTTP/1.1\r\n" + host + "Content-Length: 0x10\r\n", 400},
      {"empty length", "GET / HTTP/1.1\r\n" + host + "Content-Length:\r\n", 400},
      {"two words length", "GET / HTTP/1.1\r\n" + host + "Content-Length: 1 2\r\n", 400},
      {"differing lengths listed", "GET / HTTP/1.1\r\n" + host + "Content-Length: 5, 6\r\n", 400},
      {"differing lengths", "GET / HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 6\r\n", 400},
      {"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n", 400},
      {"two Hosts", "GET / HTTP/1.1\r\n" + host + host, 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpHeadParser parser;
    parser.Feed(c.text + "\r\n");
    ASSERT_EQ(parser.state(), State::kFailed);
    EXPECT_EQ(parser.error_status(), c.status) << parser.error();
    EXPECT_EQ(parser.Feed("GET / HTTP/1.1\r\n"), 0u);  // failed: nothing more is taken
  }
}

TEST(HttpHeadParserTest, KeepAliveFollowsTheVersionAndConnection) {
  struct Case {
    const char* name;
    std::string text;
    bool keep_alive;
  };
  const Case cases[] = {
      {"1.1 default", "GET / HTTP/1.1\r\nHost: a\r\n", true},
      {"1.1 close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n", false},
      {"1.1 close in a list", "GET / HTTP/1.1\r\nHost: a\r\nConnection: te, close\r\n", false},
      {"1.0 default", "GET / HTTP/1.0\r\n", false},
      {"1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpHeadParser parser;
    parser.Feed(c.text + "\r\n");
    ASSERT_EQ(parser.state(), State::kComplete) << parser.error();
    EXPECT_EQ(parser.head().keep_alive, c.keep_alive);
  }
}

TEST(HttpHeadParserTest, ThePathOfEachTargetForm) {
  struct Case {
    const char* target;
    const char* path;
  };
  const Case cases[] = {
      {"/metrics", "/metrics"},
      {"/metrics?x=1#f", "/metrics"},
      {"/metrics#f", "/metrics"},
      {"/metrics/../etc", "/metrics/../etc"},  // not resolved: no such path, 404
      {"http://127.0.0.1:9464/healthz?x", "/healthz"},
      {"http://127.0.0.1:9464", "/"},
      {"*", ""},
      {"127.0.0.1:9464", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    HttpHeadParser parser;
    parser.Feed(std::string("GET ") + c.target + " HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_EQ(parser.state(), State::kComplete) << parser.error();
    EXPECT_EQ(parser.head().path, c.path);
  }
}

TEST(HttpResponseTest, SerializesWithLengthAndConnection) {
  HttpResponse r;
  r.status = 405;
  r.body = "no\n";
  r.headers.emplace_back("Allow", "GET, HEAD");
  EXPECT_EQ(SerializeResponse(r, false, false),
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n"
            "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nAllow: GET, HEAD\r\n"
            "Connection: close\r\n\r\nno\n");
  const std::string head_only = SerializeResponse(r, true, true);
  EXPECT_NE(head_only.find("Content-Length: 3\r\n"), std::string::npos);
  EXPECT_NE(head_only.find("Connection: keep-alive\r\n\r\n"), std::string::npos);
  EXPECT_EQ(head_only.substr(head_only.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace xdrsync::app
