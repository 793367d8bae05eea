// The process the crash test kills: it opens the state file given as its argument, continues after
// the last sequence number recorded there, and records decisions forever, writing each sequence
// number to stdout only after its commit returned (after a "ready" line once the store is open).
// Those lines are the acknowledgements the test holds the store to. With --batch, each decision is
// followed by one StateStore::Apply that confirms its three writes (a base move and an audit row
// each) and records "confirmed" = seq; the sequence number is written after that batch committed.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "crash_decision.h"

int main(int argc, char** argv) {
  using namespace xdrsync::store;
  const bool batch = argc == 3 && std::string(argv[2]) == "--batch";
  if (argc != 2 && !batch) {
    std::fprintf(stderr, "usage: store_crash_child STATE_FILE [--batch]\n");
    return 2;
  }
  auto store = OpenStateStore(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 3;
  }
  auto last = (*store)->LinkMeta(testing::kCrashLink, "seq");
  if (!last.ok()) {
    std::fprintf(stderr, "%s\n", last.status().ToString().c_str());
    return 4;
  }
  int64_t seq = last->has_value() ? std::stoll(**last) + 1 : 1;
  // Marks where this run's acknowledgements begin; the test times some kills from the first one.
  if (write(STDOUT_FILENO, "ready\n", 6) != 6) return 6;
  for (;; ++seq) {
    std::vector<int64_t> ids;
    xdrsync::Status s = (*store)->RecordDecision(testing::CrashDecision(seq), &ids);
    if (s.ok() && batch) s = (*store)->Apply(testing::CrashConfirmations(seq, ids)).status();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 5;
    }
    // write(2), not stdio: nothing may sit in a user-space buffer when the kill comes.
    std::string line = std::to_string(seq) + "\n";
    if (write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      return 6;
  }
}
