// SPDX-License-Identifier: Apache-2.0
package org.annal.query.impl;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One near-real-time refresh shared by every writer of the query index, started at most once per
 * {@code spacing}. Each of the eight tag projections used to refresh after its own group: with
 * many studies arriving at once that was up to ~32 refreshes a second, each flushing a tiny Lucene
 * segment that merges then had to rewrite (in the ingest profile, refresh and merge were ~19% of the
 * node's sampled CPU). Now a writer that finished its writes calls {@link #await()} and returns once
 * a refresh that started after the call has completed, so its writes are visible; writers that
 * arrive together share it. When the index was idle for longer than {@code spacing} the refresh
 * starts at once, so a lone group sees no added delay.
 */
public final class SharedRefresh {

  /** The refresh itself (for Lucene: {@code SearcherManager.maybeRefreshBlocking}). */
  @FunctionalInterface
  public interface Refresh {
    void run() throws IOException;
  }

  private final Refresh refresh;
  private final long spacingNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private long started; // refreshes started so far; guarded by lock
  private long completed; // the highest refresh number that completed successfully
  private boolean running;
  private long lastStart;

  public SharedRefresh(Refresh refresh, Duration spacing) {
    if (spacing.isNegative()) {
      throw new IllegalArgumentException("refresh spacing must be >= 0: " + spacing);
    }
    this.refresh = refresh;
    this.spacingNanos = spacing.toNanos();
  }

  /**
   * Returns when a refresh that started after this call has completed: everything the caller wrote
   * before calling is visible. A failed refresh fails the caller that ran it; the others wait for
   * the next one.
   */
  public void await() throws IOException, InterruptedException {
    lock.lockInterruptibly();
    try {
      // A refresh already running may have started before the caller's writes: wait for a later one.
      long needed = started + 1;
      while (completed < needed) {
        if (running) {
          changed.await();
          continue;
        }
        long wait = started == 0 ? 0 : spacingNanos - (System.nanoTime() - lastStart);
        if (wait > 0) {
          changed.awaitNanos(wait); // another caller may start it meanwhile
          continue;
        }
        running = true;
        long mine = ++started;
        lastStart = System.nanoTime();
        boolean ok = false;
        lock.unlock();
        try {
          refresh.run();
          ok = true;
        } finally {
          lock.lock();
          running = false;
          if (ok) {
            completed = mine; // refreshes run one at a time, in order
          }
          changed.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Refreshes started so far (for tests and metrics). */
  public long refreshes() {
    lock.lock();
    try {
      return started;
    } finally {
      lock.unlock();
    }
  }
}
