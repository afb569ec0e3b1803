// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import static org.annal.archive.Fixtures.instance;
import static org.annal.archive.Fixtures.sha;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.annal.archive.impl.EventHashing;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Replay checks the hash chain: an edited or removed event is found. */
class StudyJournalTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("StudyJournalTest",
        PersistenceTestKitPlugin.config().withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static List<Study.Event> chain() {
    var e1 = new Study.InstanceStored(instance("1.2.3.1", sha('a'), "0000aaaa-1"), "", "n", "s", 1);
    var e2 = new Study.InstanceStored(
        instance("1.2.3.2", sha('b'), "0000aaaa-2"), EventHashing.hash(e1), "n", "s", 2);
    var e3 = new Study.InstanceStored(
        instance("1.2.3.3", sha('c'), "0000aaaa-3"), EventHashing.hash(e2), "n", "s", 3);
    return List.of(e1, e2, e3);
  }

  private StudyJournal.Replay replay(String studyUid, List<Study.Event> events) throws Exception {
    String pid = Study.persistenceId(studyUid).id();
    PersistenceTestKit.create(testKit.system()).persistForRecovery(pid, List.copyOf(events));
    return StudyJournal.create(testKit.system(), PersistenceTestKitReadJournal.Identifier())
        .replay(pid, "test-node").toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void intactChain() throws Exception {
    var r = replay("1.9.1", chain());
    assertEquals(0, r.brokenAtEvent());
    assertEquals(3, r.state().eventCount());
    assertEquals(EventHashing.hash(chain().get(2)), r.state().headHash());
    assertEquals(Set.of("0000aaaa-1", "0000aaaa-2", "0000aaaa-3"), r.referencedBlobKeys());
  }

  @Test
  void editedEventBreaksTheNextLink() throws Exception {
    List<Study.Event> events = chain();
    var e2 = (Study.InstanceStored) events.get(1);
    // Someone rewrites event 2's checksum in the journal: event 3's prevHash no longer matches.
    var forged = new Study.InstanceStored(
        instance("1.2.3.2", sha('f'), "0000aaaa-2"), e2.prevHash(), "n", "s", 2);
    assertEquals(3, replay("1.9.2", List.of(events.get(0), forged, events.get(2))).brokenAtEvent());
  }

  @Test
  void removedEventBreaksTheChain() throws Exception {
    List<Study.Event> events = chain();
    assertEquals(2, replay("1.9.3", List.of(events.get(0), events.get(2))).brokenAtEvent());
  }

  @Test
  void blobKeysOfOtherNodesAreNotCounted() throws Exception {
    var elsewhere = new Study.InstanceStored(new ReceivedInstance(Fixtures.STUDY, Fixtures.SERIES,
        "1.2.3.9", "1.2", "1.2.840.10008.1.2.1", 1, sha('a'), sha('a'),
        new Placement("other-node", "s", "online", "0000bbbb-1"),
        new Sender("A", "B", "", "x", "MOVER"), 1, java.util.Map.of()), "", "n", "s", 1);
    assertEquals(Set.of(), replay("1.9.4", List.of(elsewhere)).referencedBlobKeys());
  }
}
