// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.impl;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.annal.archive.ReceivedInstance;
import org.annal.archive.Study;
import org.annal.archive.StudyAsk;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Internal API. Group commit per study: while one write to a study's entity is in flight, further
 * instances for that study wait here and then go together as one {@link Study.RecordInstances},
 * i.e. one atomic journal write (one Cassandra batch in one partition) instead of one each.
 *
 * <p>A lone C-STORE is sent at once, so a single association sees no added latency; concurrent
 * associations sending the same study (a modality's usual pattern) share writes. Nothing is
 * answered before its own event is persisted: the promise of C-STORE Success is unchanged. At most
 * one request per study is in flight from this node, which also keeps the entity's mailbox short.
 * Waiting instances are bounded by the associations in progress (one C-STORE each at a time).
 *
 * <p>Each request goes through {@link StudyAsk#withRetries}: sent again when an attempt gets no answer ({@code attemptTimeout}), until
 * {@code askTimeout}: Cluster Sharding delivers at most once, and a request already forwarded to a
 * node that then dies is lost with it; the retry reaches the study wherever it restarts. The entity
 * answers a retry of a write that did land from its state (same blob on record), without a second
 * event.
 */
public final class RecordBatcher {

  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Duration attemptTimeout;
  private final int maxBatch;
  /** Study UID → instances waiting; a key is present exactly while a write is in flight. */
  private final Map<String, ArrayDeque<Waiting>> studies = new HashMap<>();

  private record Waiting(ReceivedInstance instance, CompletableFuture<Study.Recorded> result) {}

  /**
   * @param maxBatch most instances in one write (the journal splits writes of more than its
   *     max-message-batch-size events into several Cassandra batches anyway)
   */
  public RecordBatcher(ClusterSharding sharding, Duration askTimeout, Duration attemptTimeout,
      int maxBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be positive: " + maxBatch);
    }
    this.sharding = sharding;
    this.askTimeout = askTimeout;
    this.attemptTimeout = attemptTimeout;
    this.maxBatch = maxBatch;
  }

  /** Completes once the instance's events are persisted (or fails: timeout, entity error). */
  public CompletionStage<Study.Recorded> record(ReceivedInstance instance) {
    Waiting waiting = new Waiting(instance, new CompletableFuture<>());
    String study = instance.studyInstanceUid();
    boolean idle;
    synchronized (studies) {
      ArrayDeque<Waiting> queue = studies.get(study);
      idle = queue == null;
      if (idle) {
        studies.put(study, new ArrayDeque<>());
      } else {
        queue.add(waiting);
      }
    }
    if (idle) {
      send(study, List.of(waiting));
    }
    return waiting.result();
  }

  private void send(String study, List<Waiting> batch) {
    List<ReceivedInstance> instances = new ArrayList<>(batch.size());
    for (Waiting w : batch) {
      instances.add(w.instance());
    }
    CompletionStage<Study.RecordedBatch> reply = StudyAsk.withRetries(sharding, study,
        replyTo -> new Study.RecordInstances(instances, replyTo), askTimeout, attemptTimeout);
    reply.whenComplete((recorded, error) -> {
      for (int i = 0; i < batch.size(); i++) {
        CompletableFuture<Study.Recorded> result = batch.get(i).result();
        if (error != null) {
          result.completeExceptionally(error);
        } else if (recorded.results().size() != batch.size()) {
          result.completeExceptionally(new IllegalStateException("entity answered "
              + recorded.results().size() + " results for " + batch.size() + " instances"));
        } else {
          result.complete(recorded.results().get(i));
        }
      }
      sendNext(study);
    });
  }

  private void sendNext(String study) {
    List<Waiting> next = new ArrayList<>();
    synchronized (studies) {
      ArrayDeque<Waiting> queue = studies.get(study);
      while (!queue.isEmpty() && next.size() < maxBatch) {
        next.add(queue.poll());
      }
      if (next.isEmpty()) {
        studies.remove(study);
        return;
      }
    }
    send(study, next);
  }
}
