// The emulator's request journal, harvested as the run goes (it keeps only its last 20,000
// entries): every request the daemon made that could change something, i.e. everything but GETs,
// token requests and the control API (the harness makes its changes through the control API, so
// the public API requests are all the daemon's).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "emulator.h"

namespace xdrsync::chaos {

struct WriteRequest {
  int64_t seq = 0;
  std::string method, path, fault, body;  // body: as the emulator logged it (its first 8 KiB)
  std::string time;                       // when the emulator answered, on its clock (ISO 8601)
  int status = 0;
  // Took effect and was answered: a 2xx without an injected fault. A request whose effect the
  // daemon never heard of (a fault after applying) is not counted: the daemon must look again,
  // not write again, and a write it makes after looking is counted on its own.
  bool effective() const;
};

// A read or a PATCH of one Defender incident, for the read-before-PATCH rule (patch_guard.cc).
struct DefenderTouch {
  int64_t seq = 0;
  std::string method, id;
  int status = 0;
  std::string fault;  // the emulator's injected fault, "" for none
  // Answered 2xx with a body the daemon could read: no fault, or one that only delays the answer or
  // puts an enum member it does not know into it (read leniently, spec §4).
  bool answered() const;
  std::string ToString() const;  // "GET request 123 (200, fault unknown_enum)"
};

class RequestLog {
 public:
  explicit RequestLog(const Emulator& emu) : emu_(emu) {}
  void Harvest();
  int64_t last_seq() const { return last_seq_; }
  int64_t requests() const { return requests_; }
  bool overflowed() const { return overflowed_; }
  const std::vector<WriteRequest>& writes() const { return writes_; }
  const std::vector<DefenderTouch>& defender_touches() const { return touches_; }
  int64_t EffectiveWritesAfter(int64_t seq) const;

 private:
  const Emulator& emu_;
  int64_t last_seq_ = -1;
  int64_t requests_ = 0;
  bool overflowed_ = false;
  std::vector<WriteRequest> writes_;
  std::vector<DefenderTouch> touches_;
};

}  // namespace xdrsync::chaos
