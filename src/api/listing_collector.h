// Private to src/api: gathers the pages of one listing into a Listing<T>. Overlapping reads (the
// watermark overlap, time-boundary continuation, a service repeating an item across pages) give
// the same item more than once; it is kept once, at its newest version, and the result is sorted
// oldest first. Repeated item errors are kept once too.
//
// With a sink (PassTo), items are not held: each page's new or newer items go to the sink as the
// page is added (after `prepare`, which may move items into the errors), and only each item's key
// and stamp are kept to tell a repeat from a newer copy. A listing of every open incident then
// costs the caller what it keeps, not the whole listing.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
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

  using Prepare = std::function<Status(std::vector<T>& items, std::vector<ItemError>& errors)>;

  // From now on, new and newer items go to `sink` (after `prepare`, when set) instead of being held.
  void PassTo(PageSink<T> sink, Prepare prepare = nullptr) {
    sink_ = std::move(sink);
    prepare_ = std::move(prepare);
  }

  // Takes one page; returns how many items were new or newer than the copy already held (or
  // passed on). With a sink, a failure of `prepare` or the sink is kept in status().
  size_t Add(Page<T>&& page) {
    size_t added = 0;
    std::vector<T> passed;
    for (T& item : page.items) {
      const Timestamp stamp = item.*kStamp;
      if ((!limit_ || stamp <= *limit_) && (!newest_ || *newest_ < stamp)) newest_ = stamp;
      if (sink_) {
        const auto [it, inserted] = stamps_.try_emplace(item.*kKey, stamp);
        if (!inserted && !(it->second < stamp)) continue;
        it->second = stamp;
        passed.push_back(std::move(item));
        ++added;
        continue;
      }
      const auto [it, inserted] = index_.try_emplace(item.*kKey, items_.size());
      if (inserted) {
        items_.push_back(std::move(item));
        ++added;
      } else if (items_[it->second].*kStamp < stamp) {
        items_[it->second] = std::move(item);
        ++added;
      }
    }
    for (ItemError& error : page.errors) KeepError(std::move(error));
    if (sink_ && status_.ok() && !passed.empty()) Pass(std::move(passed));
    return added;
  }

  // Ok, or the failure of a sink or its `prepare` (the listing must end with it).
  const Status& status() const { return status_; }
  // Items handed to the sink so far.
  size_t passed() const { return passed_; }

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
  void KeepError(ItemError&& error) {
    if (error_keys_.insert(error.id + "\n" + error.status.message()).second) errors_.push_back(std::move(error));
  }

  void Pass(std::vector<T>&& items) {
    if (prepare_) {
      std::vector<ItemError> failed;
      status_ = prepare_(items, failed);
      for (ItemError& error : failed) KeepError(std::move(error));
      if (!status_.ok()) return;
    }
    passed_ += items.size();
    if (!items.empty()) status_ = sink_(std::move(items));
  }

  std::vector<T> items_;
  std::unordered_map<std::string, size_t> index_;
  PageSink<T> sink_;
  Prepare prepare_;
  std::unordered_map<std::string, Timestamp> stamps_;  // with a sink: each key's newest stamp passed
  Status status_ = Status::Ok();
  size_t passed_ = 0;
  std::vector<ItemError> errors_;
  std::set<std::string> error_keys_;
  std::optional<Timestamp> newest_;
  std::optional<Timestamp> limit_;
};

}  // namespace xdrsync::api::detail
