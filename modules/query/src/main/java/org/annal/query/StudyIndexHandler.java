// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.annal.archive.Study;
import org.annal.archive.StudyChainAudit;
import org.annal.query.impl.LagMeter;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a group of a tag's events into the {@link StudyIndexRepository} (blocking Lucene I/O, so
 * on the given executor, a blocking dispatcher) and records the lag from each event's timestamp
 * ({@code at}, written by the entity before the C-STORE Success) to its visibility in the index.
 * The group is visible when this completes; it is durable at the index's next commit, which records
 * the group's last offset (the projection resumes from there, {@link IndexResumedSource}).
 *
 * <p>Then it offers the newest chain head of each study in the group to {@link
 * ChainHeadCheckpoints} (one hash per study per group, not per event), without waiting for it.
 */
public final class StudyIndexHandler extends Handler<List<EventEnvelope<Study.Event>>> {
  private static final Logger log = LoggerFactory.getLogger(StudyIndexHandler.class);

  private final StudyIndexRepository repository;
  private final LagMeter lag;
  private final Executor executor;
  private final String tag;
  private final ChainHeadCheckpoints heads;

  public StudyIndexHandler(StudyIndexRepository repository, LagMeter lag, Executor executor,
      String tag) {
    this(repository, lag, executor, tag, ChainHeadCheckpoints.NONE);
  }

  public StudyIndexHandler(StudyIndexRepository repository, LagMeter lag, Executor executor,
      String tag, ChainHeadCheckpoints heads) {
    this.repository = repository;
    this.lag = lag;
    this.executor = executor;
    this.tag = tag;
    this.heads = heads;
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<Study.Event>> envelopes) {
    return CompletableFuture.supplyAsync(() -> {
      List<Study.Event> events = new ArrayList<>(envelopes.size());
      for (EventEnvelope<Study.Event> env : envelopes) {
        events.add(env.event());
      }
      repository.apply(tag, events, envelopes.get(envelopes.size() - 1).offset());
      long now = System.currentTimeMillis();
      long worst = 0;
      for (Study.Event e : events) {
        long l = now - e.at();
        lag.record(l);
        worst = Math.max(worst, l);
      }
      if (log.isDebugEnabled()) {
        log.debug("{}: indexed {} events, max lag {} ms", tag, events.size(), worst);
      }
      if (heads != ChainHeadCheckpoints.NONE) {
        heads.offer(headsOf(envelopes));
      }
      return Done.getInstance();
    }, executor);
  }

  /** The newest event of each study in the group, with its hash. */
  static List<ChainHeadCheckpoints.Head> headsOf(List<EventEnvelope<Study.Event>> envelopes) {
    Map<String, EventEnvelope<Study.Event>> newest = new LinkedHashMap<>();
    for (EventEnvelope<Study.Event> env : envelopes) {
      newest.merge(env.persistenceId(), env,
          (a, b) -> b.sequenceNr() > a.sequenceNr() ? b : a);
    }
    List<ChainHeadCheckpoints.Head> out = new ArrayList<>(newest.size());
    for (EventEnvelope<Study.Event> env : newest.values()) {
      out.add(new ChainHeadCheckpoints.Head(env.persistenceId(), env.sequenceNr(),
          StudyChainAudit.hash(env.event())));
    }
    return out;
  }
}
