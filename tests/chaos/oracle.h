// The verdict of a run, computed from the emulator's final world, its request journal, the
// daemon's state database and what the analysts did (History). See Check() for each rule.
#pragma once

#include <string>
#include <vector>

#include "history.h"
#include "request_log.h"
#include "state_db.h"
#include "world_index.h"

namespace xdrsync::chaos {

struct Verdict {
  int64_t lost = 0;        // a change (field, tag, comment, twin) that did not arrive, unjournaled
  int64_t duplicates = 0;  // a second twin, a comment twice on one incident
  int64_t echoes = 0;      // writes beyond what the changes needed, or any write while idle
  int64_t writes = 0;      // effective daemon writes during the whole run
  int64_t ambiguous = 0;   // accepted: both sides changed within the same few seconds
  int64_t state_errors = 0;
  int64_t unguarded = 0;   // a Defender PATCH sent without a read since the previous attempt
  // Accepted after a lost state only: a pair whose sides disagree with the disagreement journaled
  // (rebuilt pairs are journaled for an operator, never overwritten; spec §10).
  int64_t left_to_operator = 0;
  std::vector<std::string> problems;  // one line each, the first ones printed
};

struct OracleInput {
  const WorldIndex* world = nullptr;
  const History* history = nullptr;
  const RequestLog* log = nullptr;
  const StateSnapshot* state = nullptr;
  int64_t idle_writes = 0;  // effective writes during the idle window after settling
  int64_t idle_since_seq = 0;
  bool state_lost = false;  // the run lost the state database at least once
};

Verdict Check(const OracleInput& in);

}  // namespace xdrsync::chaos
