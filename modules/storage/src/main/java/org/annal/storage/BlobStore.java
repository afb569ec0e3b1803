// SPDX-License-Identifier: Apache-2.0
package org.annal.storage;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Where image files live (create, read, read a range, remove), separate from the index that says
 * what they are. Keys are internal ids chosen by the store, never strings a sender controls.
 */
public interface BlobStore {

  /**
   * A sink that writes a new blob. It computes SHA-256 and size on the fly, fsyncs the file, renames
   * it atomically into place and fsyncs the directory; only then does its value complete. If the
   * upstream fails, nothing is left behind and the value fails.
   */
  Sink<ByteString, CompletionStage<StoredBlob>> put();

  /** The whole blob; the source fails with {@link BlobNotFoundException} if there is none. */
  Source<ByteString, NotUsed> get(BlobKey key);

  /**
   * The whole blob in memory, read without a stream: for blobs the caller knows to be small (a
   * retrieve sends a 512 KB CT image faster this way than through a per-file stream). Fails with
   * {@link BlobNotFoundException} if there is none.
   */
  CompletionStage<ByteString> readAll(BlobKey key);

  /**
   * {@link #readAll}, failing with {@link BlobMismatchException} unless the bytes are the blob
   * that was written with {@code size} and {@code sha256}. This default checks the SHA-256; the
   * file system store first checks the CRC-32C it recorded when writing (far cheaper) and falls
   * back to the SHA-256 when there is none or it differs.
   */
  default CompletionStage<ByteString> readAllVerified(BlobKey key, long size, String sha256) {
    return readAll(key).thenApply(bytes ->
        org.annal.storage.impl.BlobChecksums.verified(key, bytes, null, size, sha256));
  }

  /** {@code length} bytes from {@code offset} (fewer if the blob ends first). */
  Source<ByteString, NotUsed> get(BlobKey key, long offset, long length);

  /** Removes a blob; completes normally if it was already gone. */
  CompletionStage<Done> delete(BlobKey key);

  /** Every blob key this store holds (for verify and the orphan sweeper). */
  Source<BlobKey, NotUsed> keys();
}
