// SPDX-License-Identifier: Apache-2.0
package org.annal.query.impl;

import java.util.Arrays;

/**
 * Internal API. Lag from an event's timestamp ({@code at}: the entity wrote it, before the C-STORE
 * Success) to the moment it became visible to queries, over the last {@value #WINDOW} events.
 * Thread-safe.
 */
public final class LagMeter {
  static final int WINDOW = 4096;

  private final long[] ring = new long[WINDOW];
  private long count;
  private long max;

  /** A summary of the window, in milliseconds. */
  public record Snapshot(long count, long p50, long p99, long max) {
    @Override
    public String toString() {
      return "n=" + count + " p50=" + p50 + "ms p99=" + p99 + "ms max=" + max + "ms";
    }
  }

  public synchronized void record(long lagMillis) {
    ring[(int) (count % WINDOW)] = lagMillis;
    count++;
    max = Math.max(max, lagMillis);
  }

  public synchronized Snapshot snapshot() {
    int n = (int) Math.min(count, WINDOW);
    if (n == 0) {
      return new Snapshot(0, 0, 0, 0);
    }
    long[] sorted = Arrays.copyOf(ring, n);
    Arrays.sort(sorted);
    return new Snapshot(count, sorted[(n - 1) / 2], sorted[(int) Math.ceil(n * 0.99) - 1], max);
  }
}
