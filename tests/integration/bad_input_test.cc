// The bad-input corpus (tests/data/bad, issue 7 §5) served by the real emulator to the real daemon:
// each hostile body replaces the replies to one request (fault kind `replace_body`), and for each the daemon must
// not crash, must log the problem with the service's request id, must count it, must quarantine
// only what concerns one incident, and must keep syncing the others. The expectations come from
// the corpus's manifest.json, so a new file there is a new case here.
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

#include "sync_fixture.h"
#include "twin_id.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

struct BadCase {
  std::string file;    // under tests/data/bad; or generated: at test time
  std::string target;  // graph_page | arm_page | arm_incident | arm_comments
  std::string expect;  // page | item | logged | tolerated (see the README)
  std::string what;
  int count = -1;      // how many matching replies the body replaces (-1 = all in that run)
  std::string known_issue;  // a daemon defect this body exposes, not fixed yet: skips the last check
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The committed corpus plus the cases too big to commit, generated below.
std::vector<BadCase> Corpus() {
  std::vector<BadCase> out;
  const json manifest = json::parse(ReadFile(std::string(XDRSYNC_BAD_CORPUS) + "/manifest.json"));
  for (const json& c : manifest) {
    out.push_back({c.at("file"), c.at("target"), c.at("expect"), c.at("what"), c.value("count", -1),
                   c.value("known_issue", "")});
  }
  out.push_back({"generated:graph-page-10mb-title", "graph_page", "item", "a 10 MB displayName", -1, ""});
  out.push_back({"generated:arm-page-10mb-description", "arm_page", "item", "a 10 MB description", -1, ""});
  out.push_back({"generated:arm-comments-10mb-message", "arm_comments", "tolerated", "a 10 MB comment", -1, ""});
  return out;
}

std::string Generated(const std::string& name) {
  const std::string big(10u << 20, 'x');
  if (name == "generated:graph-page-10mb-title") {
    return json{{"value",
                 {{{"id", "@A@"}, {"displayName", big}, {"status", "active"}, {"severity", "high"},
                   {"lastUpdateDateTime", "2025-06-01T10:05:00Z"}, {"createdDateTime", "2025-06-01T10:00:00Z"}}}}}
        .dump();
  }
  if (name == "generated:arm-page-10mb-description") {
    return json{{"value",
                 {{{"name", "@TA@"}, {"etag", "\"1\""},
                   {"properties", {{"title", "t"}, {"severity", "High"}, {"status", "New"}, {"description", big}}}}}}}
        .dump();
  }
  return json{{"value", {{{"name", "c1"}, {"properties", {{"message", big}, {"createdTimeUtc", "2025-06-01T10:00:00Z"}}}}}}}
      .dump();
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

const std::map<std::string, std::string>& TargetGlobs() {
  static const std::map<std::string, std::string> kGlobs = {
      {"graph_page", "/v1.0/security/incidents"},
      {"arm_page", "/subscriptions/**/providers/Microsoft.SecurityInsights/incidents"},
      {"arm_incident", "/subscriptions/**/providers/Microsoft.SecurityInsights/incidents/@TA@"},
      {"arm_comments", "/subscriptions/**/providers/Microsoft.SecurityInsights/incidents/@TA@/comments"}};
  return kGlobs;
}

class BadInputTest : public SyncTest, public ::testing::WithParamInterface<BadCase> {
 protected:
  // Writes the case's body with its placeholders filled in and installs the fault serving it.
  void ServeBody(const BadCase& c) {
    const std::string body = c.file.rfind("generated:", 0) == 0
                                 ? Generated(c.file)
                                 : ReadFile(std::string(XDRSYNC_BAD_CORPUS) + "/" + c.file);
    const std::string path = dir_ + "/served-body";
    std::ofstream(path, std::ios::binary) << Fill(body);
    ASSERT_EQ(TargetGlobs().count(c.target), 1u) << "unknown target " << c.target;
    emu_->AddFault({{"kind", "replace_body"}, {"method", "GET"}, {"path_glob", Fill(TargetGlobs().at(c.target))},
                    {"body_file", path}, {"count", c.count}});
  }
  // The corpus's placeholders (README.md) with this run's values.
  std::string Fill(std::string text) const {
    const std::time_t now = std::time(nullptr) + 60;  // after the emulator's own stamps
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    text = Replace(text, "@BASE@", emu_->base_url());
    text = Replace(text, "@NOW@", stamp);
    text = Replace(text, "@TA@", TwinName(kContoso, a_));
    text = Replace(text, "@TB@", TwinName(kContoso, b_));
    text = Replace(text, "@A@", a_);
    return Replace(text, "@B@", b_);
  }
  int FaultsFired() const {
    int fired = 0;
    for (const json& f : emu_->Call("GET", "/faults").value("faults", json::array())) fired += f.value("fired", 0);
    return fired;
  }
  std::vector<json> Gets() const {
    std::vector<json> out;
    for (const json& r : emu_->Requests()) {
      if (r.value("method", "") == "GET") out.push_back(r);
    }
    return out;
  }
  std::string Severity(const std::string& id) { return Str(Twin(id), "/properties/severity"); }
  int Quarantined() {
    const ProcessResult status = Xdrsync({"status"});
    std::smatch m;
    if (!std::regex_search(status.out, m, std::regex("quarantined: ([0-9]+)"))) return -1;
    return std::stoi(m[1]);
  }

  std::string a_;  // the incident the bad body is about
  std::string b_;  // a bystander that must keep syncing
};

TEST_P(BadInputTest, IsLoggedCountedIsolatedAndTheRestKeepsSyncing) {
  const BadCase& c = GetParam();
  SCOPED_TRACE(c.file + ": " + c.what);
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  a_ = emu_->CreateIncident(kContoso, {{"displayName", "Victim"}, {"severity", "low"}});
  b_ = emu_->CreateIncident(kContoso, {{"displayName", "Bystander"}, {"severity", "low"}});
  Once();
  ASSERT_EQ(Severity(a_), "Low");
  ASSERT_EQ(Severity(b_), "Low");
  emu_->UpdateIncident(kContoso, a_, {{"severity", "high"}, {"author", "alice@contoso.com"}});
  emu_->UpdateIncident(kContoso, b_, {{"severity", "high"}, {"author", "alice@contoso.com"}});
  ASSERT_NO_FATAL_FAILURE(ServeBody(c));
  emu_->ClearRequests();
  const ProcessResult hit = Xdrsync({"once"});
  const std::string log = (hit.out + hit.err).substr(0, 6000);
  ASSERT_FALSE(hit.timed_out) << log;
  ASSERT_EQ(hit.signal, 0) << "the daemon crashed\n" << log;
  ASSERT_GE(FaultsFired(), 1) << "the daemon never asked for what " << c.target << " replaces:\n"
                              << Describe(Gets());
  // A response unreadable as a whole fails the link's cycle (exit 1, `cycle.done` result failed);
  // anything else leaves the cycle ok.
  EXPECT_EQ(hit.exit_code, c.expect == "page" ? 1 : 0) << log;
  if (c.expect == "page") {
    EXPECT_NE(log.find(R"("result":"failed")"), std::string::npos) << log;
  }
  if (c.expect != "tolerated") {
    EXPECT_TRUE(std::regex_search(log, std::regex("request-id [0-9a-f]{8}-[0-9a-f]{4}-")))
        << "no request id in the log\n" << log;
  }
  EXPECT_EQ(Quarantined(), c.expect == "item" ? 1 : 0) << log;
  if (c.expect != "page") {
    EXPECT_EQ(Severity(b_), "High") << "the bystander stopped syncing\n" << log;
  }

  // The service well again: everything not quarantined converges.
  emu_->Call("DELETE", "/faults");
  Once();
  EXPECT_EQ(Severity(b_), "High");
  if (!c.known_issue.empty()) {
    RecordProperty("known_issue", c.known_issue);
    std::cout << "known issue, last check skipped: " << c.known_issue << "\n";
  } else if (c.expect != "item") {
    EXPECT_EQ(Severity(a_), "High");
  }
}

// gtest prints a parameter with this instead of its bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.file; }

std::string CaseName(const ::testing::TestParamInfo<BadCase>& info) {
  std::string name = info.param.file;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInputTest, ::testing::ValuesIn(Corpus()), CaseName);

}  // namespace
}  // namespace xdrsync::integration
