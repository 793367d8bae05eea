// Findings of the outside security review, each through the real binary: a secret pasted where its
// location belongs is never printed, secret files are examined before they are trusted, the state
// file is private, every CLI mistake is one line and exit 64, and service text cannot drive the
// operator's terminal.
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "sync_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

// Looks like an Entra client secret and is valid as a file name, a credential id and (alphanumeric
// only) an environment variable name, so the configuration accepts it in each of those places.
constexpr const char* kPasted = "Q8sXtW3kPmV9rLzB2nYc7Hq4";

class HardeningTest : public SyncTest {
 protected:
  json& Auth() { return config_["defender_tenants"][0]["auth"]; }
  void ExpectNotShown(const ProcessResult& r, const std::string& value) {
    EXPECT_EQ((r.out + r.err).find(value), std::string::npos) << "the value came back:\n" << r.out << r.err;
  }
};

TEST_F(HardeningTest, ASecretPastedWhereItsLocationBelongsIsNeverPrinted) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  struct Case {
    std::string key;
    std::string value;
  };
  for (const Case& c : std::vector<Case>{{"client_secret_env", kPasted},
                                         {"client_secret_file", kPasted},
                                         {"client_secret_file", std::string("/") + kPasted},
                                         {"client_secret_credential", kPasted}}) {
    SCOPED_TRACE(c.key + "=" + c.value);
    Auth() = {{"kind", "client_secret"}, {"client_id", kClientId}, {c.key, c.value}};
    const ProcessResult check = Xdrsync({"check-config"});
    ExpectNotShown(check, kPasted);
    const ProcessResult once = Xdrsync({"once"});
    EXPECT_NE(once.exit_code, 0);
    ExpectNotShown(once, kPasted);
    EXPECT_NE((once.out + once.err).find("auth." + c.key), std::string::npos)
        << "the error names the key:\n" << once.out << once.err;
  }
  // The same for the files of the other credential kinds.
  Auth() = {{"kind", "workload_identity"}, {"client_id", kClientId}, {"federated_token_file", kPasted}};
  ExpectNotShown(Xdrsync({"check-config"}), kPasted);
  Auth() = {{"kind", "certificate"}, {"client_id", kClientId}, {"certificate_file", std::string("/") + kPasted}};
  ExpectNotShown(Xdrsync({"once"}), kPasted);
}

TEST_F(HardeningTest, SecretFilesAreExaminedBeforeTheyAreTrusted) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string secret = dir_ + "/secret";
  std::ofstream(secret) << kSecret << "\n";
  ::chmod(secret.c_str(), 0666);
  Auth() = {{"kind", "client_secret"}, {"client_id", kClientId}, {"client_secret_file", secret}};
  ProcessResult check = Xdrsync({"check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.err.find("auth.client_secret_file can be read or written by other users"), std::string::npos)
      << check.err;
  ExpectNotShown(check, secret);

  const std::string link = dir_ + "/secret-link";
  std::filesystem::create_symlink(secret, link);
  ::chmod(secret.c_str(), 0600);
  Auth()["client_secret_file"] = link;
  check = Xdrsync({"check-config"});
  EXPECT_NE(check.err.find("is a symbolic link"), std::string::npos) << check.err;
  EXPECT_EQ(Xdrsync({"once"}).exit_code, 0) << "a link is followed, with a warning";

  // A FIFO in place of the file must fail at once, not block start-up on the open.
  const std::string fifo = dir_ + "/secret-fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Auth()["client_secret_file"] = fifo;
  const ProcessResult once = Xdrsync({"once"}, std::chrono::seconds(30));
  EXPECT_FALSE(once.timed_out) << "start-up hung on a FIFO";
  EXPECT_NE(once.exit_code, 0);
  EXPECT_NE((once.out + once.err).find("not a regular file"), std::string::npos) << once.out << once.err;
}

TEST_F(HardeningTest, ASystemdCredentialIsWarnedAboutOnlyWhenOthersCanReadIt) {
  // systemd hands the service its LoadCredential= copies as root:root 0440 files (an ACL lets the
  // service's user in): no warning for those on every start. Readable by others still warns.
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const std::string dir = dir_ + "/credentials";
  std::filesystem::create_directory(dir);
  std::ofstream(dir + "/it-secret") << kSecret << "\n";
  ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);
  Auth() = {{"kind", "client_secret"}, {"client_id", kClientId}, {"client_secret_credential", "it-secret"}};
  ::chmod((dir + "/it-secret").c_str(), 0440);
  if (::chown((dir + "/it-secret").c_str(), static_cast<uid_t>(-1), 0) != 0) GTEST_SKIP() << "cannot give it root's group";
  ProcessResult check = Xdrsync({"check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.err.find("warning"), std::string::npos) << check.err;
  ::chmod((dir + "/it-secret").c_str(), 0644);
  check = Xdrsync({"check-config"});
  EXPECT_NE(check.err.find("auth.client_secret_credential can be read or written by other users (mode 644)"),
            std::string::npos)
      << check.err;
  EXPECT_EQ(Xdrsync({"once"}).exit_code, 0) << "the credential is read";
  ::unsetenv("CREDENTIALS_DIRECTORY");
}

TEST_F(HardeningTest, TheStateFileIsReadableByItsOwnerOnly) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  const mode_t old = ::umask(022);
  emu_->CreateIncident(kContoso, {{"displayName", "Private"}});
  Once();
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/state.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(HardeningTest, EveryCommandLineMistakeIsOneLineAndExit64) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  Once();
  const std::vector<std::vector<std::string>> mistakes = {
      {"audit", "--limit", "abc"},  {"audit", "--limit", "-5"},  {"audit", "--limit", "99999999999999999999"},
      {"audit", "--limit"},         {"audit", "--frobnicate", "1"}, {"status", "extra"},
      {"approve"},                  {"sideways"},                 {"once", "--limit", "3"}};
  for (const auto& m : mistakes) {
    SCOPED_TRACE(testing::PrintToString(m));
    const ProcessResult r = Xdrsync(m);
    EXPECT_EQ(r.exit_code, 64) << r.out << r.err;
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  const ProcessResult no_value = RunProcess({XDRSYNC_BIN, "--config"}, {}, dir_ + "/noval", std::chrono::seconds(10));
  EXPECT_EQ(no_value.exit_code, 64) << no_value.err;
  const ProcessResult ok = Xdrsync({"audit", "--limit", "2"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST_F(HardeningTest, StatusShowsServiceTextWithItsControlCharactersEscaped) {
  ASSERT_NO_FATAL_FAILURE(StartEmulator());
  emu_->CreateIncident(kContoso, {{"displayName", "Escapes"}});
  // The listing serves a timestamp that is a terminal attack: retitle, clear screen, forged line.
  const std::string hostile = "\x1b]0;owned\x07\x1b[2J\nxdrsync: all good";
  emu_->AddFault({{"kind", "unknown_enum"},
                  {"method", "GET"},
                  {"path_glob", "/v1.0/security/incidents"},
                  {"field", "lastUpdateDateTime"},
                  {"enum_value", hostile}});
  Xdrsync({"once"});
  const ProcessResult status = Xdrsync({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("quarantined: 1"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find('\x1b'), std::string::npos) << "raw escape reached the terminal";
  EXPECT_EQ(status.out.find('\x07'), std::string::npos);
  EXPECT_NE(status.out.find("\\x1b]0;owned"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("\nxdrsync: all good"), std::string::npos) << "a forged line";
}

}  // namespace
}  // namespace xdrsync::integration
