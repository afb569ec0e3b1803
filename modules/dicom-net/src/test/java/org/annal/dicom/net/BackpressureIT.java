// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.annal.dicom.Uid;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Architecture invariant 5: an association never reads from the socket faster than storage
 * consumes; memory per association is bounded by configuration, not by instance size. And the
 * graceful drain of the listener.
 */
class BackpressureIT {
  static ActorSystem system;
  static final int CHUNK = 16 * 1024;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("BackpressureIT");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Waits until {@code counter} has not moved for {@code quiet}. */
  static long awaitStalled(AtomicLong counter, Duration quiet) {
    long[] last = {-1};
    long[] since = {System.nanoTime()};
    await("progress to stall", Duration.ofSeconds(30), () -> {
      long now = counter.get();
      if (now != last[0]) {
        last[0] = now;
        since[0] = System.nanoTime();
        return false;
      }
      return System.nanoTime() - since[0] > quiet.toNanos();
    });
    return last[0];
  }

  static ScuAssociation openStore(int port) throws Exception {
    return get(ScuAssociation.open(system, ScuSettings.defaults(), "127.0.0.1", port, "BIGSCU",
        "ANNAL", List.of(ProposedContext.of(Uid.CT_IMAGE_STORAGE, Uid.EXPLICIT_VR_LITTLE_ENDIAN))));
  }

  /** A data set of {@code chunks} × 16 KiB, generated as pulled, counting what was pulled. */
  static Source<ByteString, ?> dataSet(long chunks, AtomicLong pulled) {
    ByteString chunk = ByteString.fromArray(new byte[CHUNK]);
    return Source.repeat(chunk).take(chunks).map(c -> {
      pulled.addAndGet(c.size());
      return c;
    });
  }

  @Test
  void aStalledHandlerStopsTheSenderAndMemoryStaysBounded() throws Exception {
    GatedHandler handler = new GatedHandler();
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0), handler));
    try {
      long total = 256L * 1024 * 1024; // 256 MiB: far more than any buffer on the way
      AtomicLong pulled = new AtomicLong();
      ScuAssociation association = openStore(binding.port());
      CompletionStage<DimseStatus> status = association.cStore(Uid.CT_IMAGE_STORAGE, "1.2.3.9",
          Uid.EXPLICIT_VR_LITTLE_ENDIAN, dataSet(total / CHUNK, pulled));
      long stalledAt = awaitStalled(pulled, Duration.ofMillis(500));
      System.out.printf("backpressure: sender stalled after %,d bytes of %,d; handler consumed %,d%n",
          stalledAt, total, handler.consumed.get());
      // What left the sender sits in kernel socket buffers (a few MiB on loopback), Pekko's
      // read buffer (one 128 KiB chunk), one PDU and one data PDV: nowhere near 256 MiB.
      assertTrue(stalledAt < 24L * 1024 * 1024,
          "sender stalled after " + stalledAt + " bytes while the handler consumed "
              + handler.consumed.get());
      assertTrue(handler.consumed.get() <= 2L * CHUNK, "gate closed: at most what mapAsync holds");
      assertFalse(status.toCompletableFuture().isDone());
      handler.gate.complete(null);
      assertEquals(DimseStatus.SUCCESS, get(status));
      assertEquals(total, handler.consumed.get());
      get(association.release());
    } finally {
      handler.gate.complete(null);
      get(binding.drain());
    }
  }

  @Test
  void drainLetsInFlightFinishAndRefusesNewConnections() throws Exception {
    GatedHandler handler = new GatedHandler();
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0), handler));
    ScuAssociation association = openStore(binding.port());
    CompletionStage<DimseStatus> status = association.cStore(Uid.CT_IMAGE_STORAGE, "1.2.3.10",
        Uid.EXPLICIT_VR_LITTLE_ENDIAN, dataSet(64, new AtomicLong()));
    await("handler called", Duration.ofSeconds(10), () -> handler.started.get() == 1);
    get(binding.unbind()); // as the node's CoordinatedShutdown does: unbind first, drain later
    CompletionStage<?> drained = binding.drain(Duration.ofSeconds(30));
    await("unbound", Duration.ofSeconds(10), () -> {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", binding.port())) {
        return false;
      } catch (java.io.IOException e) {
        return e instanceof ConnectException;
      }
    });
    assertFalse(drained.toCompletableFuture().isDone(), "in-flight association still open");
    handler.gate.complete(null);
    assertEquals(DimseStatus.SUCCESS, get(status));
    get(association.release());
    get(drained);
    assertEquals(0, binding.activeAssociations());
  }

  @Test
  void drainDeadlineClosesWhatIsStillOpenAndFailsItsDataSet() throws Exception {
    GatedHandler handler = new GatedHandler();
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0), handler));
    ScuAssociation association = openStore(binding.port());
    CompletionStage<DimseStatus> status = association.cStore(Uid.CT_IMAGE_STORAGE, "1.2.3.11",
        Uid.EXPLICIT_VR_LITTLE_ENDIAN, dataSet(100_000, new AtomicLong()));
    await("handler called", Duration.ofSeconds(10), () -> handler.started.get() == 1);
    get(binding.drain(Duration.ofMillis(500)));
    assertEquals(0, binding.activeAssociations());
    await("handler's stream failed", Duration.ofSeconds(10), () -> !handler.failures.isEmpty());
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(status));
    assertNotNull(e.getCause());
  }
}
