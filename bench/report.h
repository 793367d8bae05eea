// The bench's output: a table on stdout and the JSON document of `--json FILE`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "measures.h"

namespace xdrsync::bench {

nlohmann::json MachineJson();  // nproc and the CPU model
nlohmann::json ResultsJson(const Options& o, const Results& r, double total_seconds);
std::string Table(const Results& r);

}  // namespace xdrsync::bench
