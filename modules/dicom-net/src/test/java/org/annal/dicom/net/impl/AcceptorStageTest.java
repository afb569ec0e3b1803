// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.Uid;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.DicomServerSettings;
import org.annal.dicom.net.DimseStatus;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The acceptor state machine driven PDU by PDU, without TCP: what comes out for what goes in. */
class AcceptorStageTest {
  static ActorSystem system;
  static final DicomServerSettings SETTINGS = DicomServerSettings.defaults()
      .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));

  @BeforeAll
  static void start() {
    system = ActorSystem.create("AcceptorStageTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  /** Handler collecting each data set; its stream's outcome goes to {@code outcomes}. */
  static final class Collecting implements CStoreHandler {
    final List<ByteString> dataSets = new ArrayList<>();
    final List<Throwable> failures = new ArrayList<>();

    @Override
    public Sink<ByteString, java.util.concurrent.CompletionStage<DimseStatus>> onCStore(
        org.annal.dicom.net.AssociationInfo association, org.annal.dicom.net.CStoreRq request,
        String transferSyntaxUid) {
      return Sink.<ByteString, ByteString>fold(ByteString.emptyByteString(), ByteString::concat)
          .mapMaterializedValue(f -> f.handle((bytes, failure) -> {
            synchronized (this) {
              if (failure != null) {
                failures.add(failure);
                throw new java.util.concurrent.CompletionException(failure);
              }
              dataSets.add(bytes);
            }
            return DimseStatus.SUCCESS;
          }));
    }
  }

  static List<Pdu> run(CStoreHandler handler, Pdu... in) throws Exception {
    return Source.from(List.of(in))
        .via(Flow.fromGraph(new AcceptorStage(SETTINGS, handler, "t",
            new InetSocketAddress("127.0.0.1", 4242), () -> false)))
        .runWith(Sink.seq(), system).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static AAssociateRq rq(String abstractSyntax) {
    return new AAssociateRq(1, "ANNAL", "SCU", Uid.DICOM_APPLICATION_CONTEXT,
        List.of(new PresentationContextRq(1, abstractSyntax, List.of(Uid.IMPLICIT_VR_LITTLE_ENDIAN))),
        new UserInformation(16384, "1.2.3", null, 4, 4, List.of()));
  }

  static PDataTf command(CommandSet cmd) {
    return new PDataTf(List.of(PresentationDataValue.of(1, true, true, cmd.encode())));
  }

  static PDataTf data(boolean last, String text) {
    return new PDataTf(List.of(PresentationDataValue.of(1, false, last,
        ByteString.fromString(text))));
  }

  static CommandSet echo(int messageId) {
    return new CommandSet().putUid(CommandSet.AFFECTED_SOP_CLASS_UID, Uid.VERIFICATION)
        .putUs(CommandSet.COMMAND_FIELD, 0x0030).putUs(CommandSet.MESSAGE_ID, messageId)
        .putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.NO_DATA_SET);
  }

  static CommandSet store(int messageId, String instance) {
    return new CommandSet().putUid(CommandSet.AFFECTED_SOP_CLASS_UID, Uid.CT_IMAGE_STORAGE)
        .putUs(CommandSet.COMMAND_FIELD, 0x0001).putUs(CommandSet.MESSAGE_ID, messageId)
        .putUs(CommandSet.PRIORITY, 0).putUs(CommandSet.COMMAND_DATA_SET_TYPE, 0)
        .putUid(CommandSet.AFFECTED_SOP_INSTANCE_UID, instance);
  }

  static CommandSet response(Pdu pdu) {
    return CommandSet.decode(((PDataTf) pdu).values().get(0).value());
  }

  @Test
  void echoThenRelease() throws Exception {
    List<Pdu> out = run(new Collecting(), rq(Uid.VERIFICATION), command(echo(5)), new AReleaseRq());
    assertEquals(3, out.size(), out.toString());
    AAssociateAc ac = (AAssociateAc) out.get(0);
    assertEquals(1, ac.userInformation().maxOperationsInvoked(), "we negotiate 1 operation");
    CommandSet rsp = response(out.get(1));
    assertEquals(0x8030, rsp.getUs(CommandSet.COMMAND_FIELD));
    assertEquals(5, rsp.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO));
    assertEquals(0, rsp.getUs(CommandSet.STATUS));
    assertEquals(new AReleaseRp(), out.get(2));
  }

  @Test
  void storeWithCommandAndDataFragmentsInOnePdu() throws Exception {
    Collecting handler = new Collecting();
    // command last fragment and first data fragment share one P-DATA-TF (PS3.8 §9.3.5 allows it)
    PDataTf mixed = new PDataTf(List.of(
        PresentationDataValue.of(1, true, true, store(1, "1.2.3").encode()),
        PresentationDataValue.of(1, false, false, ByteString.fromString("ab"))));
    List<Pdu> out = run(handler, rq(Uid.CT_IMAGE_STORAGE), mixed, data(false, "cd"),
        data(true, "ef"), command(store(2, "1.2.4")), data(true, "gh"), new AReleaseRq());
    assertEquals(4, out.size(), out.toString());
    assertEquals("1.2.3", response(out.get(1)).getString(CommandSet.AFFECTED_SOP_INSTANCE_UID));
    assertEquals(0, response(out.get(2)).getUs(CommandSet.STATUS));
    assertEquals(List.of(ByteString.fromString("abcdef"), ByteString.fromString("gh")),
        handler.dataSets);
  }

  @Test
  void transportClosedMidDataSetFailsTheHandlerAndSendsNothing() throws Exception {
    Collecting handler = new Collecting();
    List<Pdu> out = run(handler, rq(Uid.CT_IMAGE_STORAGE), command(store(1, "1.2.3")),
        data(false, "partial"));
    assertEquals(1, out.size(), "only the AC: " + out);
    await(() -> handler.failures.size() == 1);
    assertTrue(handler.dataSets.isEmpty());
    assertInstanceOf(AssociationEndedException.class, handler.failures.get(0));
  }

  @Test
  void wrongOrderIsAborted() throws Exception {
    assertEquals(List.of(AAbort.provider(AAbort.REASON_UNEXPECTED_PDU)),
        run(new Collecting(), data(true, "x")));
    List<Pdu> out = run(new Collecting(), rq(Uid.CT_IMAGE_STORAGE), data(true, "no command"));
    assertEquals(AAbort.provider(AAbort.REASON_UNEXPECTED_PDU_PARAMETER), out.get(1));
    out = run(new Collecting(), rq(Uid.CT_IMAGE_STORAGE), command(store(1, "1.2.3")),
        command(echo(2)));
    assertEquals(AAbort.provider(AAbort.REASON_UNEXPECTED_PDU_PARAMETER), out.get(1),
        "a command before the data set ended");
    out = run(new Collecting(), rq(Uid.VERIFICATION), new MalformedPdu(6, "bad"));
    assertEquals(List.of(AAbort.provider(6)), out.subList(1, out.size()));
    out = run(new Collecting(), rq(Uid.VERIFICATION), new AReleaseRp());
    assertEquals(AAbort.provider(AAbort.REASON_UNEXPECTED_PDU), out.get(1), "Sta6 Evt13 → AA-8");
  }

  @Test
  void peerAbortEndsQuietly() throws Exception {
    Collecting handler = new Collecting();
    List<Pdu> out = run(handler, rq(Uid.CT_IMAGE_STORAGE), command(store(1, "1.2.3")),
        data(false, "x"), AAbort.user());
    assertEquals(1, out.size(), "no answer to an A-ABORT (AA-3): " + out);
    await(() -> handler.failures.size() == 1);
  }

  @Test
  void peerAbortBeforeAnyDataFailsTheHandlerToo() throws Exception {
    java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    CStoreHandler handler = (a, r, t) -> Flow.<ByteString>create()
        .mapAsync(1, java.util.concurrent.CompletableFuture::completedFuture)
        .toMat(Sink.foreach(b -> { }), org.apache.pekko.stream.javadsl.Keep.right())
        .mapMaterializedValue(done -> done.handle((d, failure) -> {
          if (failure != null) {
            failures.add(failure);
          }
          return DimseStatus.SUCCESS;
        }));
    List<Pdu> out = run(handler, rq(Uid.CT_IMAGE_STORAGE), command(store(1, "1.2.3")),
        AAbort.user());
    assertEquals(1, out.size(), out.toString());
    await(() -> failures.size() == 1);
  }

  /** A peer that sends requests but never reads the responses cannot make us buffer them all. */
  @Test
  void requestsAreNotReadWhileResponsesPileUp() throws Exception {
    java.util.concurrent.atomic.AtomicInteger pulled = new java.util.concurrent.atomic.AtomicInteger();
    List<Pdu> in = new ArrayList<>();
    in.add(rq(Uid.VERIFICATION));
    for (int i = 1; i <= 1000; i++) {
      in.add(command(echo(i)));
    }
    org.apache.pekko.stream.javadsl.SinkQueueWithCancel<Pdu> unread = Source.from(in)
        .map(pdu -> {
          pulled.incrementAndGet();
          return pdu;
        })
        .concat(Source.maybe()) // the peer keeps the connection open
        .via(Flow.fromGraph(new AcceptorStage(SETTINGS, new Collecting(), "t",
            new InetSocketAddress("127.0.0.1", 4242), () -> false)))
        .runWith(Sink.queue(), system); // nobody pulls from it: the socket is not being written
    int[] last = {-1};
    long[] since = {System.nanoTime()};
    await(() -> {
      int now = pulled.get();
      if (now != last[0]) {
        last[0] = now;
        since[0] = System.nanoTime();
        return false;
      }
      return System.nanoTime() - since[0] > 300_000_000L;
    });
    assertTrue(pulled.get() < 64, "read " + pulled.get() + " of 1001 PDUs");
    // once the responses are taken, the rest is served
    for (int i = 0; i < 1001; i++) {
      assertTrue(unread.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).isPresent());
    }
    assertEquals(1001, pulled.get());
    unread.cancel();
  }

  static void await(java.util.function.BooleanSupplier condition) {
    org.annal.dicom.net.TestSupport.await("condition", Duration.ofSeconds(5), condition);
  }

}
