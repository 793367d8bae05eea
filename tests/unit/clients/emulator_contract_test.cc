// The real clients over the real HTTP transport against the in-process emulator (127.0.0.1, port
// 0): the URLs, encodings and paging the unit tests script by hand must also be what an
// independent implementation of the APIs accepts.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "emulator.h"
#include "xdrsync/api/arm_codec.h"
#include "xdrsync/api/http_clients.h"
#include "xdrsync/http/cpprest_transport.h"

namespace xdrsync::api {
namespace {

using nlohmann::json;

// Adds the emulator's bearer token; in the daemon the authorizing decorator does this.
class BearerTransport final : public http::Transport {
 public:
  BearerTransport(http::Transport& inner, std::string token) : inner_(inner), token_(std::move(token)) {}
  Result<http::Response> Send(const http::Request& request) override {
    http::Request with = request;
    with.headers.emplace_back("Authorization", "Bearer " + token_);
    return inner_.Send(with);
  }

 private:
  http::Transport& inner_;
  std::string token_;
};

class ClientsEmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator::EmulatorOptions options;
    options.tenants = {"t1"};
    options.workspaces = {{"t1", "sub1", "rg1", "ws1", false}};
    options.limits.enabled = false;
    options.world.arm_page_size = 4;
    options.world.arm_short_pages = true;
    std::string error;
    emu_ = emulator::Emulator::Start(options, &error);
    ASSERT_TRUE(emu_) << error;
    http_ = http::MakeCpprestTransport(http::TransportOptions{});
    graph_transport_ = std::make_unique<BearerTransport>(
        *http_, emu_->MintToken("t1", emulator::kDefaultClientId, "https://graph.microsoft.com/.default"));
    arm_transport_ = std::make_unique<BearerTransport>(
        *http_, emu_->MintToken("t1", emulator::kDefaultClientId, "https://management.azure.com/.default"));

    GraphClientOptions graph;
    graph.graph_url = emu_->base_url();
    graph.tenant = "t1";
    graph.alert_page_size = 40;
    defender_ = MakeGraphDefenderClient(*graph_transport_, graph, clock_, logger_, metrics_);
    ArmClientOptions arm;
    arm.arm_url = emu_->base_url();
    arm.subscription_id = "sub1";
    arm.resource_group = "rg1";
    arm.workspace = "ws1";
    arm.tenant = "t1";
    sentinel_ = MakeArmSentinelClient(*arm_transport_, arm, clock_, logger_, metrics_);
  }
  void TearDown() override {
    if (emu_) emu_->Stop();
  }

  std::string NewGraphIncident(const json& spec) {
    emulator::ApiResult r = emu_->world().ControlCreateGraphIncident("t1", spec);
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body.value("id", "");
  }
  std::string NewArmIncident(const json& spec) {
    emulator::ApiResult r = emu_->world().ControlCreateArmIncident("ws1", spec);
    EXPECT_LT(r.status, 300) << r.body.dump();
    return r.body.value("name", "");
  }

  std::unique_ptr<emulator::Emulator> emu_;
  std::unique_ptr<http::Transport> http_;
  std::unique_ptr<http::Transport> graph_transport_;
  std::unique_ptr<http::Transport> arm_transport_;
  SystemClock clock_;
  NullLogger logger_;
  Metrics metrics_;
  std::unique_ptr<DefenderClient> defender_;
  std::unique_ptr<SentinelClient> sentinel_;
};

TEST_F(ClientsEmulatorTest, DefenderListsEveryIncidentAcrossPagesWithAlerts) {
  for (int i = 0; i < 120; ++i) NewGraphIncident({{"alertCount", 1 + i % 3}});
  auto listing = defender_->ListChanged(Timestamp::FromUnixSeconds(0), true);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(listing->items.size(), 120u);
  EXPECT_TRUE(listing->errors.empty());
  for (size_t i = 0; i < listing->items.size(); ++i) {
    ASSERT_TRUE(listing->items[i].alerts.has_value());
    if (i > 0) {
      EXPECT_LE(listing->items[i - 1].last_update, listing->items[i].last_update);
    }
  }
  EXPECT_EQ(listing->newest, listing->items.back().last_update);
}

TEST_F(ClientsEmulatorTest, DefenderFallsBackWhenTheExpandedListFails) {
  NewGraphIncident({{"alertCount", 2}});
  emulator::FaultRule rule;
  rule.method = "GET";
  rule.path_glob = "/v1.0/security/incidents";
  rule.status = 500;
  rule.count = 1;
  emu_->faults().Add(rule);
  auto listing = defender_->ListChanged(Timestamp::FromUnixSeconds(0), true);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(listing->items.size(), 1u);
  ASSERT_TRUE(listing->items[0].alerts.has_value());
  EXPECT_EQ(listing->items[0].alerts->size(), 2u);
  EXPECT_EQ(emu_->faults().List()[0].value("fired", 0), 1);
}

TEST_F(ClientsEmulatorTest, DefenderPagesAllAlertsOfABigIncident) {
  const std::string id = NewGraphIncident({{"alertCount", 230}});
  auto incident = defender_->Get(id);
  ASSERT_TRUE(incident.ok()) << incident.status().ToString();
  ASSERT_TRUE(incident->alerts.has_value());
  EXPECT_EQ(incident->alerts->size(), 230u);
}

TEST_F(ClientsEmulatorTest, DefenderWritesAndReadsBack) {
  const std::string id = NewGraphIncident({{"alertCount", 1}});
  domain::DefenderPatch patch;
  patch.assigned_to = std::optional<std::string>("soc@contoso.com");
  patch.custom_tags = std::vector<std::string>{"synced", "a b+c"};
  auto patched = defender_->Patch(id, patch);
  ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  EXPECT_EQ(patched->assigned_to, "soc@contoso.com");
  EXPECT_EQ(patched->custom_tags, (std::vector<std::string>{"synced", "a b+c"}));

  auto comments = defender_->AddComment(id, "from xdrsync");
  ASSERT_TRUE(comments.ok()) << comments.status().ToString();
  ASSERT_FALSE(comments->empty());
  EXPECT_EQ(comments->back().text, "from xdrsync");

  auto missing = defender_->Get("999999");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("404 Not Found"), std::string::npos);
}

TEST_F(ClientsEmulatorTest, SentinelListsThroughShortAndEmptyPages) {
  for (int i = 0; i < 30; ++i) NewArmIncident({{"title", "incident " + std::to_string(i)}});
  auto listing = sentinel_->ListChanged(Timestamp::FromUnixSeconds(0));
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(listing->items.size(), 30u);
  EXPECT_TRUE(listing->errors.empty());
  auto recent = sentinel_->ListRecent(5);
  ASSERT_TRUE(recent.ok()) << recent.status().ToString();
  EXPECT_LE(recent->size(), 5u);
}

TEST_F(ClientsEmulatorTest, SentinelPutWithEtagCommentsAndConflict) {
  const std::string name = NewArmIncident({{"title", "to close"}});
  auto read = sentinel_->Get(name);
  ASSERT_TRUE(read.ok()) << read.status().ToString();

  domain::SentinelIncident closing = *read;
  closing.status = {domain::SStatus::kClosed, "Closed"};
  closing.classification =
      domain::Lenient<domain::SClassification>{domain::SClassification::kFalsePositive, "FalsePositive"};
  closing.classification_reason =
      domain::Lenient<domain::SReason>{domain::SReason::kIncorrectAlertLogic, "IncorrectAlertLogic"};
  auto put = sentinel_->Put(closing);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->status.value, domain::SStatus::kClosed);
  EXPECT_NE(put->etag, read->etag);

  // The etag we read is stale now.
  auto stale = sentinel_->Put(closing);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Code::kConflict) << stale.status().ToString();

  auto comment = sentinel_->PutComment(name, "xdrsync-1", "mirrored comment");
  ASSERT_TRUE(comment.ok()) << comment.status().ToString();
  auto again = sentinel_->PutComment(name, "xdrsync-1", "mirrored comment, edited");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto with_comments = sentinel_->Get(name);
  ASSERT_TRUE(with_comments.ok()) << with_comments.status().ToString();
  ASSERT_EQ(with_comments->comments.size(), 1u);
  EXPECT_EQ(with_comments->comments[0].message, "mirrored comment, edited");
}

}  // namespace
}  // namespace xdrsync::api
