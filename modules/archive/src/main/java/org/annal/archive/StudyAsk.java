// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a Study entity, sending the same command again when an attempt gets no answer within
 * {@code attempt}, until {@code total} has passed. Cluster Sharding delivers at most once: a
 * command already forwarded to a node that then dies is lost with it, and the retry reaches the
 * study wherever it restarts. Only for commands whose repetition the entity tolerates (a record
 * already on file is recognised, see {@link Study}). Other failures are final.
 */
public final class StudyAsk {
  private static final Logger log = LoggerFactory.getLogger(StudyAsk.class);

  private StudyAsk() {}

  public static <R> CompletionStage<R> withRetries(ClusterSharding sharding, String studyUid,
      Function<ActorRef<StatusReply<R>>, Study.Command> command, Duration total,
      Duration attempt) {
    return attempt(sharding, studyUid, command, System.nanoTime() + total.toNanos(),
        attempt.compareTo(total) < 0 ? attempt : total, 1);
  }

  private static <R> CompletionStage<R> attempt(ClusterSharding sharding, String studyUid,
      Function<ActorRef<StatusReply<R>>, Study.Command> command, long deadlineNanos,
      Duration attemptTimeout, int attempt) {
    long left = deadlineNanos - System.nanoTime();
    Duration timeout =
        Duration.ofNanos(Math.max(1_000_000L, Math.min(left, attemptTimeout.toNanos())));
    CompletionStage<R> reply;
    try {
      reply = sharding.entityRefFor(Study.ENTITY_KEY, studyUid)
          .askWithStatus(command::apply, timeout);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    return reply.handle((answer, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(answer);
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      if (cause instanceof TimeoutException && deadlineNanos - System.nanoTime() > 0) {
        log.warn("Study {}: no answer within {} ms (attempt {}), sending again", studyUid,
            timeout.toMillis(), attempt);
        return attempt(sharding, studyUid, command, deadlineNanos, attemptTimeout, attempt + 1);
      }
      return CompletableFuture.<R>failedFuture(cause);
    }).thenCompose(x -> x);
  }
}
