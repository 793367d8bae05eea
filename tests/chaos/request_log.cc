#include "request_log.h"

namespace xdrsync::chaos {

using nlohmann::json;

void RequestLog::Harvest() {
  const ControlReply r = emu_.Call("GET", "/requests");
  if (!r.ok()) return;
  const json all = r.body.value("requests", json::array());
  bool first = true;
  for (const auto& q : all) {
    const int64_t seq = q.value("seq", int64_t{0});
    if (seq <= last_seq_) continue;
    // A gap between what we hold and the oldest entry kept: the journal dropped some.
    if (first && last_seq_ >= 0 && seq > last_seq_ + 1) overflowed_ = true;
    first = false;
    last_seq_ = seq;
    ++requests_;
    const std::string method = q.value("method", "");
    const std::string path = q.value("path", "");
    if (method == "GET" || path.rfind("/_control", 0) == 0 || path.find("/oauth2/") != std::string::npos ||
        path.find("/token") != std::string::npos) {
      continue;
    }
    WriteRequest w;
    w.seq = seq;
    w.method = method;
    w.path = path;
    w.status = q.value("status", 0);
    w.time = q.value("time", "");
    w.fault = q["fault"].is_string() ? q["fault"].get<std::string>() : (q["fault"].is_null() ? "" : q["fault"].dump());
    w.body = q.value("body", "");
    writes_.push_back(std::move(w));
  }
}

int64_t RequestLog::EffectiveWritesAfter(int64_t seq) const {
  int64_t n = 0;
  for (const auto& w : writes_) n += w.seq > seq && w.effective() ? 1 : 0;
  return n;
}

}  // namespace xdrsync::chaos
