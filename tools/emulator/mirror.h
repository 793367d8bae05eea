// How one incident looks through the other API when its workspace is onboarded to the Defender
// portal. The emulator keeps a Graph incident and its ARM twin and copies every change across
// with these functions, so both APIs read one object. The value mapping follows the Defender
// XDR connector's table (spec/api-sentinel.md §6.4); it is written independently of the daemon.
#pragma once

#include <vector>

#include "arm_model.h"
#include "graph_model.h"

namespace xdrsync::emulator {

inline constexpr char kDefenderProviderName[] = "Microsoft Defender XDR";

// Copies title, description, severity, status, classification, owner, tags and alert facts
// from the Graph incident into its ARM twin. Comments are copied as they are added, not here.
void ArmFromGraph(const GraphIncident& graph, const std::vector<const GraphAlert*>& alerts,
                  ArmIncident* arm);
// The reverse direction, after an ARM write. A redirected Graph incident stays redirected.
void GraphFromArm(const ArmIncident& arm, GraphIncident* graph);

}  // namespace xdrsync::emulator
