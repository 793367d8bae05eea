// Private to src/api: gathers the pages of one listing into a Listing<T>. Overlapping reads (the
// watermark overlap, time-boundary continuation, a service repeating an item across pages) give
// the same item more than once; it is kept once, at its newest version, and the result is sorted
// oldest first. Repeated item errors are kept once too.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "xdrsync/api/clients.h"
#include "xdrsync/api/page.h"

namespace xdrsync::api::detail {

template <typename T, std::string T::*kKey, Timestamp T::*kStamp>
class ListingCollector {
 public:
  // Stamps later than `newest_limit` (our clock plus a skew allowance) are kept but do not count as
  // the newest: a continuation or a watermark taken from a stamp in 2099 would skip everything
  // between now and then.
  explicit ListingCollector(std::optional<Timestamp> newest_limit = std::nullopt) : limit_(newest_limit) {}

  // Takes one page; returns how many items were new or newer than the copy already held.
  size_t Add(Page<T>&& page) {
    size_t added = 0;
    for (T& item : page.items) {
      const Timestamp stamp = item.*kStamp;
      if ((!limit_ || stamp <= *limit_) && (!newest_ || *newest_ < stamp)) newest_ = stamp;
      const auto [it, inserted] = index_.try_emplace(item.*kKey, items_.size());
      if (inserted) {
        items_.push_back(std::move(item));
        ++added;
      } else if (items_[it->second].*kStamp < stamp) {
        items_[it->second] = std::move(item);
        ++added;
      }
    }
    for (ItemError& error : page.errors) {
      if (error_keys_.insert(error.id + "\n" + error.status.message()).second) errors_.push_back(std::move(error));
    }
    return added;
  }

  std::optional<Timestamp> newest() const { return newest_; }
  std::vector<T>& items() { return items_; }
  std::vector<ItemError>& errors() { return errors_; }

  Listing<T> Finish() && {
    std::stable_sort(items_.begin(), items_.end(), [](const T& a, const T& b) { return a.*kStamp < b.*kStamp; });
    Listing<T> out;
    out.items = std::move(items_);
    out.errors = std::move(errors_);
    out.newest = newest_;
    return out;
  }

 private:
  std::vector<T> items_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<ItemError> errors_;
  std::set<std::string> error_keys_;
  std::optional<Timestamp> newest_;
  std::optional<Timestamp> limit_;
};

}  // namespace xdrsync::api::detail
