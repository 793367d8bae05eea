#include "xdrsync/app/readiness.h"

namespace xdrsync::app {
namespace {

// The text up to the first ": " (a Status's code name, a phrase of ours).
std::string_view Head(std::string_view s) { return s.substr(0, s.find(": ")); }

}  // namespace

std::string PublicReadinessReason(std::string_view reason) {
  std::string out(Head(reason));
  // "last success <time>: <code>: <details>" keeps the code, which says what kind of trouble it is.
  if (out.rfind("last success ", 0) == 0 && out.size() < reason.size()) {
    out += ": ";
    out += Head(reason.substr(out.size()));
  }
  return out;
}

}  // namespace xdrsync::app
