// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.annal.archive.Study;
import org.annal.query.impl.LagMeter;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.cassandra.internal.CassandraOffsetStore;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.FutureConverters;

/**
 * The projection that keeps this node's query index: one Pekko Projection per tag
 * ({@code study-0} .. {@code study-7}, {@link Study#TAGS}) reading {@code eventsByTag} from the
 * Cassandra read journal, grouped ({@code annal.query.group-size} / {@code group-window}), at
 * least once. Offsets are stored in Cassandra ({@code pekko_projection.offset_store}) after each
 * group, but each tag resumes from the offset recorded in the index's last commit
 * ({@link IndexResumedSource}), which is never ahead of what the index holds on disk.
 *
 * <p><b>Every node consumes every tag.</b> Each node keeps its own local index (C-FIND is answered
 * locally), so the tags are not distributed with a ShardedDaemonProcess (which would run each tag
 * on one node only); instead {@link #init} runs all eight projections on the node it is called on,
 * as plain actors. Their {@link ProjectionId} names the node and the index generation
 * ({@code query-index.<node>.<generation>}, key = tag), so nodes never share offsets, and a
 * rebuilt index (new generation) never resumes from offsets of an index that no longer exists.
 *
 * <p>{@link #reindex}: delete the local index and its offsets; the next {@link #init} rebuilds from
 * the start of the journal with identical answers (the index is a pure function of the events).
 */
public final class StudyIndexProjection {
  private static final Logger log = LoggerFactory.getLogger(StudyIndexProjection.class);

  private final List<ActorRef<ProjectionBehavior.Command>> projections;
  private final LagMeter lag;

  private StudyIndexProjection(List<ActorRef<ProjectionBehavior.Command>> projections,
      LagMeter lag) {
    this.projections = projections;
    this.lag = lag;
  }

  /** The projection id of one tag's projection for this node and index generation. */
  public static ProjectionId projectionId(String nodeId, String generation, String tag) {
    // The name becomes an actor name (ProjectionManagement's topic): only its characters.
    String node = nodeId.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    return ProjectionId.of("query-index." + node + "." + generation, tag);
  }

  /**
   * Starts the eight tag projections on this node, writing into {@code repository} and offering
   * each group's newest chain head per study to {@code heads} ({@link ChainHeadCheckpoints#NONE}:
   * none). Creates the offset table if needed first.
   */
  public static StudyIndexProjection init(ActorSystem<?> system, StudyIndexRepository repository,
      QuerySettings settings, String nodeId, ChainHeadCheckpoints heads) {
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    LagMeter lag = new LagMeter();
    List<ActorRef<ProjectionBehavior.Command>> refs = new ArrayList<>();
    // Fail start-up rather than hang if Cassandra is unreachable.
    CassandraProjection.createTablesIfNotExists(system).toCompletableFuture()
        .orTimeout(60, TimeUnit.SECONDS).join();
    for (String tag : Study.TAGS) {
      SourceProvider<Offset, EventEnvelope<Study.Event>> source = new IndexResumedSource<>(
          EventSourcedProvider.eventsByTag(system, settings.readJournalPluginId(), tag),
          () -> repository.resumeOffset(tag));
      Projection<EventEnvelope<Study.Event>> projection = CassandraProjection.groupedWithin(
              projectionId(nodeId, repository.generation(), tag), source,
              () -> new StudyIndexHandler(repository, lag, blocking, tag, heads))
          .withGroup(settings.groupSize(), settings.groupWindow());
      refs.add(system.systemActorOf(ProjectionBehavior.create(projection), "query-index-" + tag,
          Props.empty()));
    }
    log.info("Query index projection started for node {} (generation {}), tags {}", nodeId,
        repository.generation(), Study.TAGS);
    system.scheduler().scheduleAtFixedRate(settings.lagLogInterval(), settings.lagLogInterval(),
        () -> {
          LagMeter.Snapshot s = lag.snapshot();
          if (s.count() > 0) {
            log.info("Query index lag (event -> visible): {}", s);
          }
        }, system.executionContext());
    return new StudyIndexProjection(refs, lag);
  }

  /** Lag from event timestamp to visibility in the index, over the recent events. */
  public LagMeter.Snapshot lag() {
    return lag.snapshot();
  }

  /** Stops the tag projections (they store their last offset first). */
  public void stop() {
    projections.forEach(p -> p.tell(ProjectionBehavior.stopMessage()));
  }

  /**
   * Deletes the local index in {@code indexDir} and its offsets in Cassandra, so that the next
   * {@link #init} rebuilds the index from the whole journal. Run it with the projections stopped
   * (the {@code annal reindex} command runs it before the node starts them).
   */
  public static CompletionStage<Done> reindex(ActorSystem<?> system, Path indexDir,
      String nodeId) {
    if (Files.isDirectory(indexDir)) {
      // Refuse while a node holds the index open: deleting under a live IndexWriter corrupts it.
      try (Directory directory = FSDirectory.open(indexDir);
          Lock lock = directory.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
        lock.ensureValid();
      } catch (LockObtainFailedException e) {
        return CompletableFuture.failedFuture(new IllegalStateException(
            "query index " + indexDir + " is in use: stop the node before reindex", e));
      } catch (IOException e) {
        return CompletableFuture.failedFuture(new UncheckedIOException(e));
      }
    }
    String generation = Files.isDirectory(indexDir) ? QueryIndex.generationAt(indexDir) : null;
    CompletionStage<Done> cleared = CompletableFuture.completedFuture(Done.getInstance());
    if (generation != null) {
      CassandraOffsetStore offsets = new CassandraOffsetStore(system);
      for (String tag : Study.TAGS) {
        ProjectionId id = projectionId(nodeId, generation, tag);
        cleared = cleared.thenCompose(d -> FutureConverters.asJava(offsets.clearOffset(id)));
      }
    }
    return cleared.thenApply(d -> {
      deleteRecursively(indexDir);
      log.info("Query index {} (generation {}) and its offsets deleted: it will be rebuilt",
          indexDir, generation);
      return d;
    });
  }

  /** Deletes a directory tree (the index is disposable). */
  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
