// SPDX-License-Identifier: Apache-2.0
package org.annal.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.annal.storage.impl.BlobChecksums;
import org.annal.storage.impl.BlobLayout;
import org.annal.storage.impl.BlobWriteStage;
import org.annal.storage.impl.DirectBufferPool;
import org.annal.storage.impl.TakeBytes;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.util.ByteString;

/**
 * A {@link BlobStore} on a local filesystem (Orthanc's {@code IStorageArea}: create, read, read
 * range, remove). A put is durable when its value completes: the bytes are fsynced, the temp file
 * is renamed atomically to {@code blobs/<k0k1>/<k2k3>/<key>} and that directory is fsynced
 * (ARCHITECTURE invariant 1: the blob is durable before the event that references it).
 *
 * <p>Every blocking call runs on the dispatcher named by {@code annal.storage.blocking-dispatcher}.
 * Open the store once at start-up: {@link #open} creates the directories and removes temp files a
 * crash left behind, synchronously.
 */
public final class FileSystemBlobStore implements BlobStore {
  // Buffers kept for reuse; beyond this, concurrent puts allocate and the GC frees.
  private static final int POOLED_BUFFERS = 32;

  private final FileSystemBlobStoreSettings settings;
  private final BlobLayout layout;
  private final DirectBufferPool buffers;
  private final Executor blockingExecutor;
  private final LoggingAdapter log;

  private FileSystemBlobStore(
      FileSystemBlobStoreSettings settings,
      BlobLayout layout,
      Executor blockingExecutor,
      LoggingAdapter log) {
    this.settings = settings;
    this.layout = layout;
    this.buffers = new DirectBufferPool(settings.writeBufferSize(), POOLED_BUFFERS);
    this.blockingExecutor = blockingExecutor;
    this.log = log;
  }

  /** Opens the store configured under {@code annal.storage} in the system's config. */
  public static FileSystemBlobStore open(ClassicActorSystemProvider system) {
    return open(
        system, FileSystemBlobStoreSettings.fromConfig(system.classicSystem().settings().config()));
  }

  /**
   * Opens (creating if needed) a store and removes the temp files of writes a crash interrupted.
   *
   * @throws UncheckedIOException if the directories cannot be created or cleaned
   */
  public static FileSystemBlobStore open(
      ClassicActorSystemProvider system, FileSystemBlobStoreSettings settings) {
    LoggingAdapter log = Logging.getLogger(system.classicSystem(), FileSystemBlobStore.class);
    Executor executor = system.classicSystem().dispatchers().lookup(settings.blockingDispatcher());
    try {
      FileSystemBlobStore store =
          new FileSystemBlobStore(settings, BlobLayout.open(settings.root()), executor, log);
      store.cleanTemp();
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open blob store at " + settings.root(), e);
    }
  }

  /** The directory that holds {@code blobs/} and {@code tmp/}. */
  public Path root() {
    return layout.root();
  }

  /**
   * Removes the temp files of interrupted writes. Their keys were never returned, so no event can
   * reference them. Called by {@link #open}; do not call while puts are in flight.
   *
   * @return how many were removed
   */
  public int cleanTemp() throws IOException {
    int removed = layout.cleanTemp();
    if (removed > 0) {
      log.warning(
          "Removed {} unfinished blob write(s) left in {} by an earlier crash",
          removed,
          layout.tempDirectory());
    } else {
      log.debug("No unfinished blob writes in {}", layout.tempDirectory());
    }
    return removed;
  }

  @Override
  public Sink<ByteString, CompletionStage<StoredBlob>> put() {
    // Fused with the caller's stream; the stage hands its blocking work to the blocking executor.
    return Sink.fromGraph(new BlobWriteStage(layout, buffers, blockingExecutor));
  }

  @Override
  public Source<ByteString, NotUsed> get(BlobKey key) {
    return read(key, settings.readChunkSize(), 0L).mapMaterializedValue(done -> NotUsed.notUsed());
  }

  @Override
  public CompletionStage<ByteString> readAll(BlobKey key) {
    Path path = layout.blobPath(key);
    return CompletableFuture.supplyAsync(() -> {
      try {
        return ByteString.fromArrayUnsafe(Files.readAllBytes(path));
      } catch (NoSuchFileException e) {
        throw new CompletionException(new BlobNotFoundException(key));
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, blockingExecutor);
  }

  @Override
  public CompletionStage<ByteString> readAllVerified(BlobKey key, long size, String sha256) {
    Path path = layout.blobPath(key);
    // The attribute is read after the bytes: it is written before the file is renamed into place.
    return readAll(key).thenApply(bytes ->
        BlobChecksums.verified(key, bytes, BlobChecksums.readCrc32c(path), size, sha256));
  }

  @Override
  public Source<ByteString, NotUsed> get(BlobKey key, long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("negative offset or length: " + offset + ", " + length);
    }
    // Small ranges do not need a full chunk read from the file.
    int chunk = (int) Math.max(1, Math.min(settings.readChunkSize(), length));
    return read(key, chunk, offset)
        .via(new TakeBytes(length))
        .mapMaterializedValue(done -> NotUsed.notUsed());
  }

  private Source<ByteString, ?> read(BlobKey key, int chunkSize, long offset) {
    Path path = layout.blobPath(key);
    Source<ByteString, NotUsed> file =
        FileIO.fromPath(path, chunkSize, offset)
            .withAttributes(ActorAttributes.dispatcher(settings.blockingDispatcher()))
            // Deleted between the check below and the open.
            .mapError(
                new PFBuilder<Throwable, Throwable>()
                    .match(NoSuchFileException.class, e -> new BlobNotFoundException(key))
                    .build())
            .mapMaterializedValue(io -> NotUsed.notUsed());
    // Checked first (off the default dispatcher, at first demand) because FileIO logs a missing
    // file as an ERROR, and a missing blob is an answer (404, C-GET failure), not a fault.
    return Source.lazyCompletionStageSource(
        () ->
            CompletableFuture.supplyAsync(
                () ->
                    Files.isRegularFile(path)
                        ? file
                        : Source.<ByteString>failed(new BlobNotFoundException(key)),
                blockingExecutor));
  }

  @Override
  public CompletionStage<Done> delete(BlobKey key) {
    Path path = layout.blobPath(key);
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            if (Files.deleteIfExists(path)) {
              BlobLayout.fsyncDirectory(path.getParent());
            }
            return Done.getInstance();
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        },
        blockingExecutor);
  }

  @Override
  public Source<BlobKey, NotUsed> keys() {
    Path blobs = layout.blobsDirectory();
    // Depth 3 is blobs/ab/cd/key; anything else in the tree is not ours and is skipped.
    return StreamConverters.fromJavaStream(() -> Files.walk(blobs, 3))
        .filter(Files::isRegularFile)
        .map(layout::keyOf)
        .filter(Optional::isPresent)
        .map(Optional::get)
        // Its own island on the blocking dispatcher: the walk does directory I/O.
        .async(settings.blockingDispatcher());
  }
}
