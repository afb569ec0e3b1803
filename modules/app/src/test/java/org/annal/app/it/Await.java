// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for a condition with a deadline, never for a fixed time: the suite runs on a shared
 * 2-core machine where any fixed sleep is either too short or wastes minutes.
 */
final class Await {
  private static final long POLL_MILLIS = 50;

  private Await() {}

  /**
   * Polls {@code condition} until it holds; fails with {@code what} and the diagnostics if the
   * deadline passes first.
   */
  static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<String> diagnostics) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what + "\n" + diagnostics.get());
      }
      pause();
    }
  }

  static void until(Duration timeout, String what, BooleanSupplier condition) {
    until(timeout, what, condition, () -> "");
  }

  /** True if {@code condition} held before the deadline; does not fail. */
  static boolean within(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      pause();
    }
    return true;
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MILLIS); // the poll interval of a deadline-bounded wait, not a wait itself
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
