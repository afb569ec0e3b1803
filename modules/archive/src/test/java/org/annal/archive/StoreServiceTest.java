// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.annal.archive.impl.Sha256;
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CStoreRq;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.Status;
import org.annal.storage.BlobKey;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The C-STORE handler on a single-node cluster with the in-memory journal and blob store, fed the
 * data set of a real Part 10 file (CT_small.dcm, Explicit VR Little Endian) as the association
 * would feed it: without its meta header, in PDV-sized chunks.
 */
class StoreServiceTest {
  static final Path CT = Path.of("/work/shared/testdata/dicom/CT_small.dcm");
  static final String CT_SOP_INSTANCE = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";
  static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
  static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";

  private ActorTestKit testKit;
  private InMemoryBlobStore blobs;
  private ArchiveSettings settings;

  static Config clusterConfig() {
    return ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.coordinated-shutdown.exit-jvm = off
        annal.archive { node-id = test-node, site = test-site, ask-timeout = 3s }
        """)
        .withFallback(PersistenceTestKitPlugin.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load());
  }

  /** Starts a one-node cluster and waits (with a deadline) until this node is Up. */
  static ActorTestKit startCluster(String name) {
    ActorTestKit kit = ActorTestKit.create(name, clusterConfig());
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
      assertEquals(MemberStatus.up(), cluster.selfMember().status());
      return null;
    });
    return kit;
  }

  @BeforeEach
  void start() {
    testKit = startCluster("StoreServiceTest");
    settings = ArchiveSettings.create(testKit.system());
    Study.init(testKit.system(), settings);
    blobs = new InMemoryBlobStore();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  /** The data set of a Part 10 file: after 128 + 4 bytes and the meta group (0002,0000) says. */
  static byte[] datasetOf(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x00020000, (b.getShort(132) & 0xFFFF) << 16 | (b.getShort(134) & 0xFFFF));
    int groupLength = b.getInt(140);
    return Arrays.copyOfRange(all, 144 + groupLength, all.length);
  }

  static List<ByteString> chunks(byte[] bytes, int size) {
    List<ByteString> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += size) {
      out.add(ByteString.fromArray(bytes, i, Math.min(size, bytes.length - i)));
    }
    return out;
  }

  static AssociationInfo association() {
    return new AssociationInfo("assoc-42", "MODALITY", "ANNAL",
        new InetSocketAddress("127.0.0.1", 40404), Instant.parse("2026-11-30T01:00:00Z"));
  }

  private DimseStatus store(StoreService service, CStoreRq rq, Source<ByteString, ?> data)
      throws Exception {
    return data.runWith(service.onCStore(association(), rq, EXPLICIT_LE), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private StoreService service(ArchiveSettings s) {
    return new StoreService(testKit.system(), blobs, s, Fixtures.CLOCK);
  }

  static CStoreRq request(String sopInstanceUid) {
    return new CStoreRq(1, CT_IMAGE_STORAGE, sopInstanceUid, 0, null, null);
  }

  private Study.State studyState(String studyUid) {
    TestProbe<Study.State> probe = testKit.createTestProbe();
    ClusterSharding.get(testKit.system()).entityRefFor(Study.ENTITY_KEY, studyUid)
        .tell(new Study.GetState(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  private static String studyUidOfCt() {
    return "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
  }

  @Test
  void storesBlobAsPart10FileThenAnswersSuccess() throws Exception {
    byte[] dataset = datasetOf(CT);
    CStoreRq asMoveSubOperation =
        new CStoreRq(7, CT_IMAGE_STORAGE, CT_SOP_INSTANCE, 0, "MOVER", 3);
    DimseStatus status = store(service(settings), asMoveSubOperation,
        Source.from(chunks(dataset, 16 * 1024)));

    assertEquals(DimseStatus.SUCCESS, status);
    assertEquals(1, blobs.contents().size());
    var entry = blobs.contents().entrySet().iterator().next();
    byte[] meta = FileMetaInformation.of(CT_IMAGE_STORAGE, CT_SOP_INSTANCE, EXPLICIT_LE,
        "MODALITY").encode();
    byte[] expected = ByteString.fromArray(meta).concat(ByteString.fromArray(dataset)).toArray();
    assertArrayEquals(expected, entry.getValue().toArray());

    Study.State state = studyState(studyUidOfCt());
    Study.Instance instance = state.instances().get(CT_SOP_INSTANCE);
    assertEquals(entry.getKey().value(), instance.placements().iterator().next().blobKey());
    assertEquals(Sha256.of(expected), instance.sha256());
    assertEquals(Sha256.of(dataset), instance.datasetSha256());
    assertEquals(expected.length, instance.size());
    assertEquals("MODALITY", instance.source().callingAeTitle());
    assertEquals("127.0.0.1:40404", instance.source().peerAddress());
    assertEquals("assoc-42", instance.source().associationId());
    assertEquals("MOVER", instance.source().moveOriginatorAeTitle());
    assertEquals("CT", state.series().values().iterator().next().attributes().get("Modality"));
    assertEquals("20040119", state.study().get("StudyDate"));
    assertTrue(state.patient().containsKey("PatientID"), state.patient().toString());
  }

  @Test
  void headerBeyondThePrefixIsReadFromTheStoredBlob() throws Exception {
    byte[] dataset = datasetOf(CT);
    // 1 KiB prefix: CT_small's header is longer, so the handler must re-read the blob.
    DimseStatus status = store(service(settings.withHeaderPrefixLimit(1024)),
        request(CT_SOP_INSTANCE), Source.from(chunks(dataset, 700)));
    assertEquals(DimseStatus.SUCCESS, status);
    assertEquals("CT", studyState(studyUidOfCt()).series().values().iterator().next()
        .attributes().get("Modality"));
  }

  @Test
  void duplicatesIdenticalAndDifferent() throws Exception {
    byte[] dataset = datasetOf(CT);
    StoreService service = service(settings);
    assertEquals(DimseStatus.SUCCESS,
        store(service, request(CT_SOP_INSTANCE), Source.from(chunks(dataset, 4096))));
    BlobKey first = blobs.contents().keySet().iterator().next();

    // Same bytes again: Success, and the second blob is gone.
    assertEquals(DimseStatus.SUCCESS,
        store(service, request(CT_SOP_INSTANCE), Source.from(chunks(dataset, 4096))));
    assertEquals(List.of(first), List.copyOf(blobs.contents().keySet()));

    // Different bytes (one pixel changed), keep-first: warning B000, first copy kept.
    byte[] changed = dataset.clone();
    changed[changed.length - 1] ^= 0x01;
    DimseStatus warning =
        store(service, request(CT_SOP_INSTANCE), Source.from(chunks(changed, 4096)));
    assertEquals(Status.COERCION_OF_DATA_ELEMENTS, warning.code());
    assertTrue(warning.isWarning());
    assertTrue(warning.errorComment().length() <= 64);
    assertEquals(List.of(first), List.copyOf(blobs.contents().keySet()));
    Study.State state = studyState(studyUidOfCt());
    assertEquals(3, state.eventCount());
    assertEquals(Sha256.of(dataset), state.instances().get(CT_SOP_INSTANCE).datasetSha256());
  }

  @Test
  void mismatchingSopInstanceUidIsRefusedAndNothingKept() throws Exception {
    byte[] dataset = datasetOf(CT);
    DimseStatus status = store(service(settings), request("1.2.3.4.5"),
        Source.from(chunks(dataset, 4096)));
    assertEquals(Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS, status.code());
    assertTrue(status.isFailure());
    assertTrue(blobs.contents().isEmpty());
    assertEquals(0, studyState(studyUidOfCt()).eventCount());
  }

  @Test
  void mismatchingSopClassIsRefused() throws Exception {
    CStoreRq asMr = new CStoreRq(1, "1.2.840.10008.5.1.4.1.1.4", CT_SOP_INSTANCE, 0, null, null);
    DimseStatus status = store(service(settings), asMr, Source.from(chunks(datasetOf(CT), 4096)));
    assertEquals(Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS, status.code());
    assertEquals("SOP Class UID differs from Affected SOP Class UID", status.errorComment());
    assertTrue(blobs.contents().isEmpty());
  }

  @Test
  void unparseableDataSetIsCannotUnderstand() throws Exception {
    // A lone element header whose length runs past the end of the data set.
    byte[] garbage = {0x08, 0x00, 0x18, 0x00, 'U', 'I', (byte) 0xF0, 0x00, '1', '.', '2'};
    DimseStatus status = store(service(settings), request(CT_SOP_INSTANCE),
        Source.single(ByteString.fromArray(garbage)));
    assertEquals(Status.CANNOT_UNDERSTAND, status.code() & 0xF000);
    assertTrue(blobs.contents().isEmpty());
  }

  @Test
  void failingBlobStoreIsOutOfResources() throws Exception {
    blobs.failPuts(true);
    DimseStatus status = store(service(settings), request(CT_SOP_INSTANCE),
        Source.from(chunks(datasetOf(CT), 4096)));
    assertEquals(Status.OUT_OF_RESOURCES, status.code());
    assertEquals(0, studyState(studyUidOfCt()).eventCount());
  }

  @Test
  void concurrentInstancesOfOneStudyShareJournalWrites() throws Exception {
    // Each journal write takes 300 ms, so C-STOREs arriving meanwhile must wait and go together.
    List<Integer> writeSizes = java.util.Collections.synchronizedList(new ArrayList<>());
    PersistenceTestKit.create(testKit.system()).withPolicy((persistenceId, operation) -> {
      if (operation instanceof org.apache.pekko.persistence.testkit.WriteEvents write) {
        writeSizes.add(write.getBatch().size());
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return org.apache.pekko.persistence.testkit.ProcessingSuccess$.MODULE$;
    });
    byte[] dataset = datasetOf(CT);
    StoreService service = service(settings);
    String prefix = CT_SOP_INSTANCE.substring(0, CT_SOP_INSTANCE.length() - 1);
    List<java.util.concurrent.CompletableFuture<DimseStatus>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      byte[] copy = withLastUidDigit(dataset, CT_SOP_INSTANCE, (char) ('0' + i));
      results.add(Source.from(chunks(copy, 4096))
          .runWith(service.onCStore(association(), request(prefix + i), EXPLICIT_LE),
              testKit.system())
          .toCompletableFuture());
    }
    for (var result : results) {
      assertEquals(DimseStatus.SUCCESS, result.get(20, TimeUnit.SECONDS));
    }
    Study.State state = studyState(studyUidOfCt());
    assertEquals(8, state.instances().size());
    assertEquals(8, state.eventCount());
    assertEquals(8, writeSizes.stream().mapToInt(Integer::intValue).sum(), writeSizes.toString());
    assertTrue(writeSizes.size() < 8, "instances waiting for a write share the next one: "
        + writeSizes);
  }

  /** The data set with the last digit of one UID value replaced (same length, still valid). */
  static byte[] withLastUidDigit(byte[] dataset, String uid, char digit) {
    byte[] needle = uid.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] out = dataset.clone();
    outer:
    for (int i = 0; i + needle.length <= out.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (out[i + j] != needle[j]) {
          continue outer;
        }
      }
      out[i + needle.length - 1] = (byte) digit;
      return out;
    }
    throw new IllegalArgumentException("UID not in data set: " + uid);
  }

  @Test
  void failingJournalIsOutOfResourcesAndBlobStaysForTheSweeper() throws Exception {
    PersistenceTestKit.create(testKit.system()).failNextPersisted();
    DimseStatus status = store(service(settings), request(CT_SOP_INSTANCE),
        Source.from(chunks(datasetOf(CT), 4096)));
    assertEquals(Status.OUT_OF_RESOURCES, status.code());
    assertEquals(1, blobs.contents().size(), "orphan left for the sweeper");
  }

  @Test
  void truncatedDataSetFailsWithoutEventOrBlob() throws Exception {
    byte[] dataset = datasetOf(CT);
    Source<ByteString, ?> truncated = Source.from(chunks(Arrays.copyOf(dataset, 5000), 1000))
        .concat(Source.failed(new IOException("association aborted")));
    var error = assertThrows(ExecutionException.class,
        () -> store(service(settings), request(CT_SOP_INSTANCE), truncated));
    assertTrue(error.getCause() instanceof IOException, error.toString());
    assertTrue(blobs.contents().isEmpty());
    assertEquals(0, studyState(studyUidOfCt()).eventCount());
  }
}
