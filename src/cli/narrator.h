// The demo's voice: readable lines for what the engine does (it logs structured events; this
// logger turns the interesting ones into sentences) and the closing table of both sides.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "emulator.h"
#include "xdrsync/core/log.h"
#include "xdrsync/store/state_store.h"

namespace xdrsync::cli {

class Narrator {
 public:
  explicit Narrator(std::FILE* out) : out_(out) {}
  void Title(const std::string& text);
  void Line(const std::string& text);

 private:
  std::FILE* out_;
};

class NarratingLogger final : public Logger {
 public:
  explicit NarratingLogger(Narrator& say) : say_(say) {}
  void Log(LogLevel level, std::string_view event, const LogFields& fields) override;
  bool Enabled(LogLevel level) const override { return level >= LogLevel::kInfo; }

 private:
  Narrator& say_;
};

// Sentinel incident name -> title, of a workspace of the emulator.
std::map<std::string, std::string> ReadTwins(emulator::World& world, const std::string& tenant);

void PrintTable(Narrator& say, emulator::World& world, const std::vector<std::string>& tenants,
                const std::string& workspace_tenant, store::StateStore& store,
                const std::vector<std::string>& order);

}  // namespace xdrsync::cli
