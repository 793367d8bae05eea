#include "proc_stats.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace xdrsync::bench {

ProcSample ReadProc(pid_t pid) {
  ProcSample s;
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream stat(base + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return s;
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (int n = 3; fields >> field; ++n) {
    if (n == 14) s.user_seconds = std::stod(field) / ticks;
    if (n == 15) {
      s.system_seconds = std::stod(field) / ticks;
      s.ok = true;
      break;
    }
  }
  std::ifstream status(base + "/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) s.peak_rss_kb = std::stol(line.substr(6));
  }
  return s;
}

}  // namespace xdrsync::bench
