// Conversions between the state store's records and the reconciler's plain data.
#pragma once

#include <string>
#include <vector>

#include "xdrsync/reconcile/plan.h"
#include "xdrsync/store/records.h"

namespace xdrsync::engine {

reconcile::PairState ToPairState(const store::Pair& pair, const store::PairBases& bases);
store::Pair ToStorePair(const std::string& link, const reconcile::PairState& p, store::CreationWay way,
                        Timestamp now);
store::BaseMove ToBaseMove(const std::string& link, const reconcile::BaseUpdate& u);
std::vector<store::BaseMove> ToBaseMoves(const std::string& link, const std::vector<reconcile::BaseUpdate>& u);
store::Conflict ToStoreConflict(const std::string& link, const reconcile::Conflict& c, Timestamp now);
std::vector<store::AuditEntry> AuditOf(const std::string& link, const std::string& defender_id,
                                       const std::string& sentinel_id, domain::Side target,
                                       const std::vector<reconcile::FieldChange>& changes, Timestamp now);

}  // namespace xdrsync::engine
