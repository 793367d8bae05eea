// Read before every Defender PATCH (spec §9): Graph has no etag, so the daemon's only guard for a
// PATCH is a read of the incident right before it, and the window in which an analyst's edit can
// be overwritten is one round trip. A PATCH sent again without a new read — a transport retry after
// a 5xx or a 429, a client library's silent resend on a reused connection — stretches that window
// to the back-off and can write over an analyst's change. The rule, per incident in the order the
// emulator saw the daemon's requests: a PATCH directly follows an answered GET of the incident,
// with no other PATCH in between (a first-time probe PATCH is read after too). An answer whose
// status the emulator replaced with an unknown enum member (fault unknown_enum) is a read: the
// daemon reads it leniently. The problem line names the touch before the PATCH.
#include <map>

#include "oracle.h"

namespace xdrsync::chaos {

void CheckPatchGuards(const OracleInput& in, Verdict& v) {
  // By Defender incident id: the last touch (nothing yet: no read either).
  std::map<std::string, const DefenderTouch*> last;
  std::map<std::string, int64_t> reported;
  for (const DefenderTouch& t : in.log->defender_touches()) {
    const DefenderTouch*& before = last[t.id];
    if (t.method == "PATCH" && (before == nullptr || before->method != "GET" || !before->answered())) {
      ++v.unguarded;
      if (reported[t.id]++ == 0) {
        // The touch before it, so a kept run's journal is not needed to see why.
        v.problems.push_back("defender incident " + t.id + ": PATCH (request " + std::to_string(t.seq) +
                             ") without a read of the incident since the previous attempt (before it: " +
                             (before ? before->ToString() : "nothing") + ")");
      }
    }
    before = &t;
  }
}

}  // namespace xdrsync::chaos
