// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.annal.dicom.net.DimseStatus;

/**
 * Counts what {@code annal store} did: per file Success, Warning (PS3.7 C.1.2: the instance was
 * stored, with a caveat) or failure (a failure status, or the file never got a response).
 * Thread-safe. Internal API.
 */
public final class StoreTally {
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong warning = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  /** A response arrived for a file of {@code size} bytes. */
  public void record(DimseStatus status, long size) {
    if (status.isSuccess()) {
      ok.incrementAndGet();
    } else if (status.isWarning()) {
      warning.incrementAndGet();
    } else {
      failed.incrementAndGet();
    }
    bytes.addAndGet(size);
  }

  /** The file was not stored: no response (association failed) or unreadable. */
  public void failed() {
    failed.incrementAndGet();
  }

  public long sent() {
    return ok.get() + warning.get() + failed.get();
  }

  public long ok() {
    return ok.get();
  }

  public long warnings() {
    return warning.get();
  }

  public long failures() {
    return failed.get();
  }

  /** "sent 12, ok 11, warning 0, failed 1, 5.3 MB in 2.1 s, 2.5 MB/s". */
  public String summary(long nanos) {
    return String.format(Locale.ROOT, "sent %d, ok %d, warning %d, failed %d, %.1f MB in %.1f s, %.1f MB/s",
        sent(), ok.get(), warning.get(), failed.get(), bytes.get() / 1e6, nanos / 1e9,
        Progress.megabytesPerSecond(bytes.get(), nanos));
  }
}
