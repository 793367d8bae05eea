// The state directory out of resources: a full disk and a read-only mount under the real `xdrsync
// run`. The state lives on a small tmpfs that this test process mounts in a mount namespace of its
// own (so the emulator and the daemon it starts see it, and the host does not); CI runs as root,
// which ignores file modes, so only a full or read-only filesystem makes SQLite fail.
#include <signal.h>

#include "resources_fixture.h"

namespace xdrsync::integration {
namespace {

using nlohmann::json;

// Analysts change both sides while the state cannot be written: returns the id of the incident
// born meanwhile. The emulator's clock moves on first, so these changes are stamped after
// everything the daemon recorded (a watermark that moved would have to move past them).
std::string ChangeBothSides(const EmulatorProcess& emu, const std::string& id, const std::string& twin_name) {
  emu.Call("POST", "/clock", {{"advance_seconds", 120}});
  emu.UpdateIncident(kContoso, id, {{"severity", "high"}, {"author", "alice@contoso.com"}});
  emu.CommentArm(kWorkspace, twin_name, "S-while-unwritable", "sam@soc.example");
  return emu.CreateIncident(kContoso, {{"displayName", "Born while the state was unwritable"},
                                       {"severity", "medium"},
                                       {"comments", {"D-while-unwritable"}},
                                       {"author", "bob@contoso.com"}});
}

class ResourcesTest : public StateMountTest {
 protected:
  // The state on an 8 MB tmpfs, one incident synced by a running daemon (id_), ready.
  std::unique_ptr<ChildProcess> StartSynced() {
    MountState("8m");
    if (IsSkipped() || HasFatalFailure()) return nullptr;
    StartEmulator();
    if (HasFatalFailure()) return nullptr;
    UseStateMount();
    id_ = emu_->CreateIncident(kContoso, {{"displayName", "Synced before"}, {"severity", "low"}});
    auto daemon = StartDaemon();
    EXPECT_TRUE(WaitFor([&] { return Twin(id_).is_object() && Readyz().status == 200; }))
        << daemon->Stdout() << daemon->Stderr();
    return daemon;
  }

  // Everything ChangeBothSides did has reached the other side, exactly once.
  void ExpectConverged(const std::string& id, const std::string& born) {
    ASSERT_TRUE(WaitFor([&] { return Twin(born).is_object(); }, std::chrono::seconds(60)))
        << "the incident born while the state was unwritable has no twin";
    EXPECT_TRUE(WaitFor([&] { return Twin(id)["properties"].value("severity", "") == "High"; }));
    EXPECT_TRUE(WaitFor([&] {
      return CountContaining(CommentTexts(emu_->Incident(kContoso, id)), "S-while-unwritable") == 1 &&
             CountContaining(ArmCommentTexts(Twin(born)), "D-while-unwritable") == 1;
    })) << Twin(born).dump();
    EXPECT_EQ(emu_->ArmIncidents(kWorkspace).size(), 2u) << "one twin per incident";
  }

  // A daemon started on a state it cannot write waits, says why once in its log and on /readyz.
  void ExpectWaitingNotReady(ChildProcess& daemon, const std::string& os_reason) {
    ASSERT_TRUE(WaitFor([&] { return Events(daemon.Stdout(), "state.unwritable") == 1 || !daemon.running(); }))
        << daemon.Stdout() << daemon.Stderr();
    ASSERT_TRUE(daemon.running()) << daemon.Stdout() << daemon.Stderr();
    EXPECT_EQ(Events(daemon.Stdout(), "state.unwritable", os_reason), 1u) << daemon.Stdout();
    const HttpReply ready = Readyz();
    EXPECT_EQ(ready.status, 503) << ready.body;
    EXPECT_NE(ready.body.find("state not writable"), std::string::npos) << ready.body;
    EXPECT_NE(ready.body.find(state_dir_), std::string::npos) << ready.body;
    EXPECT_NE(ready.body.find(os_reason), std::string::npos) << ready.body;
  }

  // Converged, ready again, and stops cleanly.
  void ExpectRecovered(ChildProcess& daemon, const std::string& born) {
    ASSERT_NO_FATAL_FAILURE(ExpectConverged(id_, born));
    EXPECT_TRUE(WaitFor([&] { return Readyz().status == 200; })) << Readyz().body;
    daemon.Signal(SIGTERM);
    EXPECT_EQ(daemon.Wait(std::chrono::seconds(12)).exit_code, 0);
  }

  std::string id_;
};

TEST_F(ResourcesTest, AFullDiskHoldsTheWatermarkFailsReadinessLosesNothingAndRecoversWithoutARestart) {
  auto daemon = StartSynced();
  if (IsSkipped() || HasFailure()) return;
  const std::string& id = id_;
  const std::string watermark = DefenderWatermark();

  ASSERT_NO_FATAL_FAILURE(FillState());
  const std::string born = ChangeBothSides(*emu_, id, Twin(id).value("name", ""));

  // Not ready, and the reason says what and where.
  ASSERT_TRUE(WaitFor([&] { return Readyz().status == 503; }, std::chrono::seconds(30)))
      << Readyz().body << daemon->Stdout();
  const std::string reason = Readyz().Json()["not_ready"][0].value("reason", "");
  EXPECT_NE(reason.find(state_dir_), std::string::npos) << reason;
  EXPECT_NE(reason.find("No space left on device"), std::string::npos) << reason;

  // While it lasts, nothing reaches either service (a write is only made once it is recorded),
  // the watermark stays, and the log says it once.
  emu_->ClearRequests();
  const size_t failed = FailedCycles(daemon->Stdout());
  ASSERT_TRUE(WaitFor([&] { return FailedCycles(daemon->Stdout()) >= failed + 2; })) << daemon->Stdout();
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
  EXPECT_EQ(DefenderWatermark(), watermark);
  EXPECT_EQ(Events(daemon->Stdout(), "state.unwritable"), 1u) << daemon->Stdout();

  FreeState();
  ExpectRecovered(*daemon, born);
  EXPECT_EQ(Events(daemon->Stdout(), "state.writable"), 1u) << daemon->Stdout();
  EXPECT_NE(DefenderWatermark(), watermark);
}

TEST_F(ResourcesTest, ADaemonRestartedOnAFullDiskWaitsNotReadyAndRecoversWhenSpaceReturns) {
  auto daemon = StartSynced();
  if (IsSkipped() || HasFailure()) return;
  // Stopped cleanly, so SQLite removed its shared-memory and log files: the start must make them.
  daemon->Signal(SIGTERM);
  ASSERT_EQ(daemon->Wait(std::chrono::seconds(12)).exit_code, 0);

  ASSERT_NO_FATAL_FAILURE(FillState());
  const std::string born = ChangeBothSides(*emu_, id_, Twin(id_).value("name", ""));
  daemon = StartDaemon();
  ASSERT_NO_FATAL_FAILURE(ExpectWaitingNotReady(*daemon, "No space left on device"));
  emu_->ClearRequests();
  FreeState();
  ExpectRecovered(*daemon, born);
}

TEST_F(ResourcesTest, AReadOnlyStateDirectoryFailsReadinessLosesNothingAndRecoversWhenWritable) {
  auto daemon = StartSynced();
  if (IsSkipped() || HasFailure()) return;
  daemon->Signal(SIGKILL);
  daemon->Wait(std::chrono::seconds(5));

  // A filesystem with open writers cannot be made read-only; one that went read-only (an I/O
  // error, a volume mounted read-only) is met by the next start.
  ASSERT_NO_FATAL_FAILURE(RemountState(true));
  const std::string born = ChangeBothSides(*emu_, id_, Twin(id_).value("name", ""));
  emu_->ClearRequests();
  daemon = StartDaemon();
  ASSERT_NO_FATAL_FAILURE(ExpectWaitingNotReady(*daemon, "Read-only file system"));
  EXPECT_TRUE(WritesSinceClear().empty()) << Describe(WritesSinceClear());
  ASSERT_NO_FATAL_FAILURE(RemountState(false));
  ExpectRecovered(*daemon, born);
}

}  // namespace
}  // namespace xdrsync::integration
