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
import java.util.concurrent.CompletionStage;
import org.annal.storage.BlobKey;
import org.annal.storage.StoredBlob;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.AbruptStageTerminationException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.SinkShape;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Internal API. The sink behind {@code FileSystemBlobStore.put()}: one blob per materialization.
 *
 * <pre>
 * ByteString ──▶ SHA-256 ──▶ direct buffer (coalesce) ──▶ write(tmp/key.part)
 *                    upstream completes ──▶ flush ─▶ force(true) ─▶ rename ─▶ fsync(dir) ─▶ StoredBlob
 *                    upstream fails / abrupt stop ──▶ close ─▶ delete tmp ─▶ failed value
 * </pre>
 *
 * All callbacks do blocking I/O: the store runs this stage behind an async boundary on its blocking
 * dispatcher. One element is requested at a time, so a slow disk backpressures the association.
 */
public final class BlobWriteStage
    extends AbstractGraphStageWithMaterializedValue<SinkShape<ByteString>, CompletionStage<StoredBlob>> {
  private static final HexFormat HEX = HexFormat.of();

  private final Inlet<ByteString> in = Inlet.create("BlobWrite.in");
  private final SinkShape<ByteString> shape = SinkShape.of(in);
  private final BlobLayout layout;
  private final DirectBufferPool buffers;

  public BlobWriteStage(BlobLayout layout, DirectBufferPool buffers) {
    this.layout = layout;
    this.buffers = buffers;
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

  private final class Logic extends GraphStageLogic {
    private final CompletableFuture<StoredBlob> result;
    private BlobKey key;
    private Path temp;
    private FileChannel channel;
    private MessageDigest sha256;
    private ByteBuffer buffer;
    private long size;
    private Path moved;

    Logic(CompletableFuture<StoredBlob> result) {
      super(shape);
      this.result = result;
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              try {
                append(grab(in));
                pull(in);
              } catch (IOException | RuntimeException e) {
                abort(e);
              }
            }

            @Override
            public void onUpstreamFinish() {
              try {
                commit();
                completeStage();
              } catch (IOException | RuntimeException e) {
                abort(e);
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
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
        key = BlobLayout.newKey();
        temp = layout.tempPath(key);
        channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        buffer = buffers.acquire();
        pull(in);
      } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
        abort(e);
      }
    }

    @Override
    public void postStop() {
      if (!result.isDone()) {
        // Stopped without completion or failure (materializer shut down): leave nothing behind.
        cleanUp(new AbruptStageTerminationException(this));
      }
      releaseBuffer();
    }

    private void append(ByteString bytes) throws IOException {
      for (ByteBuffer part : bytes.getByteBuffers()) {
        sha256.update(part.duplicate());
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

    private void commit() throws IOException {
      flush();
      channel.force(true);
      channel.close();
      Path target = layout.blobPath(key);
      boolean newDirectory = layout.createDirectory(target.getParent());
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      moved = target;
      BlobLayout.fsyncDirectory(target.getParent());
      if (newDirectory) {
        layout.markDurable(target.getParent());
      }
      result.complete(new StoredBlob(key, size, HEX.formatHex(sha256.digest())));
    }

    private void abort(Throwable cause) {
      cleanUp(cause);
      failStage(cause);
    }

    private void cleanUp(Throwable cause) {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException suppressed) {
        cause.addSuppressed(suppressed);
      }
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
