// Composition root: parse the command line and hand over to the command. Everything else lives
// in the libraries.
#include <sys/stat.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "args.h"
#include "commands.h"
#include "common.h"
#include "healthcheck.h"

int main(int argc, char** argv) {
  using namespace xdrsync::cli;
  // The state database, its WAL and anything else we create hold incident titles, owners and the
  // audit trail: readable by this user only, whoever starts us (the unit's UMask= covers systemd).
  ::umask(0077);
#if defined(__GLIBC__)
  // glibc gives each thread that allocates an arena of its own (up to 8 a core) and each arena
  // keeps what it once held: the HTTP client's worker threads hold response pages in theirs, so
  // most of a large daemon's resident set was freed memory kept, not live data (2,000 pairs: 132 MB
  // resident, 58 MB with two arenas; docs/performance.md). MALLOC_ARENA_MAX, when set, decides.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) ::mallopt(M_ARENA_MAX, 2);
#endif
  auto parsed = ParseArgs(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "xdrsync: %s\n", Printable(parsed.status().message()).c_str());
    return kExitUsage;
  }
  const Args& args = *parsed;
  if (args.command == "help") {
    std::fputs(Usage().c_str(), stdout);
    return kExitOk;
  }
  if (args.command == "version") {
    std::puts("xdrsync 0.1.0");
    return kExitOk;
  }
  if (args.command == "check-config") return CheckConfig(args);
  if (args.command == "run") return Run(args);
  if (args.command == "once") return Once(args);
  if (args.command == "plan") return Plan(args);
  if (args.command == "status") return Status(args);
  if (args.command == "audit") return Audit(args);
  if (args.command == "rebuild-state") return RebuildState(args);
  if (args.command == "approve") return Approve(args);
  if (args.command == "demo") return Demo(args);
  if (args.command == "healthcheck") return Healthcheck(args);
  if (args.command == "forget") return Forget(args);
  if (args.command == "resync") return Resync(args);
  if (args.command == "remap") return Remap(args);
  std::fprintf(stderr, "xdrsync: command '%s' has no handler\n", Printable(args.command).c_str());
  return kExitUsage;
}
