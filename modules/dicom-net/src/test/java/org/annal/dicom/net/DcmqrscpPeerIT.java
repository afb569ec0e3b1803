// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.Dataset;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.Vr;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our FindScu, MoveScu and GetScu against DCMTK dcmqrscp (a peer, not a reference). */
class DcmqrscpPeerIT {
  static ActorSystem system;

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create("DcmqrscpPeerIT");
  }

  @AfterAll
  static void stopSystem() {
    TestKit.shutdownActorSystem(system);
  }

  static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void findMoveAndGetFromDcmqrscp(@TempDir Path dir) throws Exception {
    // our C-MOVE destination, which dcmqrscp must know by AE title and port
    TestSupport.FileHandler moved = new TestSupport.FileHandler(
        Files.createDirectory(dir.resolve("moved")));
    DicomServerBinding dest = get(DicomServer.bind(system, DicomServerSettings.defaults()
        .withAeTitle("DEST").withBind("127.0.0.1", 0), moved));
    Path db = Files.createDirectory(dir.resolve("db"));
    Path config = dir.resolve("dcmqrscp.cfg");
    Files.writeString(config, String.join("\n",
        "NetworkTCPPort = 0", "MaxPDUSize = 16384", "MaxAssociations = 16",
        "HostTable BEGIN",
        "dest = (DEST, 127.0.0.1, " + dest.localAddress().getPort() + ")",
        "HostTable END", "VendorTable BEGIN", "VendorTable END", "AETable BEGIN",
        "QRSCP " + db + " RW (20, 64mb) ANY", "AETable END", ""));
    int port = freePort();
    Process qrscp = new ProcessBuilder("dcmqrscp", "-c", config.toString(),
        Integer.toString(port)).redirectErrorStream(true)
        .redirectOutput(dir.resolve("dcmqrscp.log").toFile()).start();
    try {
      awaitListening(port);
      ToolResult s = run("storescu", "-aec", "QRSCP", "127.0.0.1", Integer.toString(port),
          TESTDATA.resolve("CT_small.dcm").toString(), TESTDATA.resolve("MR_small.dcm").toString());
      assertEquals(0, s.exitCode(), s.output());
      String ctStudy = dcmdumpValue(TESTDATA.resolve("CT_small.dcm"), "0020,000d");

      Dataset studies = new Dataset();
      studies.putString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY");
      studies.putString(Tag.StudyInstanceUID, Vr.UI, "");
      FindScu.Result found = get(FindScu.find(system, ScuSettings.defaults(), "127.0.0.1", port,
          "ANNALSCU", "QRSCP", QueryRetrieveSopClasses.STUDY_ROOT_FIND, studies, 100));
      assertEquals(DimseStatus.SUCCESS, found.status());
      assertEquals(2, found.matches().size());
      assertTrue(found.matches().stream()
          .anyMatch(m -> ctStudy.equals(m.getString(Tag.StudyInstanceUID))));

      Dataset ct = new Dataset();
      ct.putString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY");
      ct.putString(Tag.StudyInstanceUID, Vr.UI, ctStudy);
      RetrieveProgress move = get(MoveScu.move(system, ScuSettings.defaults(), "127.0.0.1", port,
          "ANNALSCU", "QRSCP", QueryRetrieveSopClasses.STUDY_ROOT_MOVE, "DEST", ct));
      assertEquals(DimseStatus.SUCCESS, move.status(), move.toString());
      assertEquals(1, move.completed());
      await("moved instance stored", Duration.ofSeconds(5), () -> moved.received.size() == 1);
      assertEquals(Uid.CT_IMAGE_STORAGE, moved.received.peek().request().affectedSopClassUid());
      assertEquals("ANNALSCU", moved.received.peek().request().moveOriginatorAeTitle());

      TestSupport.FileHandler got = new TestSupport.FileHandler(
          Files.createDirectory(dir.resolve("got")));
      RetrieveProgress getRsp = get(GetScu.get(system, ScuSettings.defaults(), "127.0.0.1", port,
          "ANNALSCU", "QRSCP", QueryRetrieveSopClasses.STUDY_ROOT_GET, ct,
          List.of(ProposedContext.of(Uid.CT_IMAGE_STORAGE, Uid.EXPLICIT_VR_LITTLE_ENDIAN,
              Uid.IMPLICIT_VR_LITTLE_ENDIAN)), got));
      assertEquals(DimseStatus.SUCCESS, getRsp.status(), getRsp.toString());
      assertEquals(1, got.received.size());
      assertEquals(StoreScu.inspect(TESTDATA.resolve("CT_small.dcm")).sopInstanceUid(),
          got.received.peek().request().affectedSopInstanceUid());
    } finally {
      qrscp.destroy();
      qrscp.waitFor(10, TimeUnit.SECONDS);
      dest.unbind();
    }
  }
}
