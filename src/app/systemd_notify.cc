#include "xdrsync/app/systemd_notify.h"

#include <systemd/sd-daemon.h>

#include "xdrsync/core/strings.h"

namespace xdrsync::app {
namespace {

bool Send(const std::string& message) {
  // unset_environment = 0: the daemon may be asked for STATUS and WATCHDOG many times.
  return sd_notify(0, message.c_str()) > 0;
}

}  // namespace

std::string SanitizeStatus(std::string_view text) {
  constexpr size_t kMaxStatus = 200;
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (!IsValidUtf8(out)) {
    std::string ascii;
    for (char c : out) ascii += static_cast<unsigned char>(c) < 0x80 ? c : '?';
    out = std::move(ascii);
  }
  return Utf8Prefix(out, kMaxStatus);
}

SystemdNotifier::SystemdNotifier() {
  uint64_t usec = 0;
  // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID (if set) names this process.
  if (sd_watchdog_enabled(0, &usec) > 0) watchdog_timeout_ = std::chrono::microseconds(usec);
}

bool SystemdNotifier::Ready(std::string_view status) {
  return Send("READY=1\nSTATUS=" + SanitizeStatus(status));
}

bool SystemdNotifier::Status(std::string_view text) { return Send("STATUS=" + SanitizeStatus(text)); }

bool SystemdNotifier::Watchdog() {
  if (watchdog_timeout_.count() == 0) return false;
  return Send("WATCHDOG=1");
}

bool SystemdNotifier::Stopping() { return Send("STOPPING=1"); }

bool SystemdNotifier::ExtendTimeout(std::chrono::microseconds extra) {
  return Send("EXTEND_TIMEOUT_USEC=" + std::to_string(extra.count()));
}

}  // namespace xdrsync::app
