// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.annal.dicom.Uid;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ScuAssociation against DCMTK storescp (a real peer) and against our own DicomServer. */
class ScuIT {
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("ScuIT");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void echoAndStoreToDcmtkStorescpWithSmallPdus(@TempDir Path dir) throws Exception {
    int port = freePort();
    // -B: bit-preserving, stores the data set exactly as received; --max-pdu 4096 forces our
    // fragmentation to honour the peer's Maximum Length.
    Process storescp = new ProcessBuilder("storescp", "-B", "--max-pdu", "4096", "-aet", "STORESCP",
        "-od", dir.toString(), Integer.toString(port)).redirectErrorStream(true)
        .redirectOutput(dir.resolve("storescp.log").toFile()).start();
    try {
      awaitListening(port);
      // storescp drops Data Set Trailing Padding even with -B: send a file without it
      Path file = dir.resolve("reference.dcm");
      ToolResult c = run("dcmconv", "+te", "-p", TESTDATA.resolve("CT_small.dcm").toString(),
          file.toString());
      assertEquals(0, c.exitCode(), c.output());
      String sopInstance = dcmdumpValue(file, "0008,0018");
      byte[] dataSet = dataSetBytes(file);
      ScuAssociation association = get(ScuAssociation.open(system, ScuSettings.defaults(),
          "127.0.0.1", port, "ANNALSCU", "STORESCP", List.of(
              ProposedContext.of(Uid.VERIFICATION, Uid.IMPLICIT_VR_LITTLE_ENDIAN),
              ProposedContext.of(Uid.CT_IMAGE_STORAGE, Uid.EXPLICIT_VR_LITTLE_ENDIAN))));
      assertEquals(DimseStatus.SUCCESS, get(association.cEcho()));
      // 1-byte chunks from the source: the fragmenter must still fill PDUs up to the maximum
      Source<ByteString, ?> source = Source.range(0, dataSet.length - 1)
          .map(i -> ByteString.fromArray(dataSet, i, 1));
      assertEquals(DimseStatus.SUCCESS, get(association.cStore(Uid.CT_IMAGE_STORAGE, sopInstance,
          Uid.EXPLICIT_VR_LITTLE_ENDIAN, source)));
      get(association.release());
      await("storescp wrote the file", Duration.ofSeconds(10), () -> listFiles(dir).size() == 1);
      Path stored = listFiles(dir).get(0);
      assertArrayEquals(dataSet, dataSetBytes(stored));
    } finally {
      storescp.destroy();
      storescp.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static List<Path> listFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("CT")).toList();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void storeLargeDataSetToOurServerAndGetRejections(@TempDir Path dir) throws Exception {
    FileHandler handler = new FileHandler(dir);
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0), handler));
    try {
      byte[] big = new byte[5 * 1024 * 1024 + 7];
      new Random(1).nextBytes(big);
      ScuAssociation association = get(ScuAssociation.open(system, ScuSettings.defaults(),
          "127.0.0.1", binding.port(), "ANNALSCU", "ANNAL",
          List.of(ProposedContext.of(Uid.MR_IMAGE_STORAGE, Uid.EXPLICIT_VR_LITTLE_ENDIAN))));
      for (int i = 0; i < 3; i++) {
        Source<ByteString, ?> source = Source.single(ByteString.fromArray(big));
        assertEquals(DimseStatus.SUCCESS, get(association.cStore(Uid.MR_IMAGE_STORAGE,
            "1.2.3.4." + i, Uid.EXPLICIT_VR_LITTLE_ENDIAN, source)));
      }
      // no context for CT: refused locally, association still usable
      ExecutionException noContext = assertThrows(ExecutionException.class,
          () -> get(association.cStore(Uid.CT_IMAGE_STORAGE, "1.2.3", Uid.EXPLICIT_VR_LITTLE_ENDIAN,
              Source.empty())));
      assertInstanceOf(IllegalArgumentException.class, noContext.getCause());
      get(association.release());
      assertEquals(3, handler.received.size());
      for (Received r : handler.received) {
        assertArrayEquals(big, Files.readAllBytes(r.file()));
        assertEquals("ANNALSCU", r.association().callingAeTitle());
        assertTrue(r.request().affectedSopInstanceUid().startsWith("1.2.3.4."));
      }
      ExecutionException rejected = assertThrows(ExecutionException.class,
          () -> get(ScuAssociation.open(system, ScuSettings.defaults(), "127.0.0.1",
              binding.port(), "ANNALSCU", "WRONG", List.of(ProposedContext.of(Uid.VERIFICATION,
                  Uid.IMPLICIT_VR_LITTLE_ENDIAN)))));
      Throwable cause = rejected.getCause() instanceof CompletionException c ? c.getCause()
          : rejected.getCause();
      ScuAssociation.AssociationRejectedException rj =
          assertInstanceOf(ScuAssociation.AssociationRejectedException.class, cause);
      assertEquals(List.of(1, 1, 7), List.of(rj.result, rj.source, rj.reason));
      await("no association left", Duration.ofSeconds(5), () -> binding.activeAssociations() == 0);
    } finally {
      get(binding.drain());
    }
  }

  @Test
  void connectionRefusedFailsTheOpenStage() throws Exception {
    int port = freePort(); // nothing listens there
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(ScuAssociation.open(
        system, ScuSettings.defaults(), "127.0.0.1", port, "SCU", "ANY",
        List.of(ProposedContext.of(Uid.VERIFICATION, Uid.IMPLICIT_VR_LITTLE_ENDIAN)))));
    assertNotNull(e.getCause());
  }

  @Test
  void parallelAssociations(@TempDir Path dir) throws Exception {
    FileHandler handler = new FileHandler(dir);
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0), handler));
    try {
      List<java.util.concurrent.CompletableFuture<Void>> runs = new java.util.ArrayList<>();
      for (int a = 0; a < 8; a++) {
        int association = a;
        runs.add(ScuAssociation.open(system, ScuSettings.defaults(), "127.0.0.1", binding.port(),
                "SCU" + a, "ANNAL",
                List.of(ProposedContext.of(Uid.MR_IMAGE_STORAGE, Uid.EXPLICIT_VR_LITTLE_ENDIAN)))
            .thenCompose(scu -> {
              java.util.concurrent.CompletionStage<DimseStatus> chain =
                  java.util.concurrent.CompletableFuture.completedFuture(DimseStatus.SUCCESS);
              for (int i = 0; i < 10; i++) {
                String uid = "1.2.826.0.1." + association + "." + i;
                byte[] bytes = uid.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                chain = chain.thenCompose(previous -> {
                  assertEquals(DimseStatus.SUCCESS, previous);
                  return scu.cStore(Uid.MR_IMAGE_STORAGE, uid, Uid.EXPLICIT_VR_LITTLE_ENDIAN,
                      Source.single(ByteString.fromArray(bytes)));
                });
              }
              return chain.thenCompose(last -> {
                assertEquals(DimseStatus.SUCCESS, last);
                return scu.release();
              });
            })
            .thenApply(done -> (Void) null).toCompletableFuture());
      }
      java.util.concurrent.CompletableFuture.allOf(runs.toArray(
          java.util.concurrent.CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertEquals(80, handler.received.size());
      for (Received r : handler.received) {
        // each data set is its own instance UID: nothing mixed up between associations
        assertEquals(r.request().affectedSopInstanceUid(), new String(Files.readAllBytes(r.file()),
            java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(r.request().affectedSopInstanceUid()
            .startsWith("1.2.826.0.1." + r.association().callingAeTitle().substring(3) + "."));
      }
      await("all closed", Duration.ofSeconds(10), () -> binding.activeAssociations() == 0);
    } finally {
      get(binding.drain());
    }
  }

  @Test
  void dataSetSourceFailingHalfWayAbortsTheAssociation(@TempDir Path dir) throws Exception {
    GatedHandler handler = new GatedHandler();
    handler.gate.complete(null);
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0), handler));
    try {
      ScuAssociation association = get(ScuAssociation.open(system, ScuSettings.defaults(),
          "127.0.0.1", binding.port(), "SCU", "ANNAL",
          List.of(ProposedContext.of(Uid.MR_IMAGE_STORAGE, Uid.EXPLICIT_VR_LITTLE_ENDIAN))));
      Source<ByteString, ?> failing = Source.repeat(ByteString.fromArray(new byte[50_000])).take(3)
          .concat(Source.failed(new java.io.IOException("disk read error")));
      assertThrows(ExecutionException.class, () -> get(association.cStore(Uid.MR_IMAGE_STORAGE,
          "1.2.3", Uid.EXPLICIT_VR_LITTLE_ENDIAN, failing)));
      assertFalse(association.isEstablished());
      ExecutionException next = assertThrows(ExecutionException.class,
          () -> get(association.cEcho()));
      assertInstanceOf(IllegalStateException.class, next.getCause());
      await("server closed the association", Duration.ofSeconds(10),
          () -> binding.activeAssociations() == 0);
      await("the handler's stream failed", Duration.ofSeconds(10),
          () -> !handler.failures.isEmpty());
    } finally {
      get(binding.drain());
    }
  }
}
