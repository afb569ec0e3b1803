// SPDX-License-Identifier: Apache-2.0
package org.annal.storage.impl;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Internal API. Reuses the direct write buffers of finished puts: a direct buffer is written by
 * the kernel without the extra copy a heap buffer costs, but allocating one per C-STORE would be
 * slow and is only released by the garbage collector.
 */
public final class DirectBufferPool {
  private final int bufferSize;
  private final ArrayBlockingQueue<ByteBuffer> free;

  /**
   * @param bufferSize size of every buffer
   * @param maxPooled buffers kept when released; more are allocated under load and dropped after
   */
  public DirectBufferPool(int bufferSize, int maxPooled) {
    this.bufferSize = bufferSize;
    this.free = new ArrayBlockingQueue<>(maxPooled);
  }

  public int bufferSize() {
    return bufferSize;
  }

  /** A cleared buffer of {@link #bufferSize()} bytes. */
  public ByteBuffer acquire() {
    ByteBuffer buffer = free.poll();
    return buffer != null ? buffer : ByteBuffer.allocateDirect(bufferSize);
  }

  /** Gives a buffer back; the caller must not touch it afterwards. */
  public void release(ByteBuffer buffer) {
    buffer.clear();
    free.offer(buffer);
  }
}
