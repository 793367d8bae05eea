// kill -9 at random instants (spec §10): after each kill the file passes integrity_check, every
// decision is wholly present or wholly absent, and no acknowledged decision is missing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "crash_decision.h"
#include "store_test_util.h"

extern char** environ;

namespace xdrsync::store::testing {
namespace {

struct ChildRun {
  std::vector<int64_t> acked;
  int wait_status = 0;
};

// True once `text` holds the "ready" line and the first acknowledgement after it.
bool HasFirstAck(const std::string& text) {
  size_t ready = text.find("ready\n");
  return ready != std::string::npos && text.find('\n', ready + 6) != std::string::npos;
}

// Reads from `fd` into `text` until the child acknowledged its first decision of this run, closed
// its end, or 10 s passed.
void AwaitFirstAck(int fd, std::string& text) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  char buf[4096];
  while (!HasFirstAck(text) && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return;
    text.append(buf, static_cast<size_t>(n));
  }
}

// Starts the child on `path`, SIGKILLs it `delay` after its start (or, with `mid_stream`, after its
// first commit), and collects the sequence numbers it acknowledged.
ChildRun RunAndKill(const std::string& path, const std::string& stderr_path,
                    std::chrono::milliseconds delay, bool mid_stream, bool batch = false) {
  ChildRun run;
  int out[2];
  if (pipe(out) != 0) return run;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, out[1]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::string child = STORE_CRASH_CHILD;
  std::string batch_flag = "--batch";
  char* argv[] = {child.data(), const_cast<char*>(path.c_str()), batch ? batch_flag.data() : nullptr, nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, child.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return run;
  }
  std::string text;
  if (mid_stream) AwaitFirstAck(out[0], text);
  std::this_thread::sleep_for(delay);
  kill(pid, SIGKILL);
  waitpid(pid, &run.wait_status, 0);
  // The pipe keeps what the child wrote before it died; only whole lines are acknowledgements.
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<size_t>(n));
  close(out[0]);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!lines.eof() && line != "ready") run.acked.push_back(std::stoll(line));
  }
  return run;
}

// Rows per sequence number in one table (the sequence number leads every Defender id).
std::map<int64_t, int64_t> RowsPerSeq(const std::string& path, const std::string& table) {
  std::map<int64_t, int64_t> counts;
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::string sql =
      "SELECT CAST(substr(defender_id, 1, instr(defender_id, '/') - 1) AS INTEGER), "
      "count(*) FROM " +
      table + " WHERE link = 'crash' GROUP BY 1";
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW)
      counts[sqlite3_column_int64(st, 0)] = sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return counts;
}

// Checks the file after a kill; returns the highest recorded sequence number.
// With `confirmed_writes` the outbox is left out: the child confirms (deletes) its decisions' rows.
int64_t VerifyAfterKill(const std::string& path, const std::set<int64_t>& acked, bool confirmed_writes = false) {
  auto store = OpenStateStore(path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return 0;
  Status integrity = (*store)->IntegrityCheck();
  EXPECT_TRUE(integrity.ok()) << integrity.ToString();
  auto meta = (*store)->LinkMeta(kCrashLink, "seq");
  EXPECT_TRUE(meta.ok());
  int64_t last = meta.ok() && meta->has_value() ? std::stoll(**meta) : 0;
  auto mark = (*store)->Watermark(kCrashLink, Side::kDefender);
  EXPECT_EQ(mark.ok() && mark->has_value() ? (*mark)->ticks() : 0, last);
  store->reset();

  std::map<std::string, int64_t> expected = {
      {"pairs", kCrashPairs}, {"pair_bases", kCrashPairs}, {"observed", kCrashPairs}, {"outbox", kCrashPairs}, {"audit", 1}};
  if (confirmed_writes) expected.erase("outbox");
  for (const auto& [table, per_decision] : expected) {
    auto counts = RowsPerSeq(path, table);
    // Decisions 1..last wholly present, none beyond.
    EXPECT_EQ(static_cast<int64_t>(counts.size()), last) << table;
    for (const auto& [seq, n] : counts) {
      EXPECT_TRUE(seq >= 1 && seq <= last) << table << " has rows of decision " << seq;
      EXPECT_EQ(n, per_decision) << table << ": decision " << seq << " is partial";
    }
  }
  EXPECT_TRUE(acked.empty() || *acked.rbegin() <= last)
      << "acknowledged decision " << *acked.rbegin() << " lost; store ends at " << last;
  return last;
}

TEST(StoreCrash, SigkillAtRandomInstantsLosesNoAcknowledgedDecision) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  std::mt19937 rng(20250601);
  std::uniform_int_distribution<int> delay_ms(2, 40);
  std::set<int64_t> acked;
  int kills = 0;
  int kills_mid_stream = 0;  // kills that landed after the child had committed something
  int64_t last = 0;
  for (int round = 0; round < 60; ++round) {
    // Even rounds time the kill from the spawn (exec, open, WAL recovery, migration), odd rounds
    // from the first commit, so half the kills land among commits whatever the speed of the disk.
    ChildRun run = RunAndKill(path, dir.File("child.err"), std::chrono::milliseconds(delay_ms(rng)),
                              round % 2 == 1);
    ASSERT_TRUE(WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGKILL)
        << "the child ended by itself (status " << run.wait_status
        << "); see its stderr: " << std::ifstream(dir.File("child.err")).rdbuf();
    ++kills;
    acked.insert(run.acked.begin(), run.acked.end());
    if (!run.acked.empty()) ++kills_mid_stream;
    int64_t now_last = VerifyAfterKill(path, acked);
    ASSERT_GE(now_last, last) << "decisions disappeared between rounds";
    last = now_last;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GE(kills, 50);
  EXPECT_GE(kills_mid_stream, 30);
  RecordProperty("kills", kills);
  RecordProperty("kills_mid_stream", kills_mid_stream);
  RecordProperty("acknowledged", static_cast<int>(acked.size()));
  RecordProperty("decisions", static_cast<int>(last));
}

// A batch of confirmations killed at any instant: all of it or none of it, never an acknowledged
// one missing. A decision whose batch was lost keeps its writes in the outbox (the engine re-plans
// them); a restarted child goes on with the next decision.
TEST(StoreCrash, SigkillMidBatchLeavesAllOrNothingOfIt) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> delay_ms(2, 40);
  std::set<int64_t> acked;
  int kills_mid_stream = 0;
  for (int round = 0; round < 20; ++round) {
    ChildRun run = RunAndKill(path, dir.File("child.err"), std::chrono::milliseconds(delay_ms(rng)), true, true);
    ASSERT_TRUE(WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGKILL)
        << "the child ended by itself (status " << run.wait_status
        << "); see its stderr: " << std::ifstream(dir.File("child.err")).rdbuf();
    acked.insert(run.acked.begin(), run.acked.end());
    if (!run.acked.empty()) ++kills_mid_stream;
    const int64_t last = VerifyAfterKill(path, {}, true);  // decisions whole, none beyond the last
    const auto outbox = RowsPerSeq(path, "outbox");
    std::map<int64_t, int64_t> confirmed;
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT CAST(substr(defender_id, 1, instr(defender_id, '/') - 1) AS INTEGER), count(*) "
                       "FROM audit WHERE link = 'crash-confirm' GROUP BY 1",
                       -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) confirmed[sqlite3_column_int64(st, 0)] = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    for (int64_t seq = 1; seq <= last; ++seq) {
      const int64_t c = confirmed.count(seq) ? confirmed.at(seq) : 0;
      const int64_t o = outbox.count(seq) ? outbox.at(seq) : 0;
      EXPECT_TRUE((c == kCrashPairs && o == 0) || (c == 0 && o == kCrashPairs))
          << "decision " << seq << ": " << c << " confirmations, " << o << " pending writes";
      if (acked.count(seq)) {
        EXPECT_EQ(c, kCrashPairs) << "acknowledged batch " << seq << " lost";
      }
    }
    EXPECT_TRUE(confirmed.empty() || confirmed.rbegin()->first <= last);
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GE(kills_mid_stream, 10);
}

// Kills that land while the child creates and migrates a fresh file: the schema is all or nothing.
TEST(StoreCrash, SigkillDuringFirstOpenLeavesAUsableFile) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> delay_ms(1, 6);
  for (int round = 0; round < 10; ++round) {
    TempDir dir;
    const std::string path = dir.File("state.db");
    ChildRun run =
        RunAndKill(path, dir.File("child.err"), std::chrono::milliseconds(delay_ms(rng)), false);
    ASSERT_TRUE(WIFSIGNALED(run.wait_status)) << run.wait_status;
    VerifyAfterKill(path, {run.acked.begin(), run.acked.end()});
    EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), kSchemaVersion);
  }
}

}  // namespace
}  // namespace xdrsync::store::testing
