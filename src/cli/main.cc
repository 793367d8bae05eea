// Composition root: parse the command line and hand over to the command. Everything else lives
// in the libraries.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"

int main(int argc, char** argv) {
  using namespace xdrsync::cli;
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--config" || a == "-c") && i + 1 < argc) {
      args.config_path = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      args.config_path = a.substr(9);
    } else if (a == "--help" || a == "-h" || a == "help") {
      std::fputs(Usage().c_str(), stdout);
      return kExitOk;
    } else if (a == "--version") {
      std::puts("xdrsync 0.1.0");
      return kExitOk;
    } else if (args.command.empty()) {
      args.command = a;
    } else {
      args.rest.push_back(a);
    }
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
  std::fprintf(stderr, "xdrsync: %s\n%s", args.command.empty() ? "no command given" : ("unknown command '" + args.command + "'").c_str(),
               Usage().c_str());
  return kExitUsage;
}
