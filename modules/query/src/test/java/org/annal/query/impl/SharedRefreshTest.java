// SPDX-License-Identifier: Apache-2.0
package org.annal.query.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedRefreshTest {

  @Test
  void anIdleIndexRefreshesAtOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    SharedRefresh refresh = new SharedRefresh(runs::incrementAndGet, Duration.ofSeconds(30));
    long t0 = System.nanoTime();
    refresh.await();
    // The first refresh does not wait for the spacing (30 s would time the test out).
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
    assertEquals(1, runs.get());
    assertEquals(1, refresh.refreshes());
  }

  @Test
  void everyCallerReturnsAfterARefreshThatStartedAfterItsCall_andConcurrentCallersShareThem()
      throws Exception {
    // Each refresh records when it started; a caller records when it called. A refresh "covers" a
    // caller when it started after the call and completed before the caller returned.
    ConcurrentLinkedQueue<long[]> refreshes = new ConcurrentLinkedQueue<>(); // {start, end}
    SharedRefresh refresh = new SharedRefresh(() -> {
      long start = System.nanoTime();
      sleep(3);
      refreshes.add(new long[] {start, System.nanoTime()});
    }, Duration.ofMillis(40));
    int threads = 8;
    int callsEach = 15;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<long[]>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(pool.submit(() -> {
        go.await();
        List<long[]> calls = new ArrayList<>();
        for (int i = 0; i < callsEach; i++) {
          long called = System.nanoTime();
          refresh.await();
          calls.add(new long[] {called, System.nanoTime()});
          sleep(1 + (i % 3));
        }
        return calls;
      }));
    }
    long t0 = System.nanoTime();
    go.countDown();
    List<long[]> calls = new ArrayList<>();
    for (Future<List<long[]>> f : results) {
      calls.addAll(f.get(60, TimeUnit.SECONDS));
    }
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    pool.shutdown();

    for (long[] call : calls) {
      boolean covered = refreshes.stream().anyMatch(r -> r[0] >= call[0] && r[1] <= call[1]);
      assertTrue(covered, "a caller returned without a refresh that started after its call");
    }
    // 120 calls; refreshes at most one per 40 ms (plus the first, which does not wait).
    assertTrue(refreshes.size() <= elapsedMs / 40 + 2,
        refreshes.size() + " refreshes in " + elapsedMs + " ms");
    assertTrue(refreshes.size() < threads * callsEach / 2,
        "concurrent callers should share refreshes: " + refreshes.size());
    List<long[]> sorted = new ArrayList<>(refreshes);
    sorted.sort((a, b) -> Long.compare(a[0], b[0]));
    for (int i = 1; i < sorted.size(); i++) {
      long gapMs = TimeUnit.NANOSECONDS.toMillis(sorted.get(i)[0] - sorted.get(i - 1)[0]);
      assertTrue(gapMs >= 35, "two refreshes " + gapMs + " ms apart");
    }
  }

  @Test
  void aFailedRefreshFailsItsCaller_andTheNextCallRefreshesAgain() throws Exception {
    AtomicBoolean fail = new AtomicBoolean(true);
    AtomicInteger runs = new AtomicInteger();
    SharedRefresh refresh = new SharedRefresh(() -> {
      runs.incrementAndGet();
      if (fail.get()) {
        throw new IOException("disk full");
      }
    }, Duration.ZERO);
    IOException e = assertThrows(IOException.class, refresh::await);
    assertEquals("disk full", e.getMessage());
    fail.set(false);
    refresh.await();
    assertEquals(2, runs.get());
  }

  @Test
  void aNegativeSpacingIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new SharedRefresh(() -> { }, Duration.ofMillis(-1)));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
