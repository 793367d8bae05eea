// Read-only looks into the daemon's SQLite state (WAL: safe beside the running daemon): the outbox
// depth, the conflict journal, the quarantine and PRAGMA integrity_check.
#pragma once

#include <set>
#include <string>
#include <tuple>

namespace xdrsync::chaos {

struct StateSnapshot {
  bool opened = false;
  std::string integrity;  // "ok" when PRAGMA integrity_check passes (only when asked for)
  long outbox = -1;       // rows in the outbox
  long quarantined = -1;  // rows in quarantine
  std::set<std::tuple<std::string, std::string, std::string>> conflicts;  // (link, defender id, field)
};

StateSnapshot ReadState(const std::string& path, bool integrity_check);

}  // namespace xdrsync::chaos
