#include "engine_fixture.h"

namespace xdrsync::engine::testing {
namespace {

TEST_F(EngineTest, TransientWriteFailureIsRetriedNextCycleFromAFreshRead) {
  defender.Add("1");
  Settle();
  const std::string twin = TwinName("1");
  defender.Edit("1", [](domain::DefenderIncident& d) { d.status = domain::ParseDStatus("resolved"); });
  sentinel.FailNext("Put", Status(Code::kUnavailable, "503 Service Unavailable"));
  auto r = Cycle();
  EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(r.writes_failed, 1u);
  EXPECT_EQ(WireText(sentinel.Peek(twin).status), "New");
  EXPECT_EQ(*store->OutboxDepth(std::string("contoso")), 1);
  // Restart in between: the outbox row makes the pair be re-read and re-planned.
  Reopen();
  auto r2 = Cycle();
  EXPECT_TRUE(r2.status.ok());
  EXPECT_EQ(WireText(sentinel.Peek(twin).status), "Closed");
  EXPECT_LE(Settle(), 2);
  EXPECT_EQ(*store->OutboxDepth(std::string("contoso")), 0);
}

TEST_F(EngineTest, ATimestampFromTheFutureNeverCarriesTheWatermarkAway) {
  defender.Add("1");
  Settle();
  const Timestamp year_2099 = Timestamp::Parse("2099-01-01T00:00:00Z").value();
  defender.Edit("1", [](domain::DefenderIncident& d) { d.severity = domain::ParseDSeverity("low"); });
  defender.Stamp("1", year_2099);
  ASSERT_TRUE(Cycle().status.ok());
  EXPECT_EQ(WireText(sentinel.Peek(TwinName("1")).severity), "Low") << "the item itself still syncs";
  auto wm = store->Watermark("contoso", domain::Side::kDefender);
  ASSERT_TRUE(wm.ok() && *wm);
  EXPECT_LE(**wm, clock.Now() + 600);
  EXPECT_GE(metrics.Value("xdrsync_future_timestamps_total", {{"link", "contoso"}, {"side", "defender"}}), 1);
  EXPECT_GE(log.Count("capture.future_timestamps"), 1u);
  // Ordinary changes after it are still captured incrementally.
  defender.Add("2");
  ASSERT_TRUE(Cycle().status.ok());
  EXPECT_FALSE(TwinName("2").empty());

  // A watermark carried into the future by an older version is repaired, and capture resumes.
  ASSERT_TRUE(store->AdvanceWatermark("contoso", domain::Side::kDefender, year_2099).ok());
  defender.Add("3");
  ASSERT_TRUE(Cycle().status.ok());
  EXPECT_FALSE(TwinName("3").empty());
  EXPECT_EQ(log.Count("watermark.from_future"), 1u);
  wm = store->Watermark("contoso", domain::Side::kDefender);
  EXPECT_LE(**wm, clock.Now() + 600);
  EXPECT_GE(metrics.Value("xdrsync_sync_lag_seconds", {{"link", "contoso"}, {"side", "defender"}}), 0);
}

TEST_F(EngineTest, AQuietLinkStopsListingItsLastBurstOnceTheOverlapHasPassed) {
  // The watermark used to move only with a newer listed item, so every idle cycle listed (and
  // compared) the whole last burst again, until the next change: 187 list pages a cycle at
  // 10,000 pairs. A listing that came back whole moves it to when the listing began.
  for (const char* id : {"1", "2", "3", "4", "5"}) defender.Add(id);
  Settle();
  const Labels link = {{"link", "contoso"}};
  clock.Advance(200);  // past the 120 s overlap, nothing changed
  ASSERT_TRUE(Cycle().status.ok());
  const double compared = metrics.Value("xdrsync_capture_pairs_unchanged_total", link);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Cycle().status.ok());
  EXPECT_EQ(metrics.Value("xdrsync_capture_pairs_unchanged_total", link), compared)
      << "idle cycles listed the last burst again";
  EXPECT_LE(metrics.Value("xdrsync_sync_lag_seconds", {{"link", "contoso"}, {"side", "defender"}}), 10);
  // Changes after the quiet time still flow both ways.
  defender.Edit("3", [](domain::DefenderIncident& d) { d.severity = domain::ParseDSeverity("high"); });
  sentinel.Edit(TwinName("4"), [](domain::SentinelIncident& s) { s.labels.push_back({"analyst-tag", "User"}); });
  Settle();
  EXPECT_EQ(WireText(sentinel.Peek(TwinName("3")).severity), "High");
  const auto tags = defender.Peek("4").custom_tags;
  EXPECT_NE(std::find(tags.begin(), tags.end(), "analyst-tag"), tags.end());
}

TEST_F(EngineTest, ABurstLargerThanOneListingIsListedOnwardNotFromItsStartEveryCycle) {
  // 12 new incidents within the overlap, and a listing that ends after 5 (its page budget spent).
  // Listed again from the watermark minus the overlap, every cycle read the same first 5 and the
  // rest never reached: the next listing goes on from where the last one ended.
  defender.max_listed = 5;
  for (int i = 10; i < 22; ++i) defender.Add(std::to_string(i));
  Settle(8);
  EXPECT_EQ(sentinel.size(), 12u) << "every incident of the burst has its twin";
  defender.Edit("21", [](domain::DefenderIncident& d) { d.severity = domain::ParseDSeverity("high"); });
  Settle(8);
  EXPECT_EQ(WireText(sentinel.Peek(TwinName("21")).severity), "High") << "a change after the burst syncs";
  // Once a listing came back whole, the overlap applies again.
  defender.max_listed = 0;
  ASSERT_TRUE(Cycle().status.ok());
  auto left = store->LinkMeta("contoso", "continue_listing.defender");
  ASSERT_TRUE(left.ok());
  EXPECT_FALSE(left->has_value());
}

TEST_F(EngineTest, AnAnalystsEditBetweenThePlansReadAndOurPatchIsNotTakenForOurOwnWrite) {
  // Found by chaos seed 2: a Defender incident was resolved after the read its tag write was
  // planned from and before the read right before the PATCH. The PATCH (tags only) went ahead,
  // and its answer, which carried the resolution, became the pair's sighting: the next listing
  // showed nothing new and the twin was never closed.
  defender.Add("1");
  defender.Add("2");
  Settle();
  for (const char* id : {"1", "2"}) {
    sentinel.Edit(TwinName(id), [](domain::SentinelIncident& s) { s.labels.push_back({"t-red", "User"}); });
  }
  // Right after the first of the two PATCHes, an analyst resolves both incidents: the other one
  // between the plan's read and the read before its own PATCH.
  defender.AfterNextPatch([this] {
    for (const char* id : {"1", "2"}) {
      defender.Edit(id, [](domain::DefenderIncident& d) {
        d.status = domain::ParseDStatus("resolved");
        d.classification = domain::ParseDClassification("truePositive");
        d.determination = domain::ParseDDetermination("malware");
      });
    }
  });
  ASSERT_TRUE(Cycle().status.ok());
  Settle();
  for (const char* id : {"1", "2"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(WireText(sentinel.Peek(TwinName(id)).status), "Closed");
  }
}

TEST_F(EngineTest, OurOwnFieldWriteIsNotReadBackAndAnAnalystsLaterEditStillIs) {
  // A write's answer says how its side looks after it: the next listing, which shows our own new
  // etag or lastUpdateDateTime, has nothing to read. It used to cost the pair's two ARM reads a change.
  defender.Add("1");
  defender.Add("2");
  Settle();
  const std::string twin1 = TwinName("1"), twin2 = TwinName("2");
  defender.Edit("1", [](domain::DefenderIncident& d) { d.severity = domain::ParseDSeverity("high"); });
  sentinel.Edit(twin2, [](domain::SentinelIncident& s) {
    s.owner = domain::SentinelOwner{"", "", "", "bob@fabrikam.com", domain::ParseSOwnerType("User")};
  });
  ASSERT_TRUE(Cycle().status.ok());
  ASSERT_EQ(WireText(sentinel.Peek(twin1).severity), "High");
  ASSERT_EQ(defender.Peek("2").assigned_to, "bob@fabrikam.com");
  const int gets = sentinel.Calls("Get"), defender_gets = defender.Calls("Get");
  auto quiet = Cycle();
  ASSERT_TRUE(quiet.status.ok());
  EXPECT_TRUE(quiet.settled());
  EXPECT_EQ(sentinel.Calls("Get"), gets) << "a twin was read back after our own write";
  EXPECT_EQ(defender.Calls("Get"), defender_gets) << "an incident was read back after our own write";
  // An analyst's edit after our write is a change, on either side.
  sentinel.Edit(twin1, [](domain::SentinelIncident& s) { s.owner = domain::SentinelOwner{"", "", "", "sam@fabrikam.com", domain::ParseSOwnerType("User")}; });
  defender.Edit("2", [](domain::DefenderIncident& d) { d.assigned_to = "alice@contoso.com"; });
  Settle();
  EXPECT_EQ(defender.Peek("1").assigned_to, "sam@fabrikam.com");
  ASSERT_TRUE(sentinel.Peek(twin2).owner.has_value());
  EXPECT_EQ(sentinel.Peek(twin2).owner->user_principal_name, "alice@contoso.com");
}

TEST_F(EngineTest, CreationWhoseReplyWasLostIsRecoveredAndChangesStillFlow) {
  defender.Add("1");
  sentinel.LoseNextPutReply(Status(Code::kUnavailable, "connection reset after the PUT was applied"));
  auto r = Cycle();
  EXPECT_EQ(r.writes_failed, 1u);
  ASSERT_EQ(sentinel.size(), 1u);  // the service did create it
  // A restart, and an analyst change made meanwhile.
  Reopen();
  defender.Edit("1", [](domain::DefenderIncident& d) { d.status = domain::ParseDStatus("inProgress"); });
  Settle();
  EXPECT_EQ(sentinel.size(), 1u);
  const std::string twin = TwinName("1");
  EXPECT_EQ(WireText(sentinel.Peek(twin).status), "Active");
  EXPECT_EQ((*store->PairByDefenderId("contoso", "1"))->state, store::PairState::kActive);
  EXPECT_TRUE(store->OpenConflicts(std::string("contoso"))->empty());
  EXPECT_EQ(log.Count("twin.recovered"), 1u);
}

TEST_F(EngineTest, APutWhoseReplyWasLostIsSeenAppliedSoAnAnalystsLaterRevertStands) {
  // Found by the chaos harness: the PUT was applied but its answer lost, so its bases did not
  // move; an analyst then set the twin's classification back to what it was before our write,
  // which the next cycle took for no change, and wrote our value over the analyst's.
  defender.Add("1");
  Settle();
  const std::string twin = TwinName("1");
  defender.Edit("1", [](domain::DefenderIncident& d) {
    d.status = domain::ParseDStatus("resolved");
    d.classification = domain::ParseDClassification("truePositive");
    d.determination = domain::ParseDDetermination("malware");
  });
  sentinel.LoseNextPutReply(Status(Code::kUnavailable, "connection reset after the PUT was applied"));
  (void)Cycle();
  ASSERT_EQ(WireText(*sentinel.Peek(twin).classification), "TruePositive");
  EXPECT_EQ(log.Count("write.found_applied"), 1u);
  sentinel.Edit(twin, [](domain::SentinelIncident& s) {
    s.classification = domain::ParseSClassification("Undetermined");
    s.classification_reason.reset();
  });
  Settle();
  EXPECT_EQ(WireText(*sentinel.Peek(twin).classification), "Undetermined") << "the analyst's change was written over";
  const auto d = defender.Peek("1");
  EXPECT_TRUE(!d.classification || WireText(*d.classification) == "unknown") << "the analyst's change did not reach Defender";
  EXPECT_EQ(*store->OutboxDepth(std::string("contoso")), 0);
}

TEST_F(EngineTest, APatchWhoseReplyWasLostIsSeenAppliedSoAnAnalystsLaterRevertStands) {
  // The same on the Defender side: a PATCH applied with its answer lost, then an analyst sets the
  // field back to what it was before; the next cycle must not write the twin's value again.
  defender.Add("1");
  Settle();
  const std::string twin = TwinName("1");
  CloseTwinAsTruePositive(twin);
  defender.LoseNextPatchReply(Status(Code::kUnavailable, "connection reset after the PATCH was applied"));
  (void)Cycle();
  ASSERT_EQ(WireText(defender.Peek("1").status), "resolved");
  EXPECT_EQ(log.Count("write.found_applied"), 1u);
  defender.Edit("1", [](domain::DefenderIncident& d) { d.status = domain::ParseDStatus("active"); });
  Settle();
  EXPECT_EQ(WireText(defender.Peek("1").status), "active") << "the analyst's change was written over";
  EXPECT_EQ(WireText(sentinel.Peek(twin).status), "New") << "the analyst's change did not reach Sentinel";
}

TEST_F(EngineTest, CommentsCarriedByAMergeAreNotWrittenAgainWhenTheSurvivorsTwinIsNotRead) {
  // Found by the long chaos run: the merged-away twin changed again, so its visit carried its
  // comments to the survivor's twin once more, in a cycle in which that twin's own read failed.
  // Planned as if the twin had no comments, every carried comment was written again (the same
  // ids, so nothing doubled, but writes nobody needed). What was written is on record.
  defender.Add("1").comments.push_back({"D1: host isolated", "bob@contoso.com", clock.Now()});
  defender.Add("2");
  Settle();
  defender.Edit("1", [](domain::DefenderIncident& d) {
    d.status = domain::ParseDStatus("redirected");
    d.redirect_incident_id = "2";
  });
  defender.Edit("2", [](domain::DefenderIncident& d) { d.severity = domain::ParseDSeverity("high"); });
  Settle();
  const int puts = sentinel.Calls("PutComment");
  sentinel.Edit(TwinName("1"), [](domain::SentinelIncident& s) { s.labels.push_back({"late", "User"}); });
  sentinel.Edit(TwinName("2"), [](domain::SentinelIncident& s) { s.labels.push_back({"analyst-tag", "User"}); });
  sentinel.FailNextGetOf(TwinName("2"), Status(Code::kParseError, "arm GET: invalid JSON"));
  (void)Cycle();
  EXPECT_EQ(sentinel.Calls("PutComment"), puts) << "carried comments written again";
  Settle();
  EXPECT_EQ(sentinel.Calls("PutComment"), puts);
  const auto comments = sentinel.Peek(TwinName("2")).comments;
  EXPECT_EQ(std::count_if(comments.begin(), comments.end(),
                          [](const domain::SentinelComment& c) { return c.message.find("D1: host isolated") != std::string::npos; }),
            1);
}

TEST_F(EngineTest, AMergeSeenAfterALostStateIsCarriedOnlyAgainstTheSurvivorsTwinOnceRead) {
  // Found by the long chaos run: the state (and its record of the comments a merge carried) was
  // lost; a later cycle handled the merge again while the survivor twin's read failed, and wrote
  // every carried comment to it once more.
  defender.Add("1").comments.push_back({"D1: host isolated", "bob@contoso.com", clock.Now()});
  defender.Add("2");
  Settle();
  sentinel.AddAnalystComment(TwinName("1"), "S1: mailbox checked");
  defender.Edit("1", [](domain::DefenderIncident& d) {
    d.status = domain::ParseDStatus("redirected");
    d.redirect_incident_id = "2";
  });
  Settle();
  const std::string survivor_twin = TwinName("2");
  const int puts = sentinel.Calls("PutComment");
  const int posts = defender.Calls("AddComment");
  std::filesystem::remove(dir / "state.db");
  std::filesystem::remove(dir / "state.db-wal");
  std::filesystem::remove(dir / "state.db-shm");
  Reopen();
  Settle();  // the pairs and the tombstone are found again; what was carried is not on record
  EXPECT_EQ(sentinel.Calls("PutComment"), puts);
  // An analyst edits the merged-away twin; the survivor twin's read fails in that cycle.
  sentinel.Edit(TwinName("1"), [](domain::SentinelIncident& s) { s.labels.push_back({"late", "User"}); });
  sentinel.FailNextGetOf(survivor_twin, Status(Code::kParseError, "arm GET: invalid JSON"));
  (void)Cycle();
  EXPECT_EQ(sentinel.Calls("PutComment"), puts) << "carried comments written again";
  Settle();
  EXPECT_EQ(sentinel.Calls("PutComment"), puts);
  EXPECT_EQ(defender.Calls("AddComment"), posts);
  for (const char* text : {"D1: host isolated", "S1: mailbox checked"}) {
    const auto comments = sentinel.Peek(survivor_twin).comments;
    EXPECT_EQ(std::count_if(comments.begin(), comments.end(),
                            [&](const domain::SentinelComment& c) { return c.message.find(text) != std::string::npos; }),
              1)
        << text;
  }
  EXPECT_EQ((*store->PairByDefenderId("contoso", "1"))->state, store::PairState::kMerged);
}

TEST_F(EngineTest, EtagConflictIsReplannedNotOverwritten) {
  defender.Add("1");
  Settle();
  const std::string twin = TwinName("1");
  defender.Edit("1", [](domain::DefenderIncident& d) { d.severity = domain::ParseDSeverity("high"); });
  sentinel.FailNext("Put", Status(Code::kConflict, "Newer version of resource exists"));
  Cycle();
  sentinel.Edit(twin, [](domain::SentinelIncident& s) { s.labels.push_back({"analyst-tag", "User"}); });
  Settle();
  const auto s = sentinel.Peek(twin);
  EXPECT_EQ(WireText(s.severity), "High");
  EXPECT_TRUE(domain::HasLabel(s, "analyst-tag"));
  const auto tags = defender.Peek("1").custom_tags;
  EXPECT_NE(std::find(tags.begin(), tags.end(), "analyst-tag"), tags.end());
}

TEST_F(EngineTest, AuthFailureFailsTheLinkAndLosesNothing) {
  defender.Add("1");
  defender.FailNext("ListChanged", Status(Code::kUnauthenticated, "invalid_client AADSTS7000222 (secret expired)"));
  auto r = Cycle();
  EXPECT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), Code::kUnauthenticated);
  EXPECT_EQ(sentinel.size(), 0u);
  EXPECT_FALSE(*store->Watermark("contoso", domain::Side::kDefender));
  EXPECT_EQ(metrics.Value("xdrsync_cycles_total", {{"link", "contoso"}, {"result", "failed"}}), 1);
  Settle();
  EXPECT_EQ(sentinel.size(), 1u);
}

TEST_F(EngineTest, PermanentFailureIsQuarantinedAndDoesNotStallTheLink) {
  // A small attempt budget so the dead letter comes within the test.
  max_attempts = 2;
  Reopen();
  defender.Add("1");
  defender.Add("2");
  sentinel.FailNext("Put", Status(Code::kInvalidArgument, "400 BadRequest: label too long"), 100);
  for (int i = 0; i < 4; ++i) {
    Cycle();
    clock.Advance(3600);  // past the backoff
  }
  auto q = store->Quarantined(std::string("contoso"));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->size(), 2u);
  EXPECT_EQ(*store->OutboxDepth(std::string("contoso")), 0);
  // Quarantined incidents sit out: the next cycle has nothing to do for them.
  EXPECT_TRUE(Cycle().settled());
  // Once an incident changes again it gets another chance.
  sentinel.FailNext("Put", Status::Ok(), 0);
  defender.Edit("1", [](domain::DefenderIncident& d) { d.severity = domain::ParseDSeverity("high"); });
  auto r = Cycle();
  EXPECT_EQ(r.plan.creations.size(), 1u);
  EXPECT_EQ(sentinel.size(), 1u);
  EXPECT_EQ(store->Quarantined(std::string("contoso"))->size(), 1u);  // released on success
}

TEST_F(EngineTest, AnIncidentSetAsideForAnUnreadableAnswerIsReleasedByAReadableOneAndItsChangeSyncs) {
  // Found by the long chaos run (lost=2): an analyst closed a twin; the read of its Defender
  // incident that followed came back malformed, which set the incident aside; the twin's change,
  // a second older than the quarantine, never counted as a change again, and the pair was read
  // every cycle and never synced.
  defender.Add("1");
  Settle();
  const std::string twin = TwinName("1");
  clock.Advance(300);  // the incident leaves the Defender listing's overlap
  Settle();
  CloseTwinAsTruePositive(twin);
  defender.FailNext("Get", Status(Code::kParseError, "graph GET: 200 with an unreadable body: malformed JSON"));
  ASSERT_TRUE(Cycle().status.ok());
  ASSERT_EQ(store->Quarantined(std::string("contoso"))->size(), 1u) << "the unreadable answer is set aside";
  Settle();
  EXPECT_EQ(WireText(defender.Peek("1").status), "resolved") << "the twin's change was lost";
  EXPECT_TRUE(store->Quarantined(std::string("contoso"))->empty());
  EXPECT_EQ(log.Count("quarantine.released"), 1u);
}

TEST_F(EngineTest, RefusedInProgressFallsBackAndIsRemembered) {
  defender.refuse_in_progress = true;
  defender.Add("1");
  Settle();
  const std::string twin = TwinName("1");
  sentinel.Edit(twin, [](domain::SentinelIncident& s) { s.status = domain::ParseSStatus("Active"); });
  Settle(5);
  EXPECT_EQ(WireText(defender.Peek("1").status), "active");
  EXPECT_EQ(*store->LinkMeta("contoso", "defender.in_progress"), std::optional<std::string>("refused"));
  EXPECT_EQ(log.Count("defender.field_refused"), 1u);
}

TEST_F(EngineTest, AnAnalystsEditBetweenAFirstTimeProbeAndTheRestOfThePatchStands) {
  // Found by the long chaos run (unguarded_patches=1): the first in-progress write of a link goes
  // alone as a probe, and the rest of the write followed it without a new read, so an analyst's
  // edit made in between was written over.
  defender.Add("1");
  Settle();
  const std::string twin = TwinName("1");
  sentinel.Edit(twin, [](domain::SentinelIncident& s) {
    s.status = domain::ParseSStatus("Active");
    s.owner = domain::SentinelOwner{"", "", "", "sam@fabrikam.com", domain::ParseSOwnerType("User")};
  });
  defender.AfterNextPatch([&] {
    defender.Edit("1", [](domain::DefenderIncident& d) { d.assigned_to = "alice@contoso.com"; });
  });
  Settle(5);
  EXPECT_EQ(*store->LinkMeta("contoso", "defender.in_progress"), std::optional<std::string>("ok"));
  EXPECT_EQ(WireText(defender.Peek("1").status), "inProgress");
  EXPECT_EQ(defender.Peek("1").assigned_to, "alice@contoso.com") << "the analyst's edit was written over";
}

TEST_F(EngineTest, DeletedTwinBecomesATombstone) {
  defender.Add("1");
  Settle();
  const std::string twin = TwinName("1");
  sentinel.Remove(twin);
  defender.Edit("1", [](domain::DefenderIncident& d) { d.severity = domain::ParseDSeverity("low"); });
  Settle();
  auto pair = store->PairByDefenderId("contoso", "1");
  ASSERT_TRUE(pair.ok() && *pair);
  EXPECT_EQ((*pair)->state, store::PairState::kDeletedInSentinel);
  EXPECT_EQ(sentinel.size(), 0u);
}

}  // namespace
}  // namespace xdrsync::engine::testing
