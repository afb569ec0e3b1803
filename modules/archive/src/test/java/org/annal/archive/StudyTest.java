// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import static org.annal.archive.Fixtures.STUDY;
import static org.annal.archive.Fixtures.instance;
import static org.annal.archive.Fixtures.sha;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Set;
import org.annal.archive.Study.DuplicateInstanceReceived;
import org.annal.archive.Study.DuplicateInstanceReceived.Resolution;
import org.annal.archive.Study.Event;
import org.annal.archive.Study.InstanceStored;
import org.annal.archive.Study.Outcome;
import org.annal.archive.Study.Recorded;
import org.annal.archive.Study.State;
import org.annal.archive.impl.EventHashing;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Study entity through EventSourcedBehaviorTestKit, which also round-trips every command,
 * event, reply and state through the configured (Jackson CBOR) serializer.
 */
class StudyTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("StudyTest", EventSourcedBehaviorTestKit.config()
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<Study.Command, Event, State> kit(ArchiveSettings settings) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        Study.create(STUDY, settings, Fixtures.CLOCK));
  }

  private static CommandResultWithReply<Study.Command, Event, State, StatusReply<Recorded>> record(
      EventSourcedBehaviorTestKit<Study.Command, Event, State> kit, ReceivedInstance in) {
    return kit.runCommand(replyTo -> new Study.RecordInstance(in, replyTo));
  }

  @Test
  void newInstanceIsStoredAndSurvivesRestart() {
    var kit = kit(Fixtures.settings());
    ReceivedInstance in = instance("1.2.3.1", sha('a'), "0000aaaa-1");
    var result = record(kit, in);

    assertTrue(result.reply().isSuccess());
    assertEquals(Outcome.STORED, result.reply().getValue().outcome());
    InstanceStored event = result.eventOfType(InstanceStored.class);
    assertEquals(in, event.instance());
    assertEquals("", event.prevHash());
    assertEquals("test-node", event.node());
    assertEquals("test-site", event.site());
    assertEquals(Fixtures.NOW.toEpochMilli(), event.at());

    State state = result.state();
    assertEquals(1, state.eventCount());
    assertEquals(EventHashing.hash(event), state.headHash());
    assertEquals(state.headHash(), result.reply().getValue().headHash());
    assertEquals("P1", state.patient().get("PatientID"));
    assertEquals("Doe^Jane", state.patient().get("PatientName"));
    assertEquals("20261130", state.study().get("StudyDate"));
    assertEquals("CT", state.series().get(Fixtures.SERIES).attributes().get("Modality"));
    Study.Instance stored = state.instances().get("1.2.3.1");
    assertEquals(Set.of(in.placement()), stored.placements());
    assertEquals("7", stored.attributes().get("InstanceNumber"));
    assertEquals(null, stored.attributes().get("PatientID"), "patient attributes not per instance");

    assertEquals(state, kit.restart().state());
  }

  @Test
  void identicalDuplicateIsAcknowledgedAndNotStoredTwice() {
    var kit = kit(Fixtures.settings());
    record(kit, instance("1.2.3.1", sha('a'), "0000aaaa-1"));
    ReceivedInstance again = instance("1.2.3.1", sha('a'), "0000aaaa-2");
    var result = record(kit, again);

    assertEquals(Outcome.DUPLICATE_IDENTICAL, result.reply().getValue().outcome());
    var dup = result.eventOfType(DuplicateInstanceReceived.class);
    assertEquals(Resolution.ACKNOWLEDGED_IDENTICAL, dup.resolution());
    assertEquals(sha('a'), dup.existingDatasetSha256());
    assertEquals(sha('a'), dup.receivedDatasetSha256());
    assertEquals(again, dup.received());
    State state = kit.restart().state();
    assertEquals(2, state.eventCount());
    assertEquals("0000aaaa-1",
        state.instances().get("1.2.3.1").placements().iterator().next().blobKey());
  }

  @Test
  void differentDuplicateKeepFirst() {
    var kit = kit(Fixtures.settings());
    record(kit, instance("1.2.3.1", sha('a'), "0000aaaa-1"));
    var result = record(kit, instance("1.2.3.1", sha('c'), "0000aaaa-2"));

    assertEquals(Outcome.DUPLICATE_KEPT_FIRST, result.reply().getValue().outcome());
    var dup = result.eventOfType(DuplicateInstanceReceived.class);
    assertEquals(Resolution.KEPT_FIRST, dup.resolution());
    assertEquals(sha('a'), dup.existingDatasetSha256());
    assertEquals(sha('c'), dup.receivedDatasetSha256());
    assertEquals("MODALITY", dup.received().source().callingAeTitle());
    State state = kit.restart().state();
    assertEquals(sha('a'), state.instances().get("1.2.3.1").datasetSha256());
  }

  @Test
  void differentDuplicateReplace() {
    var kit = kit(Fixtures.settings().withDuplicatePolicy(DuplicatePolicy.REPLACE));
    var first = record(kit, instance("1.2.3.1", sha('a'), "0000aaaa-1"));
    var result = record(kit, instance("1.2.3.1", sha('c'), "0000aaaa-2"));

    assertEquals(Outcome.DUPLICATE_REPLACED, result.reply().getValue().outcome());
    List<Event> events = result.events();
    assertEquals(2, events.size());
    var dup = assertInstanceOf(DuplicateInstanceReceived.class, events.get(0));
    var stored = assertInstanceOf(InstanceStored.class, events.get(1));
    assertEquals(Resolution.REPLACED, dup.resolution());
    assertEquals(EventHashing.hash(first.event()), dup.prevHash());
    assertEquals(EventHashing.hash(dup), stored.prevHash());
    State state = kit.restart().state();
    Study.Instance instance = state.instances().get("1.2.3.1");
    assertEquals(sha('c'), instance.datasetSha256());
    assertEquals("0000aaaa-2", instance.placements().iterator().next().blobKey());
    assertEquals(3, state.eventCount());
    assertEquals(EventHashing.hash(stored), state.headHash());
  }

  @Test
  void everyEventLinksToThePreviousOne() {
    var kit = kit(Fixtures.settings());
    String head = "";
    for (int i = 1; i <= 4; i++) {
      var result = record(kit, instance("1.2.3." + i, sha('a'), "0000aaaa-" + i));
      Event event = result.event();
      assertEquals(head, event.prevHash(), "event " + i);
      head = EventHashing.hash(event);
      assertEquals(head, result.state().headHash());
    }
    assertEquals(head, kit.restart().state().headHash());
    // A different event (here: other time) gives a different hash: the chain covers content.
    var e = new InstanceStored(instance("1.2.3.1", sha('a'), "0000aaaa-1"), "", "n", "s", 1);
    var f = new InstanceStored(instance("1.2.3.1", sha('a'), "0000aaaa-1"), "", "n", "s", 2);
    assertTrue(!EventHashing.hash(e).equals(EventHashing.hash(f)));
  }

  @Test
  void severalInstancesAreRecordedInOneWriteChainedAndInOrder() {
    var kit = kit(Fixtures.settings());
    var first = record(kit, instance("1.2.3.1", sha('a'), "0000aaaa-1"));
    List<ReceivedInstance> batch = List.of(
        instance("1.2.3.2", sha('b'), "0000aaaa-2"),
        instance("1.2.3.1", sha('a'), "0000aaaa-3"), // identical to one already held
        instance("1.2.3.4", sha('d'), "0000aaaa-4"),
        instance("1.2.3.4", sha('e'), "0000aaaa-5")); // differs from its twin earlier in this batch
    CommandResultWithReply<Study.Command, Event, State, StatusReply<Study.RecordedBatch>> result =
        kit.runCommand(replyTo -> new Study.RecordInstances(batch, replyTo));

    List<Recorded> results = result.reply().getValue().results();
    assertEquals(List.of(Outcome.STORED, Outcome.DUPLICATE_IDENTICAL, Outcome.STORED,
        Outcome.DUPLICATE_KEPT_FIRST), results.stream().map(Recorded::outcome).toList());
    assertEquals(List.of("1.2.3.2", "1.2.3.1", "1.2.3.4", "1.2.3.4"),
        results.stream().map(Recorded::sopInstanceUid).toList());
    List<Event> events = result.events();
    assertEquals(4, events.size());
    var kept = assertInstanceOf(DuplicateInstanceReceived.class, events.get(3));
    assertEquals(sha('d'), kept.existingDatasetSha256(), "duplicate of the batch's own instance");
    // One chain, as if the instances had come one by one; each result names its own last event.
    assertEquals(EventHashing.hash(first.event()), events.get(0).prevHash());
    for (int i = 1; i < events.size(); i++) {
      assertEquals(EventHashing.hash(events.get(i - 1)), events.get(i).prevHash(), "event " + i);
    }
    for (int i = 0; i < events.size(); i++) {
      assertEquals(EventHashing.hash(events.get(i)), results.get(i).headHash(), "result " + i);
    }
    State state = kit.restart().state();
    assertEquals(5, state.eventCount());
    assertEquals(EventHashing.hash(events.get(3)), state.headHash());
    assertEquals(Set.of("1.2.3.1", "1.2.3.2", "1.2.3.4"), state.instances().keySet());
    assertEquals(sha('d'), state.instances().get("1.2.3.4").datasetSha256());
  }

  @Test
  void replaceInsideOneWriteReplacesTheBatchsOwnInstance() {
    var kit = kit(Fixtures.settings().withDuplicatePolicy(DuplicatePolicy.REPLACE));
    List<ReceivedInstance> batch = List.of(
        instance("1.2.3.1", sha('a'), "0000aaaa-1"),
        instance("1.2.3.1", sha('c'), "0000aaaa-2"));
    CommandResultWithReply<Study.Command, Event, State, StatusReply<Study.RecordedBatch>> result =
        kit.runCommand(replyTo -> new Study.RecordInstances(batch, replyTo));

    assertEquals(List.of(Outcome.STORED, Outcome.DUPLICATE_REPLACED),
        result.reply().getValue().results().stream().map(Recorded::outcome).toList());
    assertEquals(3, result.events().size());
    assertEquals("0000aaaa-2", kit.restart().state().instances().get("1.2.3.1").placements()
        .iterator().next().blobKey());
  }

  @Test
  void aBatchWithAnInstanceOfAnotherStudyIsRefusedWhole() {
    var kit = kit(Fixtures.settings());
    ReceivedInstance in = instance("1.2.3.1", sha('a'), "0000aaaa-1");
    ReceivedInstance wrong = new ReceivedInstance("9.9.9", in.seriesInstanceUid(),
        "1.2.3.2", in.sopClassUid(), in.transferSyntaxUid(), in.size(), in.sha256(),
        in.datasetSha256(), in.placement(), in.source(), in.receivedAt(), in.attributes());
    CommandResultWithReply<Study.Command, Event, State, StatusReply<Study.RecordedBatch>> result =
        kit.runCommand(replyTo -> new Study.RecordInstances(List.of(in, wrong), replyTo));

    assertTrue(result.reply().isError());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void instanceOfAnotherStudyIsRefused() {
    var kit = kit(Fixtures.settings());
    ReceivedInstance in = instance("1.2.3.1", sha('a'), "0000aaaa-1");
    ReceivedInstance wrong = new ReceivedInstance("9.9.9", in.seriesInstanceUid(),
        in.sopInstanceUid(), in.sopClassUid(), in.transferSyntaxUid(), in.size(), in.sha256(),
        in.datasetSha256(), in.placement(), in.source(), in.receivedAt(), in.attributes());
    var result = record(kit, wrong);
    assertTrue(result.reply().isError());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void snapshotsEveryNEventsAndRecoversFromThem() {
    ArchiveSettings s = Fixtures.settings();
    ArchiveSettings everyTwo = new ArchiveSettings(s.nodeId(), s.site(), s.storageTier(),
        s.duplicatePolicy(), s.askTimeout(), s.recordAttemptTimeout(), 2, 2, s.headerPrefixLimit(),
        s.orphanGrace(),
        s.readJournalPluginId(), s.verifyParallelism());
    var kit = kit(everyTwo);
    for (int i = 1; i <= 5; i++) {
      record(kit, instance("1.2.3." + i, sha('a'), "0000aaaa-" + i));
    }
    var snapshots = kit.snapshotTestKit().orElseThrow();
    String pid = Study.persistenceId(STUDY).id();
    assertEquals(2, snapshots.expectNextPersistedClass(pid, State.class).eventCount());
    assertEquals(4, snapshots.expectNextPersistedClass(pid, State.class).eventCount());
    State before = kit.getState();
    State after = kit.restart().state();
    assertEquals(before, after);
    assertEquals(5, after.instances().size());
  }

  @Test
  void aRetryOfAWriteThatLandedIsAnsweredWithoutASecondEvent() {
    // The asking node timed out (the reply was lost with a dying node) and sent the same
    // instance, same blob, again: STORED, no event, and the caller keeps its blob.
    var kit = kit(Fixtures.settings());
    ReceivedInstance in = instance("1.2.3.60", sha('a'), "0000aaaa-60");
    assertEquals(Outcome.STORED, record(kit, in).reply().getValue().outcome());
    var retry = record(kit, in);
    assertEquals(Outcome.STORED, retry.reply().getValue().outcome());
    assertTrue(retry.hasNoEvents());
    assertEquals(1, retry.state().eventCount());
    assertEquals(retry.state().headHash(), retry.reply().getValue().headHash());

    // Same bytes in another blob (a real resend) is still a duplicate, recorded as such.
    var resend = record(kit, instance("1.2.3.60", sha('a'), "0000aaaa-61"));
    assertEquals(Outcome.DUPLICATE_IDENTICAL, resend.reply().getValue().outcome());
    assertInstanceOf(DuplicateInstanceReceived.class, resend.event());
  }

  @Test
  void anAccessIsJournalledChainedAndChangesNothingElse() {
    var kit = kit(Fixtures.settings());
    record(kit, instance("1.2.3.70", sha('a'), "0000aaaa-70"));
    Study.Access access = new Study.Access("C-MOVE",
        new Sender("VIEWER", "ANNAL", "10.0.0.9:4711", "a-1", null), "WORKSTATION",
        List.of(Fixtures.SERIES), List.of("1.2.3.70"), List.of(), List.of(), "0000", false,
        Fixtures.NOW.toEpochMilli(), "test-node");
    var before = kit.getState();
    var result = kit.<StatusReply<org.apache.pekko.Done>>runCommand(
        replyTo -> new Study.RecordAccess(access, replyTo));
    assertTrue(result.reply().isSuccess());
    Study.StudyAccessed event = result.eventOfType(Study.StudyAccessed.class);
    assertEquals(access, event.access());
    assertEquals(before.headHash(), event.prevHash());
    assertEquals(EventHashing.hash(event), result.state().headHash());
    assertEquals(before.eventCount() + 1, result.state().eventCount());
    assertEquals(before.instances(), result.state().instances());
    // Survives a restart (CBOR round trip of the new event type included).
    kit.restart();
    assertEquals(result.state().headHash(), kit.getState().headHash());
  }

  @Test
  void stopMessageWaitsForTheCommandsBeforeIt() {
    // Sharding's stop message (passivation, hand-off at a graceful leave) arrives while a write
    // is in flight: the C-STORE behind it must still get its reply, then the entity stops.
    kit(Fixtures.settings()).clear();
    var entity = testKit.spawn(Study.create(STUDY, Fixtures.settings(), Fixtures.CLOCK));
    var recorded = testKit.<StatusReply<Recorded>>createTestProbe();
    var watcher = testKit.createTestProbe();
    entity.tell(new Study.RecordInstance(instance("1.2.3.77", sha('e'), "0000eeee-1"), recorded.ref()));
    entity.tell(new Study.RecordInstance(instance("1.2.3.78", sha('f'), "0000ffff-1"), recorded.ref()));
    entity.tell(Study.Stop.INSTANCE);
    assertEquals(Outcome.STORED, recorded.receiveMessage().getValue().outcome());
    assertEquals(Outcome.STORED, recorded.receiveMessage().getValue().outcome());
    watcher.expectTerminated(entity);

    var again = testKit.spawn(Study.create(STUDY, Fixtures.settings(), Fixtures.CLOCK));
    var state = testKit.<State>createTestProbe();
    again.tell(new Study.GetState(state.ref()));
    assertEquals(Set.of("1.2.3.77", "1.2.3.78"), state.receiveMessage().instances().keySet());
  }

  @Test
  void getStateRepliesTheState() {
    var kit = kit(Fixtures.settings());
    record(kit, instance("1.2.3.1", sha('a'), "0000aaaa-1"));
    var result = kit.<State>runCommand(Study.GetState::new);
    assertTrue(result.hasNoEvents());
    assertEquals(1, result.reply().instances().size());
  }

  @Test
  void tagsAreFixedAndSpreadOverAllEight() {
    assertEquals(8, Study.TAGS.size());
    assertEquals("study-0", Study.TAGS.get(0));
    assertEquals(Study.tagFor(STUDY), Study.tagFor(STUDY));
    long distinct = java.util.stream.IntStream.range(0, 200)
        .mapToObj(i -> Study.tagFor("1.2.3." + i)).distinct().count();
    assertEquals(8, distinct);
    assertEquals("Study|" + STUDY, Study.persistenceId(STUDY).id());
  }
}
