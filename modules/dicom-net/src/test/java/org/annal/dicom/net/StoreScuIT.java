// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.Uid;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** StoreScu over the test files into our own DicomServer: every data set arrives unchanged. */
class StoreScuIT {
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("StoreScuIT");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void storesFilesInTheirOwnSyntaxByteForByte(@TempDir Path dir) throws Exception {
    FileHandler handler = new FileHandler(dir);
    DicomServerBinding binding = DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0), handler).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    try {
      List<String> names = List.of("MR_small.dcm", "CT_small.dcm", "MR_small_bigendian.dcm",
          "MR_small_implicit.dcm", "JPEG2000.dcm", "image_dfl.dcm", "bare", "rtplan.dcm",
          "waveform_ecg.dcm", "SC_rgb_rle_2frame.dcm");
      List<StoreScu.Instance> instances = new ArrayList<>();
      // a bare data set (no PS3.10 meta information): MR_small.dcm's, cut out of the file
      Path bare = dir.resolve("bare-MR_small.dcm");
      Files.write(bare, dataSetBytes(TESTDATA.resolve("MR_small.dcm")));
      for (String name : names) {
        instances.add(StoreScu.inspect(name.equals("bare") ? bare : TESTDATA.resolve(name)));
      }
      assertEquals(Uid.IMPLICIT_VR_LITTLE_ENDIAN, instances.get(3).transferSyntaxUid());
      assertEquals(0, instances.get(6).dataSetOffset(), "a bare data set starts at 0");
      assertEquals(Uid.EXPLICIT_VR_LITTLE_ENDIAN, instances.get(6).transferSyntaxUid());
      List<StoreScu.Outcome> outcomes = StoreScu.store(system, ScuSettings.defaults(), "127.0.0.1",
          binding.port(), "STORESCU", "ANNAL", instances).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      assertEquals(names.size(), outcomes.size());
      for (StoreScu.Outcome outcome : outcomes) {
        assertTrue(outcome.isSuccess(), outcome.toString());
      }
      assertEquals(names.size(), handler.received.size());
      for (StoreScu.Instance instance : instances) {
        Received received = handler.received.stream()
            .filter(r -> r.request().affectedSopInstanceUid().equals(instance.sopInstanceUid())
                && r.transferSyntax().equals(instance.transferSyntaxUid())
                && r.request().messageId() == instances.indexOf(instance) + 1)
            .findFirst().orElseThrow(() -> new AssertionError("not received: " + instance));
        assertEquals(instance.transferSyntaxUid(), received.transferSyntax());
        assertEquals(instance.sopClassUid(), received.request().affectedSopClassUid());
        assertArrayEquals(dataSetBytes(instance.file()), Files.readAllBytes(received.file()),
            instance.file().toString());
      }
      assertEquals(DimseStatus.SUCCESS, StoreScu.echo(system, ScuSettings.defaults(), "127.0.0.1",
          binding.port(), "ECHOSCU", "ANNAL").toCompletableFuture().get(10, TimeUnit.SECONDS));
      await("closed", Duration.ofSeconds(5), () -> binding.activeAssociations() == 0);
    } finally {
      binding.drain().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
