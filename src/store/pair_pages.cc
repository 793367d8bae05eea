// ForEachPair (include/xdrsync/store/state_store.h): every pair of a link, a page at a time.
#include <functional>
#include <string>

#include "xdrsync/store/state_store.h"

namespace xdrsync::store {

Status ForEachPair(StateStore& store, const std::string& link, const std::function<Status(const Pair&)>& visit,
                   int64_t page_size) {
  std::string after;
  for (;;) {
    auto page = store.PairsAfter(link, after, page_size);
    if (!page.ok()) return page.status();
    for (const auto& p : *page) {
      if (Status s = visit(p); !s.ok()) return s;
    }
    if (static_cast<int64_t>(page->size()) < page_size) return Status::Ok();
    after = page->back().key.defender_id;
  }
}

}  // namespace xdrsync::store
