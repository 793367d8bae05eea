// The `xdrsync` command line: one function per command, each returning the process exit code
// (0 ok, 1 a link failed as a whole, 64 usage, 75 the state is locked by a running daemon,
// 78 bad configuration).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace xdrsync::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitLinkFailed = 1;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitTempFail = 75;  // EX_TEMPFAIL: a running daemon holds the state; retry after
inline constexpr int kExitConfig = 78;

struct Args {
  std::string config_path = "/etc/xdrsync/xdrsync.json";
  std::string command;
  std::vector<std::string> rest;  // positional arguments after the command
  std::map<std::string, std::string> options;  // the command's options ("--limit" -> "20")
  std::set<std::string> flags;                  // the command's options without a value ("--dry-run")
};

int CheckConfig(const Args& args);
int Run(const Args& args);
int Once(const Args& args);
int Plan(const Args& args);
int Status(const Args& args);
int Audit(const Args& args);
int RebuildState(const Args& args);
int Approve(const Args& args);
int Demo(const Args& args);
int Forget(const Args& args);
int Resync(const Args& args);
int Remap(const Args& args);

std::string Usage();

}  // namespace xdrsync::cli
