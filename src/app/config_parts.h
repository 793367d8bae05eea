// Private to src/app: the section parsers ParseConfig assembles. Each reads one JSON object through
// an ObjectReader (which records the first problem) and fills the plain data of config.h.
#pragma once

#include "config_reader.h"
#include "xdrsync/app/config.h"

namespace xdrsync::app::detail {

void ReadTenant(ObjectReader& r, DefenderTenant& t);
void ReadWorkspace(ObjectReader& r, SentinelWorkspace& w);
// Everything but LinkPolicy::defender_tenant_id, which the caller sets once names are resolved.
void ReadLink(ObjectReader& r, LinkConfig& link);

}  // namespace xdrsync::app::detail
