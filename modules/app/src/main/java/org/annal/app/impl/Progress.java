// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Progress of {@code annal store} on stderr. On a terminal: one bar redrawn in place
 * ({@code [#####.....] 120/400 30% 12.3 MB/s}); otherwise (a pipe, a CI log): one plain line every
 * {@code lineInterval} nanoseconds, so logs are not flooded with carriage returns. Thread-safe:
 * associations report from their own threads. Internal API.
 */
public final class Progress {
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private final int totalFiles;
  private final long totalBytes;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private final long redrawInterval;
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();
  private long lastDraw;

  public Progress(PrintWriter err, boolean terminal, int totalFiles, long totalBytes,
      LongSupplier nanoTime) {
    this.err = err;
    this.terminal = terminal;
    this.totalFiles = totalFiles;
    this.totalBytes = totalBytes;
    this.nanoTime = nanoTime;
    this.startNanos = nanoTime.getAsLong();
    this.redrawInterval = terminal ? 100_000_000L : 5_000_000_000L;
    this.lastDraw = startNanos;
  }

  /**
   * Whether stderr is a terminal. Java cannot ask isatty(2): {@code bin/annal} tells us
   * ({@code ANNAL_STDERR_TTY=1|0}, from {@code [ -t 2 ]}); else, on Linux, fd 2 pointing at a
   * {@code /dev/pts} or {@code /dev/tty} device is taken as a terminal.
   */
  public static boolean stderrIsTerminal() {
    String told = System.getenv("ANNAL_STDERR_TTY");
    if (told != null) {
      return told.equals("1");
    }
    try {
      String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2"))
          .toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (java.io.IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** One file finished (whatever its status). */
  public void fileDone(long fileBytes) {
    int n = done.incrementAndGet();
    bytes.addAndGet(fileBytes);
    long now = nanoTime.getAsLong();
    synchronized (this) {
      if (n == totalFiles || now - lastDraw >= redrawInterval) {
        lastDraw = now;
        draw(n, now);
      }
    }
  }

  /** A line for the user (a skipped or failed file) that must not be drawn over by the bar. */
  public synchronized void note(String message) {
    err.println(terminal ? "\r\033[K" + message : message);
    err.flush();
  }

  /** Ends the bar's line (terminal only). */
  public synchronized void finish() {
    if (terminal && totalFiles > 0) {
      err.println();
      err.flush();
    }
  }

  /** The text of the current state, without the carriage return; for tests. */
  synchronized String line(int n, long now) {
    int percent = totalFiles == 0 ? 100 : (int) (100L * n / totalFiles);
    String rate = String.format(Locale.ROOT, "%.1f MB/s", megabytesPerSecond(bytes.get(), now - startNanos));
    if (!terminal) {
      return String.format(Locale.ROOT, "stored %d/%d files (%d%%), %.1f/%.1f MB, %s", n, totalFiles,
          percent, bytes.get() / 1e6, totalBytes / 1e6, rate);
    }
    int filled = totalFiles == 0 ? WIDTH : (int) ((long) WIDTH * n / totalFiles);
    return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + n + "/" + totalFiles
        + " " + percent + "% " + rate;
  }

  private void draw(int n, long now) {
    if (terminal) {
      err.print("\r" + line(n, now));
    } else {
      err.println(line(n, now));
    }
    err.flush();
  }

  public static double megabytesPerSecond(long bytes, long nanos) {
    return nanos <= 0 ? 0 : bytes / 1e6 / (nanos / 1e9);
  }
}
