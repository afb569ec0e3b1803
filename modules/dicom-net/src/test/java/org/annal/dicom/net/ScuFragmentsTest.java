// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.net.impl.PDataTf;
import org.annal.dicom.net.impl.PresentationDataValue;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SCU's data set fragmenter: sizes, the last bit, and never a last bit after a failure. */
class ScuFragmentsTest {
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("ScuFragmentsTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void chunksAreRepackedAndOnlyTheEndHasTheLastBit() throws Exception {
    List<PDataTf> pdus = Source.repeat(ByteString.fromArray(new byte[7])).take(10)
        .via(ScuAssociation.fragments(3, 16))
        .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
    int total = 0;
    for (int i = 0; i < pdus.size(); i++) {
      PresentationDataValue pdv = pdus.get(i).values().get(0);
      assertEquals(3, pdv.presentationContextId());
      assertFalse(pdv.isCommand());
      assertEquals(i == pdus.size() - 1, pdv.isLast());
      assertTrue(pdv.value().size() <= 16);
      total += pdv.value().size();
    }
    assertEquals(70, total);
    assertEquals(16, pdus.get(0).values().get(0).value().size(), "fragments are filled up");
  }

  @Test
  void emptyDataSetIsOneEmptyLastFragment() throws Exception {
    List<PDataTf> pdus = Source.<ByteString>empty().via(ScuAssociation.fragments(1, 16))
        .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(1, pdus.size());
    assertTrue(pdus.get(0).values().get(0).isLast());
  }

  @Test
  void aFailingSourceNeverProducesALastFragment() throws Exception {
    List<PDataTf> seen = new CopyOnWriteArrayList<>();
    ExecutionException e = assertThrows(ExecutionException.class, () ->
        Source.repeat(ByteString.fromArray(new byte[40])).take(3)
            .concat(Source.failed(new java.io.IOException("read error")))
            .via(ScuAssociation.fragments(1, 16))
            .runWith(Sink.foreach(seen::add), system).toCompletableFuture()
            .get(5, TimeUnit.SECONDS));
    assertInstanceOf(java.io.IOException.class, e.getCause());
    assertTrue(seen.stream().noneMatch(p -> p.values().get(0).isLast()), seen.toString());
  }
}
