// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.annal.archive.StudyVerifier.ProblemKind;
import org.annal.archive.impl.Sha256;
import org.annal.storage.BlobKey;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Verify and the orphan sweeper against the in-memory journal, read back through Pekko
 * Persistence Query ({@link PersistenceTestKitReadJournal}), and the in-memory blob store.
 */
class StudyVerifierTest {
  private ActorTestKit testKit;
  private InMemoryBlobStore blobs;
  private ArchiveSettings settings;

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create("StudyVerifierTest", ConfigFactory.parseString(
            "annal.archive { node-id = test-node, site = test-site }")
        .withFallback(PersistenceTestKitPlugin.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load()));
    settings = ArchiveSettings.create(testKit.system())
        .withReadJournalPluginId(PersistenceTestKitReadJournal.Identifier());
    blobs = new InMemoryBlobStore();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  /** Puts a blob, then records it in study {@code studyUid}, as the C-STORE handler would. */
  private BlobKey storeAndRecord(ActorRef<Study.Command> study, String studyUid, String sop,
      byte[] bytes) {
    BlobKey key = blobs.putDirect(bytes);
    ReceivedInstance in = new ReceivedInstance(studyUid, studyUid + ".1", sop,
        "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.1.2.1", bytes.length, Sha256.of(bytes),
        Sha256.of(bytes), new Placement("test-node", "test-site", "online", key.value()),
        new Sender("MOD", "ANNAL", "127.0.0.1:1", "a-1", null), 1L, Map.of("PatientID", "P"));
    TestProbe<StatusReply<Study.Recorded>> probe = testKit.createTestProbe();
    study.tell(new Study.RecordInstance(in, probe.ref()));
    assertTrue(probe.receiveMessage(Duration.ofSeconds(5)).isSuccess());
    return key;
  }

  private ActorRef<Study.Command> study(String uid) {
    return testKit.spawn(Study.create(uid, settings, Fixtures.CLOCK));
  }

  private StudyJournal journal() {
    return StudyJournal.create(testKit.system(), settings.readJournalPluginId());
  }

  @Test
  void detectsCorruptedAndMissingBlobs() throws Exception {
    var a = study("1.2.3.100");
    var b = study("1.2.3.200");
    BlobKey good = storeAndRecord(a, "1.2.3.100", "1.2.3.100.1.1", "first".getBytes());
    BlobKey corrupted = storeAndRecord(a, "1.2.3.100", "1.2.3.100.1.2", "second blob".getBytes());
    BlobKey missing = storeAndRecord(b, "1.2.3.200", "1.2.3.200.1.1", "third one".getBytes());
    blobs.corrupt(corrupted);
    blobs.remove(missing);

    StudyVerifier.Report report = new StudyVerifier(testKit.system(), journal(), blobs, settings)
        .verify().toCompletableFuture().get(10, TimeUnit.SECONDS);

    var s = report.summary();
    assertEquals(2, s.studies());
    assertEquals(3, s.instances());
    assertEquals(1, s.ok());
    assertEquals(1, s.mismatched());
    assertEquals(1, s.missing());
    assertEquals(0, s.brokenChains());
    assertEquals("first".length() + "second blob".length(), s.bytes());
    assertFalse(s.clean());
    Map<ProblemKind, String> problems = report.problems().stream()
        .collect(Collectors.toMap(StudyVerifier.Problem::kind, StudyVerifier.Problem::blobKey));
    assertEquals(Map.of(ProblemKind.MISMATCHED, corrupted.value(),
        ProblemKind.MISSING, missing.value()), problems);
    assertTrue(blobs.contents().containsKey(good));
  }

  @Test
  void cleanArchiveIsClean() throws Exception {
    var a = study("1.2.3.300");
    storeAndRecord(a, "1.2.3.300", "1.2.3.300.1.1", "x".repeat(5000).getBytes());
    var report = new StudyVerifier(testKit.system(), journal(), blobs, settings)
        .verify().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(report.summary().clean(), report.toString());
    assertEquals(1, report.summary().ok());
    assertTrue(report.problems().isEmpty());
  }

  @Test
  void sweeperDeletesOnlyOldUnreferencedBlobs() throws Exception {
    var a = study("1.2.3.400");
    BlobKey referenced = storeAndRecord(a, "1.2.3.400", "1.2.3.400.1.1", "kept".getBytes());
    BlobKey oldOrphan = blobs.putDirect("old orphan".getBytes());
    BlobKey youngOrphan = blobs.putDirect("in flight".getBytes());
    BlobKey unknownAge = blobs.putDirect("who knows".getBytes());
    Instant now = Fixtures.NOW;
    OrphanSweeper.BlobAge ages = key -> CompletableFuture.completedFuture(
        key.equals(youngOrphan) ? Optional.of(now.minusSeconds(60))
            : key.equals(unknownAge) ? Optional.<Instant>empty()
            : Optional.of(now.minus(Duration.ofDays(2))));

    var result = new OrphanSweeper(testKit.system(), journal(), blobs, ages, settings,
        Fixtures.CLOCK).sweep().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertEquals(new OrphanSweeper.Result(4, 1, 1, 1, 1, 0), result);
    assertEquals(Set.of(referenced, youngOrphan, unknownAge), blobs.contents().keySet());
    assertFalse(blobs.contents().containsKey(oldOrphan));
  }
}
