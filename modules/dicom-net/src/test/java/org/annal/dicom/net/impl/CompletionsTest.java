// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

/** Continuations on the completing thread, and timeouts on Pekko's scheduler. */
class CompletionsTest {
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("CompletionsTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  /** Completes {@code promise} with {@code value} from a thread named {@code name}. */
  private static void completeFrom(String name, Promise<String> promise, String value)
      throws InterruptedException {
    Thread t = new Thread(() -> promise.success(value), name);
    t.start();
    t.join();
  }

  @Test
  void scalaConvertedStageRunsThenApplyElsewhereButDirectDoesNot() throws Exception {
    Promise<String> plain = Promise.apply();
    CompletionStage<String> converted = FutureConverters.asJava(plain.future());
    CompletableFuture<String> where =
        converted.thenApply(v -> Thread.currentThread().getName()).toCompletableFuture();
    completeFrom("completer-1", plain, "x");
    // Why Completions exists: Scala's converter makes thenApply asynchronous.
    assertNotEquals("completer-1", where.get(5, TimeUnit.SECONDS));

    Promise<String> promise = Promise.apply();
    CompletableFuture<String> direct = Completions.direct(FutureConverters.asJava(promise.future()))
        .thenApply(v -> v + "@" + Thread.currentThread().getName());
    assertFalse(direct.isDone());
    completeFrom("completer-2", promise, "y");
    assertEquals("y@completer-2", direct.get(5, TimeUnit.SECONDS));
  }

  @Test
  void directPassesFailuresOn() {
    Promise<String> promise = Promise.apply();
    CompletableFuture<String> direct =
        Completions.direct(FutureConverters.asJava(promise.future()));
    promise.failure(new IllegalStateException("boom"));
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> direct.get(5, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertEquals("boom", e.getCause().getMessage());
  }

  @Test
  void withinFailsAFutureThatDoesNotCompleteInTime() {
    CompletableFuture<String> never = new CompletableFuture<>();
    long start = System.nanoTime();
    CompletableFuture<String> timed =
        Completions.within(never, Duration.ofMillis(150), system.scheduler());
    assertSame(never, timed);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> timed.get(5, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, e.getCause());
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(140),
        "not before the timeout");
  }

  @Test
  void withinKeepsTheValueOfAFutureCompletedInTime() throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    CompletableFuture<String> timed =
        Completions.within(answer, Duration.ofMillis(100), system.scheduler());
    answer.complete("ok");
    Thread.sleep(300); // past the timeout: a timer not cancelled would find it done anyway
    assertEquals("ok", timed.get(1, TimeUnit.SECONDS));
    assertFalse(timed.isCompletedExceptionally());
    CompletableFuture<String> done = CompletableFuture.completedFuture("already");
    assertEquals("already",
        Completions.within(done, Duration.ofMillis(1), system.scheduler()).get());
  }
}
