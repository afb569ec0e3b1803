// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import scala.concurrent.ExecutionContext;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Continuations that stay on the thread that completes a stage. Internal API.
 *
 * <p>A {@link CompletionStage} that Pekko's Java API converts from a Scala {@code Future} (a queue
 * offer, an ask, a materialized value) runs even {@code thenApply} asynchronously, on the JDK's
 * common pool: Scala's converters route every synchronous transformation to its {@code *Async}
 * counterpart. On a retrieve that is a thread hand-off per message; a C-MOVE spent 11 % of the
 * node's CPU on common-pool threads (perf, 200 × 512 KB, stop 21). {@link #direct} gives a plain
 * future completed where the Scala one completes (the stream's own thread).
 *
 * <p>{@link CompletableFuture#orTimeout} wakes the JDK's one delay thread for every timeout armed;
 * {@link #within} uses Pekko's scheduler instead, whose tick thread picks new timers up without
 * being signalled, and whose cancel is a compare-and-set.
 */
public final class Completions {
  /** Runs a timer's task on the scheduler's thread: it only fails a future. */
  private static final ExecutionContextExecutor SAME_THREAD =
      ExecutionContext.fromExecutor(Runnable::run);

  private Completions() {}

  /** A plain future completed (value or failure) on the thread that completes {@code stage}. */
  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    // The *Async variant with an executor is not redirected; Runnable::run keeps the thread.
    stage.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(value);
      }
    }, Runnable::run);
    return out;
  }

  /**
   * {@code future} itself, failed with a {@link TimeoutException} if it has not completed within
   * {@code timeout} (as {@link CompletableFuture#orTimeout}); the timer is cancelled on completion.
   */
  public static <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration timeout,
      Scheduler scheduler) {
    if (future.isDone()) {
      return future;
    }
    Cancellable timer = scheduler.scheduleOnce(timeout,
        () -> future.completeExceptionally(new TimeoutException("no answer within " + timeout)),
        SAME_THREAD);
    future.whenComplete((value, failure) -> timer.cancel());
    return future;
  }
}
