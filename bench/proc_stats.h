// What the kernel knows about the daemon process: CPU time from /proc/PID/stat (user + system)
// and the peak resident set from /proc/PID/status (VmHWM). Read while it runs: a reaped process
// has no /proc entry, and a zombie has no VmHWM.
#pragma once

#include <sys/types.h>

namespace xdrsync::bench {

struct ProcSample {
  bool ok = false;
  double user_seconds = 0, system_seconds = 0;
  long peak_rss_kb = 0;  // VmHWM
  double cpu_seconds() const { return user_seconds + system_seconds; }
};

ProcSample ReadProc(pid_t pid);

}  // namespace xdrsync::bench
