// The process the crash test kills: it opens the state file given as its argument, continues after
// the last sequence number recorded there, and records decisions forever, writing each sequence
// number to stdout only after its commit returned (after a "ready" line once the store is open).
// Those lines are the acknowledgements the test holds the store to.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "crash_decision.h"

int main(int argc, char** argv) {
  using namespace xdrsync::store;
  if (argc != 2) {
    std::fprintf(stderr, "usage: store_crash_child STATE_FILE\n");
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
    xdrsync::Status s = (*store)->RecordDecision(testing::CrashDecision(seq));
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
