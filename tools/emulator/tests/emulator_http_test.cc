// The HTTP/1.1 layer itself: keep-alive, chunked bodies, 100-continue, malformed requests.
#include "emulator_fixture.h"

namespace xdrsync::emulator::testing {
namespace {

using nlohmann::json;

class EmulatorHttp : public EmulatorFixture {};

TEST_F(EmulatorHttp, KeepAliveServesManyRequestsOnOneConnection) {
  TestHttpClient client(emu_->port(), true);
  for (int i = 0; i < 5; ++i) {
    auto r = client.Get("/_control/health");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("connection"), "keep-alive");
  }
  EXPECT_EQ(http_->Get("/_control/health").Header("connection"), "close");
}

TEST_F(EmulatorHttp, ChunkedBodyAndExpectContinue) {
  std::string body = R"({"displayName":"chunked"})";
  char size[16];
  std::snprintf(size, sizeof(size), "%zx", body.size());
  auto r = http_->SendRaw("POST /_control/tenants/t1/incidents HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                          "Connection: close\r\n\r\n" + std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["displayName"], "chunked");
  TestHttpClient client(emu_->port());
  auto c = client.SendRaw("POST /_control/tenants/t1/incidents HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                          "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  // The interim 100 comes first; the client reads it as the reply, which proves it was sent.
  EXPECT_EQ(c.status, 100);
}

TEST_F(EmulatorHttp, MalformedRequestGets400AndTheServerKeepsServing) {
  auto r = http_->SendRaw("GARBAGE\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(http_->Get("/_control/health").status, 200);
}

TEST_F(EmulatorHttp, PercentEncodedPathsAndQueriesAreDecoded) {
  Control("POST", "/workspaces", {{"tenant", "t1"}, {"name", "ws-2"}, {"subscription", "s"}, {"resource_group", "r g"}});
  auto r = http_->Get("/subscriptions/s/resourceGroups/r%20g/providers/Microsoft.OperationalInsights/workspaces/ws-2"
                      "/providers/Microsoft.SecurityInsights/incidents?api-version=2025-09-01&%24top=5", ArmToken());
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace xdrsync::emulator::testing
