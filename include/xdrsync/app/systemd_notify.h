// Service-manager notifications (sd_notify): READY once the configuration is loaded, the state
// migrated and the listener open; STATUS for `systemctl status`; WATCHDOG after real progress;
// STOPPING on SIGTERM. The engine sees the small Notifier interface, tests a fake of it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace xdrsync::app {

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Each returns true when the message was sent; false when there is no service manager to tell
  // (not started by systemd) or the send failed. Nothing here ever blocks for long or throws.
  virtual bool Ready(std::string_view status) = 0;
  virtual bool Status(std::string_view text) = 0;
  // Sends WATCHDOG=1 only when the service manager expects it (WatchdogSec= set for this process).
  virtual bool Watchdog() = 0;
  virtual bool Stopping() = 0;
  // How often the daemon should call Watchdog(): half the configured watchdog timeout, or zero
  // when there is no watchdog.
  virtual std::chrono::microseconds watchdog_ping_interval() const = 0;
};

// The real thing, over $NOTIFY_SOCKET. Reads the watchdog settings ($WATCHDOG_USEC and
// $WATCHDOG_PID) once, at construction. Thread-safe.
class SystemdNotifier final : public Notifier {
 public:
  SystemdNotifier();
  bool Ready(std::string_view status) override;
  bool Status(std::string_view text) override;
  bool Watchdog() override;
  bool Stopping() override;
  // Asks for more time for a slow start or stop (EXTEND_TIMEOUT_USEC).
  bool ExtendTimeout(std::chrono::microseconds extra);
  std::chrono::microseconds watchdog_ping_interval() const override { return watchdog_timeout_ / 2; }
  std::chrono::microseconds watchdog_timeout() const { return watchdog_timeout_; }

 private:
  std::chrono::microseconds watchdog_timeout_{0};
};

// The text of a STATUS= value: one line (a newline would start another assignment), at most
// 200 bytes of valid UTF-8.
std::string SanitizeStatus(std::string_view text);

}  // namespace xdrsync::app
