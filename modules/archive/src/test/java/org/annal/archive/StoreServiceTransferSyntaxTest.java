// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.annal.archive.impl.IndexedAttributes;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetReader;
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.Part10;
import org.annal.dicom.net.CStoreRq;
import org.annal.dicom.net.DimseStatus;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real files in each transfer syntax family through the C-STORE handler, with the default prefix
 * and with a 1 KiB prefix that forces the header to be re-read from the stored blob. A fresh
 * cluster and journal per file: several files share a SOP Instance UID in different encodings.
 * The command's Affected SOP Class/Instance UIDs are taken from the data set, as storescu does.
 */
class StoreServiceTransferSyntaxTest {
  private ActorTestKit testKit;
  private ArchiveSettings settings;

  @BeforeEach
  void start() {
    testKit = StoreServiceTest.startCluster("StoreServiceTransferSyntaxTest");
    settings = ArchiveSettings.create(testKit.system());
    Study.init(testKit.system(), settings);
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @ParameterizedTest
  @CsvSource({
      "CT_small.dcm, 1048576", "CT_small.dcm, 1024",
      "MR_small_implicit.dcm, 1048576", "MR_small_implicit.dcm, 1024",
      "MR_small_bigendian.dcm, 1024", "image_dfl.dcm, 1048576", "image_dfl.dcm, 1024",
      "JPEG-lossy.dcm, 1048576", "SC_rgb_rle_2frame.dcm, 1024", "rtplan.dcm, 1048576",
      "test-SR.dcm, 1024", "waveform_ecg.dcm, 1024", "liver_1frame.dcm, 1024"})
  void storesEveryTransferSyntaxByteForByte(String file, int prefixLimit) throws Exception {
    Path path = Path.of("/work/shared/testdata/dicom", file);
    FileMetaInformation meta;
    byte[] dataset;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path))) {
      meta = Part10.readFileMetaInformation(in);
      dataset = in.readAllBytes();
    }
    Dataset header = DatasetReader.readUntilPixelData(
        new java.io.ByteArrayInputStream(dataset), meta.transferSyntaxUid());
    String sopClass = header.getString(IndexedAttributes.SOP_CLASS_UID);
    String sopInstance = header.getString(IndexedAttributes.SOP_INSTANCE_UID);
    String studyUid = header.getString(IndexedAttributes.STUDY_INSTANCE_UID);
    InMemoryBlobStore blobs = new InMemoryBlobStore();
    StoreService service = new StoreService(testKit.system(), blobs,
        settings.withHeaderPrefixLimit(prefixLimit), Fixtures.CLOCK);

    DimseStatus status = Source.from(StoreServiceTest.chunks(dataset, 3000))
        .runWith(service.onCStore(StoreServiceTest.association(),
            new CStoreRq(1, sopClass, sopInstance, 0, null, null),
            meta.transferSyntaxUid()), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertEquals(DimseStatus.SUCCESS, status, file);
    var stored = blobs.contents().values().iterator().next();
    byte[] written = FileMetaInformation.of(sopClass, sopInstance, meta.transferSyntaxUid(),
        "MODALITY").encode();
    assertArrayEquals(ByteString.fromArray(written).concat(ByteString.fromArray(dataset)).toArray(),
        stored.toArray());
    // The stored file reads back as a PS3.10 file with the same meta information.
    try (InputStream in = new BufferedInputStream(stored.iterator().asInputStream())) {
      FileMetaInformation back = Part10.readFileMetaInformation(in);
      assertEquals(meta.transferSyntaxUid(), back.transferSyntaxUid());
      assertEquals(sopInstance, back.mediaStorageSopInstanceUid());
      assertArrayEquals(dataset, in.readAllBytes());
    }
    TestProbe<Study.State> probe = testKit.createTestProbe();
    ClusterSharding.get(testKit.system()).entityRefFor(Study.ENTITY_KEY, studyUid)
        .tell(new Study.GetState(probe.ref()));
    Study.State state = probe.receiveMessage(Duration.ofSeconds(5));
    assertEquals(meta.transferSyntaxUid(),
        state.instances().get(sopInstance).transferSyntaxUid());
  }
}
