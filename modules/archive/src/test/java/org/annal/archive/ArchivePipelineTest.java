// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.Part10;
import org.annal.dicom.net.CStoreRq;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.synth.SyntheticCt;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The module's parts together: synthetic CT studies (non-ASCII patient names, UTF-8) stored
 * through the C-STORE handler, several at a time, then verified and swept from the journal.
 */
class ArchivePipelineTest {
  private static final int STUDIES = 2;
  private static final int SERIES = 2;
  private static final int INSTANCES = 15;

  private ActorTestKit testKit;
  private ArchiveSettings settings;
  private InMemoryBlobStore blobs;

  @BeforeEach
  void start() {
    testKit = StoreServiceTest.startCluster("ArchivePipelineTest");
    settings = ArchiveSettings.create(testKit.system())
        .withReadJournalPluginId(PersistenceTestKitReadJournal.Identifier());
    Study.init(testKit.system(), settings);
    blobs = new InMemoryBlobStore();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  private record Item(CStoreRq request, String transferSyntaxUid, byte[] dataset) {}

  private static Item item(SyntheticCt ct, int study, int series, int instance) throws Exception {
    try (InputStream in = new BufferedInputStream(
        new ByteArrayInputStream(ct.encode(study, series, instance)))) {
      FileMetaInformation meta = Part10.readFileMetaInformation(in);
      return new Item(new CStoreRq(instance + 1, meta.mediaStorageSopClassUid(),
          meta.mediaStorageSopInstanceUid(), 0, null, null), meta.transferSyntaxUid(),
          in.readAllBytes());
    }
  }

  @Test
  void storeVerifySweep() throws Exception {
    SyntheticCt ct = SyntheticCt.builder().studies(STUDIES).seriesPerStudy(SERIES)
        .instancesPerSeries(INSTANCES).metadataOnly(true).nonAsciiNames(true).seed(3).build();
    List<Item> items = new ArrayList<>();
    for (int st = 0; st < STUDIES; st++) {
      for (int se = 0; se < SERIES; se++) {
        for (int i = 0; i < INSTANCES; i++) {
          items.add(item(ct, st, se, i));
        }
      }
    }
    StoreService service = new StoreService(testKit.system(), blobs, settings);

    List<DimseStatus> statuses = Source.from(items)
        .mapAsyncUnordered(4, it -> Source.from(StoreServiceTest.chunks(it.dataset(), 512))
            .runWith(service.onCStore(StoreServiceTest.association(), it.request(),
                it.transferSyntaxUid()), testKit.system()))
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(60, TimeUnit.SECONDS);

    assertEquals(items.size(), statuses.size());
    assertTrue(statuses.stream().allMatch(DimseStatus::isSuccess), statuses.toString());
    assertEquals(items.size(), blobs.contents().size());

    TestProbe<Study.State> probe = testKit.createTestProbe();
    ClusterSharding.get(testKit.system()).entityRefFor(Study.ENTITY_KEY, ct.studyInstanceUid(0))
        .tell(new Study.GetState(probe.ref()));
    Study.State state = probe.receiveMessage(Duration.ofSeconds(10));
    assertEquals(SERIES * INSTANCES, state.instances().size());
    assertEquals(SERIES, state.series().size());
    String name = state.patient().get("PatientName");
    assertTrue(name != null && name.chars().anyMatch(c -> c > 127), "decoded UTF-8: " + name);

    StudyJournal journal = StudyJournal.create(testKit.system(), settings.readJournalPluginId());
    var report = new StudyVerifier(testKit.system(), journal, blobs, settings).verify()
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(report.summary().clean(), report.toString());
    assertEquals(STUDIES, report.summary().studies());
    assertEquals(items.size(), report.summary().ok());

    // Every blob is referenced: the sweeper, told they are all ancient, deletes none.
    var swept = new OrphanSweeper(testKit.system(), journal, blobs,
        key -> CompletableFuture.completedFuture(Optional.of(java.time.Instant.EPOCH)),
        settings, java.time.Clock.systemUTC())
        .sweep().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(items.size(), swept.referenced());
    assertEquals(0, swept.deleted());
  }
}
