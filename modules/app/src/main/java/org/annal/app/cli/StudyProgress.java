// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of {@code annal audit verify --all} on stderr: on a terminal one line redrawn in
 * place, otherwise (a pipe, a CI log) one plain line every 5 s, then a last one at the end.
 */
final class StudyProgress {
  private final PrintWriter err;
  private final boolean terminal;
  private final long total;
  private final long interval;
  private final long start = System.nanoTime();
  private long done;
  private long tampered;
  private long lastDraw = start;

  StudyProgress(PrintWriter err, boolean terminal, long total) {
    this.err = err;
    this.terminal = terminal;
    this.total = total;
    this.interval = terminal ? 200_000_000L : 5_000_000_000L;
  }

  /** One more study checked; {@code tamperedSoFar} of all checked so far were tampered with. */
  void studyDone(long tamperedSoFar) {
    done++;
    tampered = tamperedSoFar;
    long now = System.nanoTime();
    if (now - lastDraw >= interval) {
      lastDraw = now;
      draw(now);
    }
  }

  /** The last line (always written, so even a quick run says how many it checked). */
  void finish() {
    draw(System.nanoTime());
    if (terminal) {
      err.println();
    }
    err.flush();
  }

  String line(long now) {
    return String.format(Locale.ROOT, "audited %d/%d studies (%d%%), %d tampered, %.1f s",
        done, total, total == 0 ? 100 : 100 * done / total, tampered, (now - start) / 1e9);
  }

  private void draw(long now) {
    if (terminal) {
      err.print("\r" + line(now));
    } else {
      err.println(line(now));
    }
    err.flush();
  }
}
