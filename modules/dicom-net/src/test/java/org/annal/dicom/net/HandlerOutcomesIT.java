// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.Uid;
import org.annal.dicom.net.impl.AAssociateRj;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the C-STORE-RSP says for each way a handler can end (PS3.4 B.2.3, CStoreHandler's
 * contract), and the association-level limits (max-associations, calling AE allow-list).
 */
class HandlerOutcomesIT {
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("HandlerOutcomesIT");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Sends one C-STORE of 200 KiB (13 PDUs) to a server using {@code handler}; returns its status. */
  static List<DimseStatus> storeTwice(CStoreHandler handler) throws Exception {
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0), handler));
    try {
      ScuAssociation association = get(ScuAssociation.open(system, ScuSettings.defaults(),
          "127.0.0.1", binding.port(), "SCU", "ANNAL",
          List.of(ProposedContext.of(Uid.MR_IMAGE_STORAGE, Uid.IMPLICIT_VR_LITTLE_ENDIAN))));
      Source<ByteString, ?> data = Source.repeat(ByteString.fromArray(new byte[1024])).take(200);
      DimseStatus first = get(association.cStore(Uid.MR_IMAGE_STORAGE, "1.2.3.1",
          Uid.IMPLICIT_VR_LITTLE_ENDIAN, data));
      // The association survives whatever the handler did: a second C-STORE gets an answer too.
      DimseStatus second = get(association.cStore(Uid.MR_IMAGE_STORAGE, "1.2.3.2",
          Uid.IMPLICIT_VR_LITTLE_ENDIAN, data));
      get(association.release());
      await("closed", Duration.ofSeconds(5), () -> binding.activeAssociations() == 0);
      return List.of(first, second);
    } finally {
      get(binding.drain());
    }
  }

  @Test
  void failedSinkIsOutOfResourcesWithErrorComment() throws Exception {
    List<DimseStatus> statuses = storeTwice((association, rq, ts) -> Flow.<ByteString>create()
        .<ByteString>map(b -> {
          throw new IllegalStateException("disk full");
        })
        .toMat(Sink.<ByteString>ignore(), Keep.right())
        .mapMaterializedValue(done -> done.thenApply(d -> DimseStatus.SUCCESS)));
    for (DimseStatus status : statuses) {
      assertEquals(Status.OUT_OF_RESOURCES, status.code());
      assertEquals("disk full", status.errorComment());
    }
  }

  @Test
  void handlerStatusIsPassedThrough() throws Exception {
    List<DimseStatus> statuses = storeTwice((association, rq, ts) -> Sink.<ByteString>ignore()
        .mapMaterializedValue(done -> done.thenApply(d -> DimseStatus.of(
            Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS, "not an MR"))));
    assertEquals(List.of(DimseStatus.of(0xA900, "not an MR"), DimseStatus.of(0xA900, "not an MR")),
        statuses);
  }

  @Test
  void sinkThatCancelsEarlyStillGetsItsStatusAfterTheRestIsDiscarded() throws Exception {
    List<DimseStatus> statuses = storeTwice((association, rq, ts) -> Sink.<ByteString>head()
        .mapMaterializedValue(first -> first.thenApply(b -> DimseStatus.of(Status.ELEMENTS_DISCARDED,
            "kept " + b.size()))));
    assertEquals(Status.ELEMENTS_DISCARDED, statuses.get(0).code());
    assertEquals(Status.ELEMENTS_DISCARDED, statuses.get(1).code());
  }

  @Test
  void handlerThatThrowsIsOutOfResources() throws Exception {
    List<DimseStatus> statuses = storeTwice((association, rq, ts) -> {
      throw new IllegalStateException("boom");
    });
    assertEquals(Status.OUT_OF_RESOURCES, statuses.get(0).code());
    assertEquals(Status.OUT_OF_RESOURCES, statuses.get(1).code());
  }

  @Test
  void maxAssociationsRejectsTransient() throws Exception {
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0).withMaxAssociations(1),
        (a, r, t) -> Sink.<ByteString>ignore().mapMaterializedValue(
            d -> CompletableFuture.completedFuture(DimseStatus.SUCCESS))));
    // The second connection opens only once the first is accepted: the limit counts
    // connections, so opening both first would let the first one's RQ see 2 of 1.
    try (RawPeer first = new RawPeer(binding.port())) {
      first.send(RawPeer.echoRq());
      assertInstanceOf(org.annal.dicom.net.impl.AAssociateAc.class, first.read());
      try (RawPeer second = new RawPeer(binding.port())) {
        second.send(RawPeer.echoRq());
        assertEquals(new AAssociateRj(2, 3, 2), second.read());
      }
    } finally {
      get(binding.drain());
    }
  }

  @Test
  void callingAeAllowList() throws Exception {
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0).withCallingAeTitles(
            List.of(AllowedCaller.parse("GOOD@127.0.0.1"), AllowedCaller.parse("ELSEWHERE@10.1.2.3"))),
        (a, r, t) -> Sink.<ByteString>ignore().mapMaterializedValue(
            d -> CompletableFuture.completedFuture(DimseStatus.SUCCESS))));
    try {
      String port = Integer.toString(binding.port());
      assertEquals(0, run("echoscu", "-aet", "GOOD", "-aec", "ANNAL", "127.0.0.1", port)
          .exitCode());
      ToolResult bad = run("echoscu", "-v", "-aet", "BAD", "-aec", "ANNAL", "127.0.0.1", port);
      assertTrue(bad.output().contains("Calling AE Title Not Recognized"), bad.output());
      ToolResult elsewhere = run("echoscu", "-v", "-aet", "ELSEWHERE", "-aec", "ANNAL",
          "127.0.0.1", port);
      assertTrue(elsewhere.output().contains("Calling AE Title Not Recognized"),
          elsewhere.output());
      ExecutionException e = assertThrows(ExecutionException.class, () -> get(ScuAssociation.open(
          system, ScuSettings.defaults(), "127.0.0.1", binding.port(), "BAD", "ANNAL",
          List.of(ProposedContext.of(Uid.VERIFICATION, Uid.IMPLICIT_VR_LITTLE_ENDIAN)))));
      assertTrue(e.getCause().toString().contains("source 1 reason 3"), e.toString());
    } finally {
      get(binding.drain());
    }
  }
}
