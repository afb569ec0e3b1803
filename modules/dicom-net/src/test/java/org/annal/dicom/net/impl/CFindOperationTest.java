// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetReader;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.Vr;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CFindRq;
import org.annal.dicom.net.DimseException;
import org.annal.dicom.net.QueryRetrieveSopClasses;
import org.annal.dicom.net.Status;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** C-FIND responses (PS3.4 C.4.1.2): pending per match, then Success / Cancel / failure. */
class CFindOperationTest {
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("CFindOperationTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  static Dataset match(String id) {
    Dataset ds = new Dataset();
    ds.putString(Tag.PatientID, Vr.LO, id);
    return ds;
  }

  static CFindOperation operation(Source<Dataset, org.apache.pekko.NotUsed> matches) {
    return operation(matches, 16000);
  }

  static CFindOperation operation(Source<Dataset, org.apache.pekko.NotUsed> matches,
      int maxValueLength) {
    return new CFindOperation((a, rq, id) -> matches,
        new AssociationInfo("t", "A", "B", null, Instant.now()),
        new CFindRq(7, QueryRetrieveSopClasses.PATIENT_ROOT_FIND, 0,
            Uid.EXPLICIT_VR_LITTLE_ENDIAN), new Dataset(), 1, maxValueLength);
  }

  static CommandSet command(PDataTf pdu) {
    PresentationDataValue pdv = pdu.values().get(0);
    assertTrue(pdv.isCommand() && pdv.isLast());
    return CommandSet.decode(pdv.value());
  }

  @Test
  void pendingPerMatchThenSuccess() throws Exception {
    List<PDataTf> pdus = operation(Source.from(List.of(match("1"), match("2")))).pdus()
        .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
    // Each pending response is one PDU: its command PDV, then its identifier PDV.
    assertEquals(3, pdus.size()); // (command + data) x 2, final command
    for (int i = 0; i < 2; i++) {
      assertEquals(Status.PENDING, command(pdus.get(i)).getUs(CommandSet.STATUS));
      assertEquals(CommandSet.DATA_SET_PRESENT, command(pdus.get(i)).getUs(
          CommandSet.COMMAND_DATA_SET_TYPE));
      assertEquals(2, pdus.get(i).values().size());
      PresentationDataValue data = pdus.get(i).values().get(1);
      assertFalse(data.isCommand());
      assertTrue(data.isLast());
      assertEquals(Integer.toString(i + 1), DatasetReader.read(data.value().toArray(),
          Uid.EXPLICIT_VR_LITTLE_ENDIAN).getString(Tag.PatientID));
    }
    CommandSet last = command(pdus.get(2));
    assertEquals(Status.SUCCESS, last.getUs(CommandSet.STATUS));
    assertEquals(7, last.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO));
    assertEquals(CommandSet.NO_DATA_SET, last.getUs(CommandSet.COMMAND_DATA_SET_TYPE));
  }

  @Test
  void commandAndIdentifierShareAPduExactlyWhenBothFitTheMaximumLength() throws Exception {
    int command = DimseResponses.response(CommandField.C_FIND_RSP, 7,
        QueryRetrieveSopClasses.PATIENT_ROOT_FIND, org.annal.dicom.net.DimseStatus.of(
            Status.PENDING, null), true, null).encode().size();
    Dataset id = new Dataset();
    id.putString(Tag.PatientID, Vr.LO, "x".repeat(64)); // 8-byte header + 64
    int data = 72;
    // PDU-length = (6 + command) + (6 + data) = maxValueLength + 6, the peer's Maximum Length.
    int fits = command + PDataFragmenter.PDV_OVERHEAD + data;
    List<PDataTf> one = operation(Source.single(id), fits).pdus()
        .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(2, one.size(), "pending (command + identifier), final");
    assertEquals(2, one.get(0).values().size());
    int pduLength = 0;
    for (PresentationDataValue pdv : one.get(0).values()) {
      pduLength += PDataFragmenter.PDV_OVERHEAD + pdv.value().size();
    }
    assertEquals(fits + PDataFragmenter.PDV_OVERHEAD, pduLength);
    // One byte less room: the identifier goes in a PDU of its own.
    List<PDataTf> two = operation(Source.single(id), fits - 1).pdus()
        .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(3, two.size(), "pending command, identifier, final");
    assertEquals(1, two.get(0).values().size());
    assertEquals(data, two.get(1).values().get(0).value().size());
  }

  @Test
  void aResponseThatDoesNotFitOnePduIsFragmented() throws Exception {
    // Maximum Length 100: the command set (~90 bytes) and a 200-byte identifier cannot share.
    Dataset big = new Dataset();
    big.putString(Tag.StudyDescription, Vr.LO, "x".repeat(64));
    big.putString(Tag.PatientID, Vr.LO, "y".repeat(64));
    big.putString(Tag.AccessionNumber, Vr.SH, "z".repeat(16));
    int maxValueLength = 94;
    List<PDataTf> pdus = operation(Source.single(big), maxValueLength).pdus()
        .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(pdus.size() >= 4, "command, data in fragments, final command: " + pdus.size());
    org.apache.pekko.util.ByteString data = org.apache.pekko.util.ByteString.emptyByteString();
    for (PDataTf pdu : pdus.subList(0, pdus.size() - 1)) {
      for (PresentationDataValue pdv : pdu.values()) {
        assertTrue(pdv.value().size() <= maxValueLength);
        if (!pdv.isCommand()) {
          data = data.concat(pdv.value());
        }
      }
    }
    assertEquals("y".repeat(64), DatasetReader.read(data.toArray(),
        Uid.EXPLICIT_VR_LITTLE_ENDIAN).getString(Tag.PatientID));
    assertEquals(Status.SUCCESS, command(pdus.get(pdus.size() - 1)).getUs(CommandSet.STATUS));
  }

  @Test
  void cancelEndsANeverEndingSourceWithCancel() throws Exception {
    CFindOperation op = operation(Source.single(match("1")).concat(Source.never()));
    SinkQueueWithCancel<PDataTf> out = op.pdus().runWith(Sink.queue(), system);
    assertEquals(Status.PENDING, command(out.pull().toCompletableFuture()
        .get(5, TimeUnit.SECONDS).get()).getUs(CommandSet.STATUS)); // with its identifier
    op.cancel();
    CommandSet last = command(out.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).get());
    assertEquals(Status.CANCEL, last.getUs(CommandSet.STATUS));
    assertTrue(out.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).isEmpty());
  }

  @Test
  void failureStatusComesFromTheDimseException() throws Exception {
    List<PDataTf> pdus = operation(Source.failed(new DimseException(0xA700, "cap")))
        .pdus().runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(0xA700, command(pdus.get(0)).getUs(CommandSet.STATUS));
    assertEquals("cap", command(pdus.get(0)).getString(CommandSet.ERROR_COMMENT));
  }

  @Test
  void aDimseExceptionWrappedByAFutureKeepsItsStatus() throws Exception {
    // A handler that matches off-thread (CompletableFuture.supplyAsync) fails with the
    // DimseException inside a CompletionException: the peer must still get A900, not A700.
    List<PDataTf> pdus = operation(Source.failed(new java.util.concurrent.CompletionException(
            new DimseException(0xA900, "level missing"))))
        .pdus().runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(0xA900, command(pdus.get(0)).getUs(CommandSet.STATUS));
    assertEquals("level missing", command(pdus.get(0)).getString(CommandSet.ERROR_COMMENT));
  }

  @Test
  void matchesBeforeAFailureAreAllSentThenItsStatus() throws Exception {
    // A result cap: the first matches, then the handler's failure status (PS3.4 C.4.1.1.4).
    Source<Dataset, org.apache.pekko.NotUsed> capped = Source.lazyCompletionStage(
            () -> java.util.concurrent.CompletableFuture.supplyAsync(
                () -> List.of(match("1"), match("2"), match("3"))))
        .flatMapConcat(list -> Source.from(list).concatLazy(Source.lazySource(
            () -> Source.<Dataset>failed(new DimseException(0xA700, "More than 3 matches")))))
        .mapMaterializedValue(x -> org.apache.pekko.NotUsed.notUsed());
    List<PDataTf> pdus = operation(capped).pdus()
        .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(4, pdus.size(), "(command + data) x 3, final command");
    assertEquals(Status.PENDING, command(pdus.get(2)).getUs(CommandSet.STATUS));
    assertEquals(0xA700, command(pdus.get(3)).getUs(CommandSet.STATUS));
  }
}
