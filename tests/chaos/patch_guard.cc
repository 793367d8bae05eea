// Read before every Defender PATCH (spec §9): Graph has no etag, so the daemon's only guard for a
// PATCH is a read of the incident right before it, and the window in which an analyst's edit can
// be overwritten is one round trip. A PATCH sent again without a new read — a transport retry after
// a 5xx or a 429, a client library's silent resend on a reused connection — stretches that window
// to the back-off and can write over an analyst's change. The rule, per incident in the order the
// emulator saw the daemon's requests: a PATCH follows an answered GET of the incident, or an
// answered PATCH that itself followed one (a first-time probe PATCH, then the rest of the write).
#include <map>

#include "oracle.h"

namespace xdrsync::chaos {

void CheckPatchGuards(const OracleInput& in, Verdict& v) {
  std::map<std::string, bool> guarded;  // by Defender incident id: the next PATCH has a fresh read
  std::map<std::string, int64_t> reported;
  for (const DefenderTouch& t : in.log->defender_touches()) {
    bool& g = guarded[t.id];
    if (t.method == "GET") {
      g = t.effective;
      continue;
    }
    if (!g) {
      ++v.unguarded;
      if (reported[t.id]++ == 0) {
        v.problems.push_back("defender incident " + t.id + ": PATCH (request " + std::to_string(t.seq) +
                             ") without a read of the incident since the previous attempt");
      }
    }
    g = t.effective;
  }
}

}  // namespace xdrsync::chaos
