// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.Dataset;
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
    return new CFindOperation((a, rq, id) -> matches,
        new AssociationInfo("t", "A", "B", null, Instant.now()),
        new CFindRq(7, QueryRetrieveSopClasses.PATIENT_ROOT_FIND, 0,
            Uid.EXPLICIT_VR_LITTLE_ENDIAN), new Dataset(), 1, 16000);
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
    assertEquals(5, pdus.size()); // (command, data) x 2, final command
    assertEquals(Status.PENDING, command(pdus.get(0)).getUs(CommandSet.STATUS));
    assertEquals(CommandSet.DATA_SET_PRESENT, command(pdus.get(0)).getUs(
        CommandSet.COMMAND_DATA_SET_TYPE));
    assertFalse(pdus.get(1).values().get(0).isCommand());
    CommandSet last = command(pdus.get(4));
    assertEquals(Status.SUCCESS, last.getUs(CommandSet.STATUS));
    assertEquals(7, last.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO));
    assertEquals(CommandSet.NO_DATA_SET, last.getUs(CommandSet.COMMAND_DATA_SET_TYPE));
  }

  @Test
  void cancelEndsANeverEndingSourceWithCancel() throws Exception {
    CFindOperation op = operation(Source.single(match("1")).concat(Source.never()));
    SinkQueueWithCancel<PDataTf> out = op.pdus().runWith(Sink.queue(), system);
    assertEquals(Status.PENDING, command(out.pull().toCompletableFuture()
        .get(5, TimeUnit.SECONDS).get()).getUs(CommandSet.STATUS));
    out.pull().toCompletableFuture().get(5, TimeUnit.SECONDS); // its identifier
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
    assertEquals(7, pdus.size(), "(command, data) x 3, final command");
    assertEquals(Status.PENDING, command(pdus.get(4)).getUs(CommandSet.STATUS));
    assertEquals(0xA700, command(pdus.get(6)).getUs(CommandSet.STATUS));
  }
}
