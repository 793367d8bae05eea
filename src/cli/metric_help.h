// Descriptions (# HELP, # TYPE) of the sync metrics that are counted without one.
#pragma once

#include "xdrsync/core/metrics.h"

namespace xdrsync::app {

void DescribeSyncMetrics(Metrics& metrics);

}  // namespace xdrsync::app
