#include "request_log.h"

#include <regex>

namespace xdrsync::chaos {

using nlohmann::json;

namespace {

std::string FaultOf(const json& q) {
  const json& f = q.contains("fault") ? q["fault"] : json();
  return f.is_string() ? f.get<std::string>() : (f.is_null() ? "" : f.dump());
}

bool Effective(int status, const std::string& fault) {
  return status >= 200 && status < 300 && (fault.empty() || fault == "latency");
}

}  // namespace

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
    static const std::regex incident("^/(?:v1\\.0|beta)/security/incidents/([^/?]+)$");
    std::smatch m;
    if ((method == "GET" || method == "PATCH") && std::regex_match(path, m, incident)) {
      touches_.push_back({seq, method, m[1].str(), q.value("status", 0), FaultOf(q)});
    }
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
    w.fault = FaultOf(q);
    w.body = q.value("body", "");
    writes_.push_back(std::move(w));
  }
}

bool WriteRequest::effective() const { return Effective(status, fault); }

bool DefenderTouch::answered() const { return Effective(status, fault) || (status / 100 == 2 && fault == "unknown_enum"); }

std::string DefenderTouch::ToString() const {
  return method + " request " + std::to_string(seq) + " (" + std::to_string(status) +
         (fault.empty() ? "" : ", fault " + fault) + ")";
}

int64_t RequestLog::EffectiveWritesAfter(int64_t seq) const {
  int64_t n = 0;
  for (const auto& w : writes_) n += w.seq > seq && w.effective() ? 1 : 0;
  return n;
}

}  // namespace xdrsync::chaos
