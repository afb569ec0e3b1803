// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.annal.storage.BlobKey;
import org.annal.storage.BlobStore;
import org.annal.storage.FileSystemBlobStore;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes orphans (ARCHITECTURE invariant 1): blobs of this node's store that no {@code
 * InstanceStored} event references, e.g. because the node crashed between the fsync of the blob
 * and the persist of its event, or the event was refused. Only blobs older than {@code
 * orphan-grace} go, so a C-STORE in flight (blob durable, event not yet persisted) is never
 * touched; each deletion is logged.
 *
 * <p>Referenced = every blob key that any InstanceStored event in the journal placed on this node,
 * including superseded copies (policy {@code replace}): history keeps them. Blobs of rejected
 * duplicates are deleted by the C-STORE handler; if that delete failed they are orphans here.
 *
 * <p>The blob store interface does not yet say how old a blob is, so the caller supplies a {@link
 * BlobAge} ({@link BlobAge#ofFileSystem} for the file system store); a blob whose age is unknown is
 * never deleted.
 *
 * <p>Memory: the set of referenced keys of this node is held while the store is listed (about 100
 * bytes per instance).
 */
public final class OrphanSweeper {
  private static final Logger log = LoggerFactory.getLogger(OrphanSweeper.class);

  /** When a blob was written, if the store can tell. */
  @FunctionalInterface
  public interface BlobAge {
    CompletionStage<Optional<Instant>> createdAt(BlobKey key);

    /**
     * Stopgap until {@link BlobStore} can say how old a blob is: the modification time of the file
     * where {@link FileSystemBlobStore} documents it puts a blob ({@code
     * root/blobs/<k0k1>/<k2k3>/<key>}), read on the blocking dispatcher. If the layout ever
     * changes, the file is not found, the age is unknown and nothing is deleted.
     */
    static BlobAge ofFileSystem(ActorSystem<?> system, FileSystemBlobStore store) {
      Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
      Path blobs = store.root().resolve("blobs");
      return key -> CompletableFuture.supplyAsync(() -> {
        String k = key.value();
        try {
          return Optional.of(Files.getLastModifiedTime(
              blobs.resolve(k.substring(0, 2)).resolve(k.substring(2, 4)).resolve(k)).toInstant());
        } catch (IOException e) {
          return Optional.<Instant>empty();
        }
      }, blocking);
    }
  }

  /**
   * What a sweep did.
   *
   * @param blobs blobs in the store
   * @param referenced of those, referenced by an event
   * @param deleted unreferenced and older than the grace period: deleted
   * @param young unreferenced but within the grace period: kept
   * @param ageUnknown unreferenced, age unknown: kept
   * @param failed unreferenced and old, but the delete failed
   */
  public record Result(long blobs, long referenced, long deleted, long young, long ageUnknown,
      long failed) {}

  private final ActorSystem<?> system;
  private final StudyJournal journal;
  private final BlobStore blobStore;
  private final BlobAge blobAge;
  private final ArchiveSettings settings;
  private final Clock clock;

  public OrphanSweeper(ActorSystem<?> system, StudyJournal journal, BlobStore blobStore,
      BlobAge blobAge, ArchiveSettings settings, Clock clock) {
    this.system = system;
    this.journal = journal;
    this.blobStore = blobStore;
    this.blobAge = blobAge;
    this.settings = settings;
    this.clock = clock;
  }

  /** Replays the journal, then lists the store and deletes old orphans. Call at start-up. */
  public CompletionStage<Result> sweep() {
    // The referenced set is read before the store is listed: a blob written meanwhile is young.
    return referencedKeys().thenCompose(this::sweep);
  }

  private CompletionStage<Set<String>> referencedKeys() {
    return journal.studyPersistenceIds()
        .mapAsync(settings.verifyParallelism(), id -> journal.replay(id, settings.nodeId()))
        .runWith(Sink.fold(new HashSet<String>(), (set, replay) -> {
          set.addAll(replay.referencedBlobKeys());
          return set;
        }), system)
        .thenApply(set -> set);
  }

  private enum Fate { REFERENCED, DELETED, YOUNG, AGE_UNKNOWN, FAILED }

  private CompletionStage<Result> sweep(Set<String> referenced) {
    Instant cutoff = clock.instant().minus(settings.orphanGrace());
    return blobStore.keys()
        .mapAsyncUnordered(settings.verifyParallelism(), key -> referenced.contains(key.value())
            ? CompletableFuture.completedFuture(Fate.REFERENCED)
            : consider(key, cutoff))
        .runWith(Sink.fold(new long[Fate.values().length], (counts, fate) -> {
          counts[fate.ordinal()]++;
          return counts;
        }), system)
        .thenApply(c -> {
          long blobs = 0;
          for (long n : c) {
            blobs += n;
          }
          Result result = new Result(blobs, c[Fate.REFERENCED.ordinal()],
              c[Fate.DELETED.ordinal()], c[Fate.YOUNG.ordinal()],
              c[Fate.AGE_UNKNOWN.ordinal()], c[Fate.FAILED.ordinal()]);
          log.info("Orphan sweep: {}", result);
          return result;
        });
  }

  private CompletionStage<Fate> consider(BlobKey key, Instant cutoff) {
    return blobAge.createdAt(key).thenCompose(created -> {
      if (created.isEmpty()) {
        log.warn("Blob {} is referenced by no event but its age is unknown: kept", key);
        return CompletableFuture.completedFuture(Fate.AGE_UNKNOWN);
      }
      if (!created.get().isBefore(cutoff)) {
        return CompletableFuture.completedFuture(Fate.YOUNG);
      }
      return blobStore.delete(key)
          .thenApply(done -> {
            log.warn("Deleted orphan blob {}: written {}, referenced by no event, older than {}",
                key, created.get(), settings.orphanGrace());
            return Fate.DELETED;
          })
          .exceptionally(e -> {
            log.error("Could not delete orphan blob {}: {}", key, e.toString());
            return Fate.FAILED;
          });
    });
  }
}
