// SPDX-License-Identifier: Apache-2.0
package org.annal.storage.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.annal.storage.BlobKey;
import org.annal.storage.StoredBlob;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.AbruptStageTerminationException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.SinkShape;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Internal API. The sink behind {@code FileSystemBlobStore.put()}: one blob per materialization.
 *
 * <pre>
 * ByteString ──▶ SHA-256, CRC-32C ──▶ direct buffer (coalesce) ──▶ write(tmp/key.part)
 *                    upstream completes ──▶ flush ─▶ xattr crc32c ─▶ force(true) ─▶ rename
 *                                           ─▶ fsync(dir) ─▶ StoredBlob
 *                    upstream fails / abrupt stop ──▶ close ─▶ delete tmp ─▶ failed value
 * </pre>
 *
 * <p>The stage runs fused with its upstream (no async boundary, so no actor per blob: that
 * materialization cost was ~12% of the node's CPU per C-STORE), and hands every blocking step to
 * the store's blocking executor as a task. Tasks run one after another, in order (each chained
 * on the previous one), so no two touch the file or the buffer at once.
 *
 * <p>Chunks (often one PDV of 16 KiB) are collected on the stage, without copying, until they fill
 * the write buffer, and handed to the executor together: a 512 KiB instance is four tasks (the
 * open, two writes, the commit), not one per chunk. Each task woke a pool thread and, when done, the
 * stage's: 28 context switches per 512 KiB C-STORE on the storage pool alone (2 cores, one
 * association). Memory per blob: at most one buffer's worth of chunks collecting while another is
 * written, plus the write buffer; a slow disk backpressures the association.
 */
public final class BlobWriteStage
    extends AbstractGraphStageWithMaterializedValue<SinkShape<ByteString>, CompletionStage<StoredBlob>> {
  private static final HexFormat HEX = HexFormat.of();

  private final Inlet<ByteString> in = Inlet.create("BlobWrite.in");
  private final SinkShape<ByteString> shape = SinkShape.of(in);
  private final BlobLayout layout;
  private final DirectBufferPool buffers;
  private final Executor io;

  /** @param io where the blocking file operations run (the store's blocking dispatcher) */
  public BlobWriteStage(BlobLayout layout, DirectBufferPool buffers, Executor io) {
    this.layout = layout;
    this.buffers = buffers;
    // At shutdown the dispatcher may refuse work: then run it here rather than lose the cleanup.
    this.io = task -> {
      try {
        io.execute(task);
      } catch (RejectedExecutionException e) {
        task.run();
      }
    };
  }

  @Override
  public SinkShape<ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<StoredBlob>> createLogicAndMaterializedValuePair(
      Attributes inheritedAttributes) {
    CompletableFuture<StoredBlob> result = new CompletableFuture<>();
    return Pair.create(new Logic(result), result);
  }

  /** A blocking step. */
  private interface IoTask {
    void run() throws IOException, NoSuchAlgorithmException;
  }

  private final class Logic extends GraphStageLogic {
    private final CompletableFuture<StoredBlob> result;
    /** The last I/O task scheduled; the next is chained on it. */
    private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    private AsyncCallback<Throwable> ioDone;
    private boolean ioBusy;
    /** Chunks not yet handed to an I/O task (a rope: concatenating does not copy). */
    private ByteString collected = ByteString.emptyByteString();
    private boolean upstreamFinished;
    private boolean committing;
    private boolean failed;

    // Touched only by I/O tasks (one at a time, in order).
    private BlobKey key;
    private Path temp;
    private FileChannel channel;
    private MessageDigest sha256;
    private final java.util.zip.CRC32C crc32c = new java.util.zip.CRC32C();
    private ByteBuffer buffer;
    private long size;
    private Path moved;
    private StoredBlob stored;

    Logic(CompletableFuture<StoredBlob> result) {
      super(shape);
      this.result = result;
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              collected = collected.concat(grab(in));
              if (!ioBusy && full()) {
                write();
              }
              pullIfRoom();
            }

            @Override
            public void onUpstreamFinish() {
              upstreamFinished = true;
              if (!ioBusy) {
                commit();
              }
            }

            @Override
            public void onUpstreamFailure(Throwable cause) {
              abort(cause);
            }
          });
    }

    @Override
    public void preStart() {
      ioDone = createAsyncCallback(this::onIoDone);
      // The inlet closes before the commit is done: stay alive until the I/O callback ends us.
      setKeepGoing(true);
      submit(() -> {
        sha256 = MessageDigest.getInstance("SHA-256");
        key = BlobLayout.newKey();
        temp = layout.tempPath(key);
        channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        buffer = buffers.acquire();
      });
      pull(in);
    }

    /** Enough collected for one write task: a buffer's worth. */
    private boolean full() {
      return collected.size() >= buffers.bufferSize();
    }

    /** Pulls the next chunk unless a buffer's worth already waits for the task in flight. */
    private void pullIfRoom() {
      if (!isClosed(in) && !hasBeenPulled(in) && !(ioBusy && full())) {
        pull(in);
      }
    }

    /** The chunks collected so far, handed over: the stage starts collecting anew. */
    private ByteString takeCollected() {
      ByteString bytes = collected;
      collected = ByteString.emptyByteString();
      return bytes;
    }

    private void write() {
      ByteString bytes = takeCollected();
      submit(() -> append(bytes));
    }

    private void commit() {
      committing = true;
      ByteString rest = takeCollected();
      submit(() -> {
        append(rest);
        commitBlocking();
      });
    }

    private void submit(IoTask task) {
      ioBusy = true;
      chain = chain.thenRunAsync(() -> {
        try {
          task.run();
        } catch (IOException | NoSuchAlgorithmException e) {
          throw new CompletionException(e);
        }
      }, io);
      chain.whenComplete((done, error) -> ioDone.invoke(error));
    }

    private void onIoDone(Throwable error) {
      if (failed) {
        return;
      }
      ioBusy = false;
      if (error != null) {
        abort(error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error);
      } else if (committing) {
        result.complete(stored);
        completeStage();
      } else if (upstreamFinished) {
        commit();
      } else {
        if (full()) {
          write();
        }
        pullIfRoom();
      }
    }

    @Override
    public void postStop() {
      if (!result.isDone() && !failed) {
        // Stopped without completion or failure (materializer shut down): leave nothing behind.
        cleanUpAfterIo(new AbruptStageTerminationException(this));
      }
    }

    private void append(ByteString bytes) throws IOException {
      for (ByteBuffer part : bytes.getByteBuffers()) {
        sha256.update(part.duplicate());
        crc32c.update(part.duplicate());
        while (part.hasRemaining()) {
          if (!buffer.hasRemaining()) {
            flush();
          }
          int n = Math.min(part.remaining(), buffer.remaining());
          ByteBuffer slice = part.slice();
          slice.limit(n);
          buffer.put(slice);
          part.position(part.position() + n);
        }
      }
      size += bytes.size();
    }

    private void flush() throws IOException {
      buffer.flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    private void commitBlocking() throws IOException {
      flush();
      // Before the fsync, so that it is as durable as the bytes (BlobChecksums says why).
      BlobChecksums.writeCrc32c(temp, (int) crc32c.getValue());
      channel.force(true);
      channel.close();
      releaseBuffer();
      Path target = layout.blobPath(key);
      boolean newDirectory = layout.createDirectory(target.getParent());
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      moved = target;
      BlobLayout.fsyncDirectory(target.getParent());
      if (newDirectory) {
        layout.markDurable(target.getParent());
      }
      stored = new StoredBlob(key, size, HEX.formatHex(sha256.digest()));
    }

    private void abort(Throwable cause) {
      cleanUpAfterIo(cause);
      failStage(cause);
    }

    /** Once the I/O in flight (if any) is over: close, delete what was written, fail the value. */
    private void cleanUpAfterIo(Throwable cause) {
      failed = true;
      chain.handleAsync((done, error) -> {
        cleanUp(cause);
        return null;
      }, io);
    }

    private void cleanUp(Throwable cause) {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException suppressed) {
        cause.addSuppressed(suppressed);
      }
      releaseBuffer();
      try {
        if (temp != null) {
          Files.deleteIfExists(temp);
        }
      } catch (IOException suppressed) {
        cause.addSuppressed(suppressed);
      }
      try {
        if (moved != null) {
          // Renamed but the directory fsync failed: the caller is told "failed", so remove it.
          Files.deleteIfExists(moved);
        }
      } catch (IOException suppressed) {
        cause.addSuppressed(suppressed);
      }
      result.completeExceptionally(cause);
    }

    private void releaseBuffer() {
      if (buffer != null) {
        buffers.release(buffer);
        buffer = null;
      }
    }
  }
}
