// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.impl;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import org.apache.pekko.util.ByteString;

/**
 * Internal API. Sees every data set chunk of one C-STORE on its way to the blob store: hashes it
 * (the data set SHA-256 that decides whether a duplicate is identical) and keeps at most {@code
 * limit} leading bytes for the header parser, so memory stays bounded whatever the instance size
 * (ARCHITECTURE invariant 5). One instance per stream materialization; used from a single stage.
 */
public final class DatasetTap {
  private final int limit;
  private ByteString head;
  private final MessageDigest digest = Sha256.newDigest();
  private ByteString prefix = ByteString.emptyByteString();
  private long size;
  private volatile boolean upstreamFailed;

  public DatasetTap(int limit) {
    this(limit, ByteString.emptyByteString());
  }

  /**
   * @param head bytes to put in front of the first chunk passed on (not hashed, not counted): the
   *     PS3.10 meta header of the blob. Nothing is passed on for an empty data set.
   */
  public DatasetTap(int limit, ByteString head) {
    this.limit = limit;
    this.head = head;
  }

  /** Observes a chunk and passes it on unchanged (after the head, for the first one). */
  public ByteString accept(ByteString chunk) {
    for (ByteBuffer buffer : chunk.getByteBuffers()) {
      digest.update(buffer);
    }
    size += chunk.size();
    int room = limit - prefix.size();
    if (room > 0) {
      // Concatenation is a rope (no copy); compacting only the piece kept stops it pinning a
      // larger network buffer it may be a slice of.
      prefix = prefix.concat(chunk.take(room).compact());
    }
    if (head != null) {
      ByteString first = head.concat(chunk);
      head = null;
      return first;
    }
    return chunk;
  }

  /** Notes that the incoming data set failed (ended early) and passes the error on. */
  public Throwable upstreamFailed(Throwable error) {
    upstreamFailed = true;
    return error;
  }

  public boolean hasUpstreamFailed() {
    return upstreamFailed;
  }

  /** The first {@code min(size, limit)} bytes of the data set. */
  public ByteString prefix() {
    return prefix;
  }

  /** True if the data set is longer than the prefix kept. */
  public boolean truncated() {
    return size > prefix.size();
  }

  /** Data set bytes seen. */
  public long size() {
    return size;
  }

  /** SHA-256 of the data set bytes, lower-case hex; call once, after the last chunk. */
  public String sha256() {
    return Sha256.hex(digest.digest());
  }
}
