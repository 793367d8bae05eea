// A fixture for tests that put the daemon's state on a filesystem of their own: a small tmpfs,
// mounted by this test process inside a private mount namespace (the emulator and the daemon it
// starts inherit it; nothing shows on the host), that the test can fill, free and make read-only.
#pragma once

#include <string>

#include "control_client.h"
#include "sync_fixture.h"

namespace xdrsync::integration {

class StateMountTest : public SyncTest {
 protected:
  void TearDown() override;

  // Mounts a tmpfs of `size` (e.g. "8m") on dir_/state. Skips the test when this process may not
  // make a mount namespace or mount (not root, or a container without CAP_SYS_ADMIN), unless
  // XDRSYNC_REQUIRE_MOUNTS is set (CI), which makes that a failure.
  void MountState(const std::string& size);
  // Points the config's state at the mount and the health server at a free loopback port.
  void UseStateMount();
  // Writes a filler file until the filesystem refuses the next byte; FreeState deletes it.
  void FillState();
  void FreeState();
  void RemountState(bool read_only);

  HttpReply Readyz() const;
  // The Defender watermark line of `xdrsync status` ("2026-… (12 s ago)" without the age).
  std::string DefenderWatermark();

  std::string state_dir_;
  std::string size_;
  std::string port_;
};

// Lines of a JSON-lines log whose event is `event` and that contain `also`; FailedCycles: failed
// `cycle.done` lines.
size_t Events(const std::string& log, const std::string& event, const std::string& also = "");
size_t FailedCycles(const std::string& log);

}  // namespace xdrsync::integration
