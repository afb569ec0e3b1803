// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.RetrieveProgress;

/**
 * The outcome of {@code annal move} / {@code annal get}: the final C-MOVE-RSP / C-GET-RSP (PS3.7
 * §9.3.4.2, §9.3.3.2) and, for C-GET, what was written locally.
 *
 * @param operation "C-MOVE" or "C-GET"
 * @param destination the Move Destination, or null for C-GET
 * @param last the final response
 * @param seconds how long it took
 * @param directory where C-GET wrote, or null
 * @param filesWritten files written (C-GET)
 * @param bytesWritten bytes written, meta information included (C-GET)
 * @param writeFailures sub-operations we answered with a failure because the file could not be
 *     written (C-GET)
 */
record RetrieveSummary(String operation, String destination, RetrieveProgress last,
    double seconds, Path directory, int filesWritten, long bytesWritten, int writeFailures) {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Failed SOP Instance UIDs listed on stderr; the rest are counted (all are in --json). */
  static final int LISTED_FAILURES = 20;

  /**
   * Whether the retrieve did all it was asked: Success, or a warning status without failed
   * sub-operations (B000 with warnings only), and nothing failed locally.
   */
  boolean ok() {
    DimseStatus status = last.status();
    int failed = RetrieveBar.orZero(last.failed());
    return (status.isSuccess() || status.isWarning()) && failed == 0 && writeFailures == 0;
  }

  /** The one-line summary. */
  String line() {
    StringBuilder b = new StringBuilder(operation);
    if (destination != null) {
      b.append(" to ").append(destination);
    }
    b.append(String.format(Locale.ROOT, ": completed %d, failed %d, warning %d",
        RetrieveBar.orZero(last.completed()), RetrieveBar.orZero(last.failed()),
        RetrieveBar.orZero(last.warning())));
    if (last.remaining() != null && last.remaining() > 0) {
      b.append(", not attempted ").append(last.remaining());
    }
    b.append(", status ").append(StatusText.of(last.status()));
    if (directory != null) {
      b.append(String.format(Locale.ROOT, "; %d %s (%s) in %s", filesWritten,
          filesWritten == 1 ? "file" : "files", size(bytesWritten), directory));
      if (writeFailures > 0) {
        b.append(", ").append(writeFailures).append(" could not be written");
      }
    }
    b.append(String.format(Locale.ROOT, ", %.1f s", seconds));
    return b.toString();
  }

  /** A JSON object with the same facts, the failed SOP Instance UIDs all listed. */
  String json() {
    ObjectNode o = JSON.createObjectNode();
    o.put("operation", operation);
    if (destination != null) {
      o.put("destination", destination);
    }
    o.put("status", String.format("%04X", last.status().code()));
    o.put("statusMeaning", StatusText.meaning(last.status()));
    o.put("errorComment", last.status().errorComment());
    putCount(o, "completed", last.completed());
    putCount(o, "failed", last.failed());
    putCount(o, "warning", last.warning());
    putCount(o, "remaining", last.remaining());
    ArrayNode failedUids = o.putArray("failedSopInstanceUids");
    last.failedSopInstanceUids().forEach(failedUids::add);
    if (directory != null) {
      o.put("directory", directory.toString());
      o.put("filesWritten", filesWritten);
      o.put("bytesWritten", bytesWritten);
      o.put("writeFailures", writeFailures);
    }
    o.put("seconds", Math.round(seconds * 1000) / 1000.0);
    o.put("ok", ok());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Prints the outcome (the failed SOP Instance UIDs on stderr, then the summary line or the
   * JSON on stdout) and returns the exit code: 0 if {@link #ok()}, else 1.
   */
  int report(boolean asJson, java.io.PrintWriter out, java.io.PrintWriter err) {
    if (!asJson) {
      int listed = 0;
      for (String uid : last.failedSopInstanceUids()) {
        if (listed++ == LISTED_FAILURES) {
          err.println("... and " + (last.failedSopInstanceUids().size() - LISTED_FAILURES)
              + " more failed instances (all of them with --json)");
          break;
        }
        err.println("failed: " + FindOutput.printable(uid));
      }
      err.flush();
      out.println(line());
    } else {
      out.print(json());
    }
    out.flush();
    return ok() ? 0 : 1;
  }

  /** Bytes for people: "812 B", "39.1 kB", "2.5 MB", "1.2 GB" (SI units). */
  static String size(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double value = bytes / 1000.0;
    int unit = 0;
    while (value >= 999.95 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  private static void putCount(ObjectNode o, String name, Integer value) {
    if (value == null) {
      o.putNull(name);
    } else {
      o.put(name, value);
    }
  }
}
