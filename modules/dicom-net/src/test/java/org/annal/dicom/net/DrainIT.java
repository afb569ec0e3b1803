// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.annal.dicom.net.impl.AAssociateAc;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DicomServerBinding#drain(Duration)} against real peers: until the deadline open
 * associations go on; after it, every C-STORE-RQ is answered A700 (Refused: Out of Resources,
 * PS3.4 Table B.2-1) without reaching the handler, so the sender learns per instance what to send
 * again; {@link DicomServer#REFUSE_BEFORE_CLOSE} later the connections still open are closed.
 */
class DrainIT {
  static ActorSystem system;
  static final int FILES = 60;
  static final Duration DEADLINE = Duration.ofSeconds(1);

  @BeforeAll
  static void start() {
    system = ActorSystem.create("DrainIT");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * Records each call and answers Success ~150 ms after the data set ended, without blocking a
   * thread (the stand-in for a journal write), so a deadline falls between C-STOREs and inside one.
   */
  static final class SlowHandler implements CStoreHandler {
    static final Executor LATER = CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS);
    final ConcurrentLinkedQueue<CStoreRq> calls = new ConcurrentLinkedQueue<>();
    final AtomicInteger answered = new AtomicInteger();

    @Override
    public Sink<ByteString, CompletionStage<DimseStatus>> onCStore(AssociationInfo association,
        CStoreRq request, String transferSyntaxUid) {
      calls.add(request);
      return Sink.<ByteString>ignore().mapMaterializedValue(done -> done
          .thenComposeAsync(d -> CompletableFuture.completedFuture(DimseStatus.SUCCESS), LATER)
          .whenComplete((status, failure) -> answered.incrementAndGet()));
    }
  }

  /**
   * The C-STORE-RSP statuses in storescu's debug log, in order, as 4 hex digits: the only
   * "DIMSE Status" lines are those of incoming responses (a C-STORE-RQ has none).
   */
  static List<String> responseStatuses(String log) {
    List<String> statuses = new ArrayList<>();
    for (String line : log.lines().toList()) {
      int at = line.indexOf("DIMSE Status");
      if (at >= 0) {
        int hex = line.indexOf("0x", at);
        statuses.add(line.substring(hex + 2, hex + 6).toLowerCase());
      }
    }
    return statuses;
  }

  @Test
  void afterTheDeadlineCStoresAreRefusedA700WithoutReachingTheHandler(@TempDir Path dir)
      throws Exception {
    SlowHandler handler = new SlowHandler();
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0), handler));
    List<String> command = new ArrayList<>(List.of("storescu", "-d", "-nh", "-aet", "DRAINSCU",
        "-aec", "ANNAL", "127.0.0.1", Integer.toString(binding.port())));
    for (int i = 0; i < FILES; i++) {
      // distinct names so that storescu's "Sending file" lines tell the instances apart
      Path copy = dir.resolve(String.format("f%02d.dcm", i));
      Files.copy(TESTDATA.resolve("MR_small.dcm"), copy);
      command.add(copy.toString());
    }
    Path logFile = dir.resolve("storescu.log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    pb.environment().put("TCP_NODELAY", "1");
    Process storescu = pb.start();
    CompletionStage<?> drained = null;
    try {
      storescu.getOutputStream().close();
      await("the first Success responses", Duration.ofSeconds(20),
          () -> handler.answered.get() >= 3 || !storescu.isAlive());
      assertTrue(storescu.isAlive(), () -> "storescu ended early: " + read(logFile));
      drained = binding.drain(DEADLINE);

      // storescu gets an answer for every file and releases the association itself, well
      // before REFUSE_BEFORE_CLOSE would close it.
      assertTrue(storescu.waitFor(20, TimeUnit.SECONDS), () -> "storescu still running: "
          + read(logFile));
      String log = read(logFile);
      assertTrue(log.contains("Releasing Association"), log);
      assertFalse(log.contains("Abort"), log);

      List<String> statuses = responseStatuses(log);
      assertEquals(FILES, statuses.size(), log);
      int successes = statuses.indexOf("a700");
      assertTrue(successes >= 3, () -> "3+ Success, then A700: " + statuses);
      System.out.printf("drain: %d Success then %d A700 of %d files%n", successes,
          FILES - successes, FILES);
      // Success up to the deadline, A700 from then on: nothing else, and never Success again.
      assertEquals(Collections.nCopies(successes, "0000"), statuses.subList(0, successes));
      assertEquals(Collections.nCopies(FILES - successes, "a700"),
          statuses.subList(successes, FILES));
      assertEquals(FILES - successes, log.lines().filter(l -> l.contains(
          "(0000,0902) LO [Node shutting down: nothing stored, send again")).count(),
          "each A700 carries the error comment");
      assertEquals(successes, handler.calls.size(),
          "a C-STORE answered A700 must never reach the handler");

      get(drained);
      assertEquals(0, binding.activeAssociations());
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", binding.port()).close(),
          "unbound: a new connection is refused");
    } finally {
      storescu.destroyForcibly();
      if (drained == null) {
        binding.drain(Duration.ZERO);
      }
    }
  }

  @Test
  void anIdleAssociationIsClosedRefuseBeforeCloseAfterTheDeadline() throws Exception {
    DicomServerBinding binding = get(DicomServer.bind(system,
        DicomServerSettings.defaults().withBind("127.0.0.1", 0), new SlowHandler()));
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(RawPeer.echoRq());
      assertInstanceOf(AAssociateAc.class, peer.read());
      peer.socket.setSoTimeout(30_000);
      long start = System.nanoTime();
      CompletionStage<?> drained = binding.drain(DEADLINE);
      // The peer sends nothing: it reads until the server closes the connection.
      assertTrue(peer.closedByServer(), "closed by the server within 30 s");
      get(drained);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf("drain: idle association closed, drain done after %d ms%n",
          elapsed.toMillis());
      Duration closeAt = DEADLINE.plus(DicomServer.REFUSE_BEFORE_CLOSE);
      assertTrue(elapsed.compareTo(closeAt.minusSeconds(1)) >= 0,
          "not closed before deadline + " + DicomServer.REFUSE_BEFORE_CLOSE + ": " + elapsed);
      assertTrue(elapsed.compareTo(DEADLINE.plusSeconds(15)) <= 0, "closed late: " + elapsed);
      assertEquals(0, binding.activeAssociations());
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
