#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "store_test_util.h"

namespace xdrsync::store::testing {
namespace {

using domain::Field;

TEST(StoreOpen, AFreshFileIsWalAtTheCurrentSchema) {
  TempDir dir;
  auto store = OpenStateStore(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->IntegrityCheck().ok());
  EXPECT_EQ(QueryInt(dir.File("state.db"), "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(QueryInt(dir.File("state.db"), "SELECT journal_mode = 'wal' FROM pragma_journal_mode"),
            1);
}

TEST(StoreOpen, InMemoryWorks) {
  auto store = OpenStateStore(":memory:");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->RecordDecision({.pairs = {MakePair("L", "1", "s-1")}}).ok());
  EXPECT_EQ((*store)->Pairs("L").value().size(), 1u);
}

TEST(StoreOpen, MigratesAVersionOneDatabase) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    auto v1 = SqliteStateStore::Open(path, {.schema_version = 1});
    ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  }
  ASSERT_EQ(QueryInt(path, "PRAGMA user_version"), 1);
  // Rows as xdrsync 1 wrote them, through raw SQL: the v1 tables know nothing of digests.
  ASSERT_EQ(ExecSql(path,
                    "INSERT INTO pairs VALUES ('L', '1', 's-1', 'active', '', 'arm', 'm', 10, 20);"
                    "INSERT INTO bases VALUES ('L', '1', 'sentinel', 'status', 'New', 30, 'e1', 1);"
                    "INSERT INTO outbox (link, defender_id, target, kind, payload, created, "
                    "  next_attempt) VALUES ('L', '1', 'sentinel', 'put', '{}', 40, 40);"
                    "INSERT INTO watermarks VALUES ('L', 'defender', 50);"),
            "");
  auto store = OpenStateStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), kSchemaVersion);

  auto pair = (*store)->PairByDefenderId("L", "1").value();
  ASSERT_TRUE(pair.has_value());
  EXPECT_EQ(pair->sentinel_id, "s-1");
  EXPECT_EQ(pair->updated, Timestamp::FromTicks(20));
  auto base = (*store)->Bases({"L", "1"}).value().Get(Side::kSentinel, Field::kStatus);
  ASSERT_TRUE(base.has_value());
  EXPECT_EQ(base->stamp.etag, "e1");
  EXPECT_TRUE(base->own_write);
  EXPECT_EQ((*store)->DueWrites(Timestamp::FromTicks(40), 10).value().size(), 1u);
  EXPECT_EQ((*store)->Watermark("L", Side::kDefender).value(), Timestamp::FromTicks(50));
  // The v2 column exists and starts empty.
  EXPECT_FALSE((*store)->Digest({"L", "1"}).value().has_value());
  EXPECT_TRUE((*store)->RecordDecision({.digests = {{{"L", "1"}, "h", T(1)}}}).ok());
  EXPECT_TRUE((*store)->IntegrityCheck().ok());
}

TEST(StoreOpen, RefusesADatabaseFromANewerXdrsync) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  ASSERT_TRUE(OpenStateStore(path).ok());
  ASSERT_EQ(ExecSql(path, "PRAGMA user_version = 99"), "");
  auto store = OpenStateStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(store.status().message().find(path), std::string::npos);
  EXPECT_NE(store.status().message().find("schema version 99, newer"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), 99);
}

TEST(StoreOpen, RefusesAFileThatIsNotAStateDatabase) {
  TempDir dir;
  const std::string foreign = dir.File("other.db");
  ASSERT_EQ(ExecSql(foreign, "CREATE TABLE t (x)"), "");
  auto a = OpenStateStore(foreign);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("not a state database"), std::string::npos);

  const std::string text = dir.File("notes.txt");
  std::ofstream(text) << std::string(4096, 'x');
  auto b = OpenStateStore(text);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kDataLoss);
  EXPECT_NE(b.status().message().find("state store " + text + ": "), std::string::npos);

  auto c = OpenStateStore(dir.File("no/such/dir/state.db"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(dir.File("no/such/dir/state.db")), std::string::npos);
}

// Root writes through file modes, so the open runs in a child that drops to `nobody` first.
TEST(StoreOpen, AReadOnlyFileIsAClearError) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  ASSERT_TRUE(OpenStateStore(path).ok());
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  ASSERT_EQ(chmod(path.c_str(), 0444), 0);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(2);
    auto store = OpenStateStore(path);
    std::string out = store.ok() ? "opened" : store.status().ToString();
    ssize_t n = write(fds[1], out.data(), out.size());
    _exit(n < 0 ? 3 : 0);
  }
  close(fds[1]);
  std::string got;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(got.find("permission_denied: state store " + path + ": open: "), std::string::npos)
      << got;
  EXPECT_NE(got.find("read-only"), std::string::npos) << got;
}

TEST(StoreOpen, AFullDiskIsAStatusAndKeepsThePreviousState) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  auto opened = SqliteStateStore::Open(path, {.max_page_count = 40});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  StateStore& store = **opened;
  int recorded = 0;
  Status failure;
  for (int i = 0; i < 1000 && failure.ok(); ++i) {
    Decision d;
    std::string id = std::to_string(i);
    d.pairs.push_back(MakePair("L", id, "s-" + id));
    d.outbox.push_back(MakeWrite({"L", id}, Side::kSentinel, "put", T(i)));
    d.outbox.back().payload = std::string(2000, 'p');
    d.watermarks.push_back({"L", Side::kDefender, T(i)});
    failure = store.RecordDecision(d);
    if (failure.ok()) ++recorded;
  }
  ASSERT_FALSE(failure.ok()) << "the page cap was never reached";
  EXPECT_EQ(failure.code(), Code::kResourceExhausted);
  EXPECT_NE(failure.message().find("state store " + path + ": RecordDecision: "), std::string::npos)
      << failure.message();
  EXPECT_NE(failure.message().find("full"), std::string::npos) << failure.message();
  // The page cap, not the disk: the message says what the disk holds and claims no ENOSPC.
  EXPECT_NE(failure.message().find("bytes free in " + dir.path()), std::string::npos) << failure.message();
  EXPECT_EQ(failure.message().find("No space left"), std::string::npos) << failure.message();
  ASSERT_GT(recorded, 0);

  // Everything acknowledged is there, nothing of the failed decision, and the store still works.
  EXPECT_EQ(store.Pairs("L").value().size(), static_cast<size_t>(recorded));
  EXPECT_EQ(store.OutboxDepth("L").value(), recorded);
  EXPECT_EQ(store.Watermark("L", Side::kDefender).value(), T(recorded - 1));
  EXPECT_TRUE(store.IntegrityCheck().ok());
  EXPECT_TRUE(store.ConfirmWrite(store.DueWrites(T(0), 1).value().at(0).id, {}, {}, {}).ok());
  opened->reset();
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM pairs"), recorded);
}

TEST(StoreOpen, IntegrityCheckFindsOrphanRows) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  auto store = OpenStateStore(path);
  ASSERT_TRUE(store.ok());
  ASSERT_EQ(
      ExecSql(path, "INSERT INTO pair_bases VALUES ('L', 'gone', 'd.status 1 0: 0 1:x')"),
      "");
  Status s = (*store)->IntegrityCheck();
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("missing pair"), std::string::npos) << s.message();
}

// A second writer waits for the lock (busy_timeout) instead of failing.
TEST(StoreOpen, AWriterWaitsForAnotherWritersLock) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  auto store = OpenStateStore(path);
  ASSERT_TRUE(store.ok());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::thread release([other] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  Status s = (*store)->RecordDecision({.pairs = {MakePair("L", "1", "s-1")}});
  release.join();
  sqlite3_close(other);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace xdrsync::store::testing
