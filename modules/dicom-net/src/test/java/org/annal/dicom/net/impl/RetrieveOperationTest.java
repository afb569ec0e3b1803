// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetReader;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.QueryRetrieveServices;
import org.annal.dicom.net.QueryRetrieveSopClasses;
import org.annal.dicom.net.RetrieveHandler;
import org.annal.dicom.net.RetrieveItem;
import org.annal.dicom.net.RetrieveKind;
import org.annal.dicom.net.RetrieveReport;
import org.annal.dicom.net.RetrieveRq;
import org.annal.dicom.net.ScuSettings;
import org.annal.dicom.net.Status;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * C-GET sub-operations driven PDU by PDU without TCP (PS3.4 C.4.3.2): C-STORE-RQ per item on a
 * context with our SCP role, Pending counts, Cancel with remaining (C.4.2.1.6 semantics), the
 * Failed SOP Instance UID List, and a JPEG item for an uncompressed-only context failing alone.
 */
class RetrieveOperationTest {
  static ActorSystem system;
  static final String CT = Uid.CT_IMAGE_STORAGE;
  static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";

  @BeforeAll
  static void start() {
    system = ActorSystem.create("RetrieveOperationTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  final ConcurrentLinkedQueue<RetrieveReport> reports = new ConcurrentLinkedQueue<>();

  RetrieveOperation get(List<RetrieveItem> items) {
    RetrieveHandler handler = new RetrieveHandler() {
      @Override
      public CompletionStage<List<RetrieveItem>> onRetrieve(AssociationInfo a, RetrieveRq rq,
          Dataset id) {
        return CompletableFuture.completedFuture(items);
      }

      @Override
      public void onRetrieveCompleted(AssociationInfo a, RetrieveReport report) {
        reports.add(report);
      }
    };
    QueryRetrieveServices services = new QueryRetrieveServices(null, handler,
        ae -> java.util.Optional.empty(), ScuSettings.defaults(), 1 << 20);
    return new RetrieveOperation(services,
        new AssociationInfo("t", "GETSCU", "ANNAL", null, Instant.now()),
        new RetrieveRq(RetrieveKind.GET, 5, QueryRetrieveSopClasses.STUDY_ROOT_GET, 0, null,
            Uid.EXPLICIT_VR_LITTLE_ENDIAN),
        new Dataset(), 1, 16000,
        List.of(new RetrieveOperation.StorageContext(3, CT, Uid.EXPLICIT_VR_LITTLE_ENDIAN)),
        system);
  }

  static RetrieveItem item(String uid, String ts) {
    return new RetrieveItem(CT, uid, ts, () -> Source.single(ByteString.fromString("DATA")));
  }

  static PDataTf next(SinkQueueWithCancel<PDataTf> out) throws Exception {
    return out.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow();
  }

  static CommandSet command(PDataTf pdu) {
    PresentationDataValue pdv = pdu.values().get(0);
    assertTrue(pdv.isCommand() && pdv.isLast(), "a whole command");
    return CommandSet.decode(pdv.value());
  }

  /** Reads a C-STORE-RQ and its data set, answers it with {@code status}. */
  static void store(RetrieveOperation op, SinkQueueWithCancel<PDataTf> out, String uid,
      int status) throws Exception {
    store(op, out, uid, status, () -> { });
  }

  static void store(RetrieveOperation op, SinkQueueWithCancel<PDataTf> out, String uid,
      int status, Runnable beforeAnswer) throws Exception {
    PDataTf first = next(out);
    assertEquals(3, first.values().get(0).presentationContextId());
    CommandSet rq = command(first);
    assertEquals(CommandField.C_STORE_RQ, rq.commandField());
    assertEquals(uid, rq.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID));
    PresentationDataValue data = next(out).values().get(0);
    assertFalse(data.isCommand());
    assertTrue(data.isLast());
    assertEquals("DATA", data.value().utf8String());
    beforeAnswer.run();
    CommandSet rsp = CommandSet.response(CommandField.C_STORE_RSP,
        rq.getUs(CommandSet.MESSAGE_ID), CT, uid, DimseStatus.of(status, null));
    assertTrue(op.onStoreResponse(rsp));
  }

  @Test
  void pendingCountsThenCancelWithRemainingAndFailedList() throws Exception {
    List<RetrieveItem> items = new ArrayList<>();
    items.add(item("1.1", Uid.EXPLICIT_VR_LITTLE_ENDIAN));
    items.add(item("1.2", JPEG_BASELINE)); // no context can carry it: fails, no C-STORE-RQ
    items.add(item("1.3", Uid.EXPLICIT_VR_LITTLE_ENDIAN));
    items.add(item("1.4", Uid.EXPLICIT_VR_LITTLE_ENDIAN));
    RetrieveOperation op = get(items);
    SinkQueueWithCancel<PDataTf> out = op.pdus().runWith(Sink.queue(), system);
    store(op, out, "1.1", Status.SUCCESS);
    CommandSet pending = command(next(out));
    assertEquals(Status.PENDING, pending.getUs(CommandSet.STATUS));
    assertEquals(3, pending.getUs(CommandSet.NUMBER_OF_REMAINING_SUBOPERATIONS));
    assertEquals(1, pending.getUs(CommandSet.NUMBER_OF_COMPLETED_SUBOPERATIONS));
    pending = command(next(out)); // after the JPEG item failed
    assertEquals(2, pending.getUs(CommandSet.NUMBER_OF_REMAINING_SUBOPERATIONS));
    assertEquals(1, pending.getUs(CommandSet.NUMBER_OF_FAILED_SUBOPERATIONS));
    // C-CANCEL arrives while 1.3 is being sent: 1.3 completes, 1.4 is not attempted
    store(op, out, "1.3", 0xB007, op::cancel);
    PDataTf lastPdu = next(out); // the final response and its identifier share one PDU
    CommandSet last = command(lastPdu);
    assertEquals(CommandField.C_GET_RSP, last.commandField());
    assertEquals(Status.CANCEL, last.getUs(CommandSet.STATUS));
    assertEquals(1, last.getUs(CommandSet.NUMBER_OF_REMAINING_SUBOPERATIONS));
    assertEquals(1, last.getUs(CommandSet.NUMBER_OF_COMPLETED_SUBOPERATIONS));
    assertEquals(1, last.getUs(CommandSet.NUMBER_OF_FAILED_SUBOPERATIONS));
    assertEquals(1, last.getUs(CommandSet.NUMBER_OF_WARNING_SUBOPERATIONS));
    assertEquals(CommandSet.DATA_SET_PRESENT, last.getUs(CommandSet.COMMAND_DATA_SET_TYPE));
    assertEquals(2, lastPdu.values().size());
    assertFalse(lastPdu.values().get(1).isCommand());
    Dataset failedList = DatasetReader.read(lastPdu.values().get(1).value().toArray(),
        Uid.EXPLICIT_VR_LITTLE_ENDIAN);
    assertEquals("1.2", failedList.getString(Tag.FailedSOPInstanceUIDList));
    assertTrue(out.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).isEmpty());
    // The report follows the final response (it may still be on its way when the stream ends).
    TestSupportAwait.until(() -> !reports.isEmpty());
    RetrieveReport report = reports.poll();
    assertTrue(report.cancelled());
    assertEquals(List.of("1.1"), report.completed());
    assertEquals(List.of("1.2"), report.failed());
    assertEquals(List.of("1.3"), report.warning());
  }

  @Test
  void allFailedIsA702AndAnEndedAssociationCountsTheRestFailed() throws Exception {
    RetrieveOperation op = get(List.of(item("2.1", Uid.EXPLICIT_VR_LITTLE_ENDIAN),
        item("2.2", Uid.EXPLICIT_VR_LITTLE_ENDIAN)));
    SinkQueueWithCancel<PDataTf> out = op.pdus().runWith(Sink.queue(), system);
    store(op, out, "2.1", Status.OUT_OF_RESOURCES);
    assertEquals(1, command(next(out)).getUs(CommandSet.NUMBER_OF_FAILED_SUBOPERATIONS));
    next(out); // C-STORE-RQ of 2.2
    op.associationEnded();
    TestSupportAwait.until(() -> !reports.isEmpty());
    RetrieveReport report = reports.poll();
    assertEquals(List.of("2.1", "2.2"), report.failed());
    assertEquals(0xA702, report.finalStatus().code());
    assertFalse(report.cancelled());
  }

  @Test
  void wholeItemsAreReadAheadAndAFailedReadFailsOnlyItsOwnSubOperation() throws Exception {
    byte[] big = new byte[40_000]; // three fragments of at most 16,000 bytes
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    List<String> reads = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.function.Function<String, RetrieveItem> whole = uid -> new RetrieveItem(CT, uid,
        Uid.EXPLICIT_VR_LITTLE_ENDIAN, () -> {
          throw new AssertionError("streamed although it can be read whole");
        }, () -> {
          reads.add(uid);
          return uid.equals("3.2")
              ? CompletableFuture.failedFuture(new java.io.IOException("blob missing"))
              : CompletableFuture.completedFuture(ByteString.fromArray(big));
        });
    RetrieveOperation op = get(List.of(whole.apply("3.1"), whole.apply("3.2"),
        whole.apply("3.3")));
    SinkQueueWithCancel<PDataTf> out = op.pdus().runWith(Sink.queue(), system);

    CommandSet rq = command(next(out));
    assertEquals("3.1", rq.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID));
    ByteString received = ByteString.emptyByteString();
    PresentationDataValue pdv;
    do {
      pdv = next(out).values().get(0);
      assertFalse(pdv.isCommand());
      assertTrue(pdv.value().size() <= 16000);
      received = received.concat(pdv.value());
    } while (!pdv.isLast());
    assertEquals(ByteString.fromArray(big), received);
    // the next instance was read while 3.1 was being sent, before its C-STORE-RSP
    assertEquals(List.of("3.1", "3.2"), reads);
    assertTrue(op.onStoreResponse(CommandSet.response(CommandField.C_STORE_RSP,
        rq.getUs(CommandSet.MESSAGE_ID), CT, "3.1", DimseStatus.SUCCESS)));

    assertEquals(2, command(next(out)).getUs(CommandSet.NUMBER_OF_REMAINING_SUBOPERATIONS));
    // 3.2 could not be read: no C-STORE-RQ for it, counted failed, 3.3 follows
    CommandSet pending = command(next(out));
    assertEquals(1, pending.getUs(CommandSet.NUMBER_OF_FAILED_SUBOPERATIONS));
    assertEquals(1, pending.getUs(CommandSet.NUMBER_OF_REMAINING_SUBOPERATIONS));
    rq = command(next(out));
    assertEquals("3.3", rq.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID));
    do {
      pdv = next(out).values().get(0);
    } while (!pdv.isLast());
    assertTrue(op.onStoreResponse(CommandSet.response(CommandField.C_STORE_RSP,
        rq.getUs(CommandSet.MESSAGE_ID), CT, "3.3", DimseStatus.SUCCESS)));
    CommandSet last = command(next(out));
    assertEquals(0xB000, last.getUs(CommandSet.STATUS));
    TestSupportAwait.until(() -> !reports.isEmpty());
    RetrieveReport report = reports.poll();
    assertEquals(List.of("3.1", "3.3"), report.completed());
    assertEquals(List.of("3.2"), report.failed());
    assertEquals(List.of("3.1", "3.2", "3.3"), reads);
  }
}
