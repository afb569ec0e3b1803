// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.annal.dicom.net.RetrieveProgress;

/**
 * Progress of {@code annal move} / {@code annal get} on stderr, from the Number of Remaining /
 * Completed / Failed / Warning Sub-operations of each Pending response (PS3.7 §9.3.3.2,
 * §9.3.4.2). On a terminal one bar redrawn in place; otherwise a plain line every 5 s, as
 * {@code annal store} does.
 */
final class RetrieveBar {
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private final long redrawInterval;
  private long lastDraw;
  private boolean drawn;

  RetrieveBar(PrintWriter err, boolean terminal, LongSupplier nanoTime) {
    this.err = err;
    this.terminal = terminal;
    this.nanoTime = nanoTime;
    this.redrawInterval = terminal ? 100_000_000L : 5_000_000_000L;
    this.lastDraw = nanoTime.getAsLong();
  }

  /** A Pending response arrived. */
  synchronized void pending(RetrieveProgress progress) {
    long now = nanoTime.getAsLong();
    if (!drawn || now - lastDraw >= redrawInterval) {
      lastDraw = now;
      drawn = true;
      String line = line(progress, terminal);
      if (terminal) {
        err.print("\r\033[K" + line);
      } else {
        err.println(line);
      }
      err.flush();
    }
  }

  /** A line that the bar must not draw over. */
  synchronized void note(String message) {
    err.println(terminal && drawn ? "\r\033[K" + message : message);
    err.flush();
  }

  /** Ends the bar's line (terminal only). */
  synchronized void finish() {
    if (terminal && drawn) {
      err.println();
      err.flush();
    }
    drawn = false;
  }

  /** The text for one response, without the carriage return. */
  static String line(RetrieveProgress p, boolean terminal) {
    int completed = orZero(p.completed());
    int failed = orZero(p.failed());
    int warning = orZero(p.warning());
    int done = completed + failed + warning;
    int total = done + orZero(p.remaining());
    int percent = total == 0 ? 0 : (int) (100L * done / total);
    String counts = String.format(Locale.ROOT, "completed %d, failed %d, warning %d",
        completed, failed, warning);
    if (!terminal) {
      return String.format(Locale.ROOT, "retrieving: %d/%d sub-operations (%d%%), %s", done,
          total, percent, counts);
    }
    int filled = total == 0 ? 0 : (int) ((long) WIDTH * done / total);
    return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total
        + " " + percent + "% " + counts;
  }

  static int orZero(Integer n) {
    return n == null ? 0 : n;
  }
}
