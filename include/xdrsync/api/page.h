// One page of a paged list as the codecs return it: what parsed, what did not, and where the next
// page is. A bad item is reported beside the good ones instead of failing the page, so one odd
// incident cannot hide the rest of a tenant from the sync.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "xdrsync/core/status.h"

namespace xdrsync::api {

struct ItemError {
  size_t index = 0;  // position in the page's `value` array
  std::string id;    // the item's id (Graph `id`, ARM `name`) when it was readable, else ""
  Status status;     // kParseError; the message names the item and the field
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::vector<ItemError> errors;
  std::string next_link;  // empty on the last page; a page may be empty and still have one
};

}  // namespace xdrsync::api
