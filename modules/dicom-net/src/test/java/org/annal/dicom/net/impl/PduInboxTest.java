// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SCU's inbox: every PDU once, in order, however they were batched; empty at the end. */
class PduInboxTest {
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("PduInboxTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  static PDataTf pdu(int i, int size) {
    return new PDataTf(List.of(PresentationDataValue.of(1, false, true,
        ByteString.fromArray(new byte[size]).concat(ByteString.fromString(Integer.toString(i))))));
  }

  static Optional<Pdu> pull(PduInbox inbox) throws Exception {
    return inbox.pull().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void pdusThatArrivedWhileTheReaderWasBusyComeOutInOrder() throws Exception {
    Pair<SourceQueueWithComplete<Pdu>, PduInbox> m = Source.<Pdu>queue(1000,
            OverflowStrategy.backpressure())
        .toMat(PduInbox.sink(4096), Keep.both()).run(system);
    List<Pdu> sent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      PDataTf p = pdu(i, i % 7 == 0 ? 5000 : 10); // some above the byte bound on their own
      sent.add(p);
      m.first().offer(p);
    }
    m.first().complete();
    List<Pdu> got = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      got.add(pull(m.second()).orElseThrow());
      if (i % 50 == 0) {
        Thread.sleep(20); // let more arrive meanwhile: they are then taken in one batch
      }
    }
    assertEquals(sent, got);
    assertTrue(pull(m.second()).isEmpty(), "the end of the connection");
  }

  @Test
  void aFailedConnectionFailsThePullOnlyAfterThePdusReceivedBeforeIt() throws Exception {
    Pair<SourceQueueWithComplete<Pdu>, PduInbox> m = Source.<Pdu>queue(10,
            OverflowStrategy.backpressure())
        .toMat(PduInbox.sink(4096), Keep.both()).run(system);
    PDataTf a = pdu(1, 3);
    PDataTf b = pdu(2, 3);
    m.first().offer(a);
    m.first().offer(b);
    java.io.IOException reset = new java.io.IOException("connection reset");
    m.first().fail(reset);
    Thread.sleep(100); // all three are held by the inbox before the first pull
    assertEquals(a, pull(m.second()).orElseThrow());
    assertEquals(b, pull(m.second()).orElseThrow());
    java.util.concurrent.ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> pull(m.second()));
    assertEquals(reset, failed.getCause());
  }

  @Test
  void aPullBeforeAnythingArrivedCompletesWhenItDoes() throws Exception {
    Pair<SourceQueueWithComplete<Pdu>, PduInbox> m = Source.<Pdu>queue(10,
            OverflowStrategy.backpressure())
        .toMat(PduInbox.sink(4096), Keep.both()).run(system);
    var pending = m.second().pull().toCompletableFuture();
    Thread.sleep(50);
    assertTrue(!pending.isDone());
    PDataTf p = pdu(1, 3);
    m.first().offer(p);
    assertEquals(p, pending.get(5, TimeUnit.SECONDS).orElseThrow());
    m.second().cancel();
  }
}
