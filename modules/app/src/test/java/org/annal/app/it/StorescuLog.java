// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code storescu -v} (DCMTK 3.6.7) says happened to each file: the transfer syntax it sent
 * the data set in and the C-STORE-RSP status it received. Parsed from lines such as
 *
 * <pre>
 * I: Sending file: CT_small.dcm
 * I: Converting transfer syntax: Little Endian Implicit -> Little Endian Explicit
 * I: Received Store Response (Success)
 * E: Store Failed, file: JPEG-lossy.dcm:
 * E: No SOP Class or Instance UID in file: UN_sequence.dcm
 * </pre>
 *
 * A file whose response never arrived (the peer died) has {@link Outcome#NO_RESPONSE}.
 */
final class StorescuLog {

  enum Outcome {
    /** C-STORE-RSP status Success (0000). */
    SUCCESS,
    /** C-STORE-RSP status Warning (0001, Bxxx). */
    WARNING,
    /** A C-STORE-RSP arrived with a failure status (Axxx, Cxxx, ...). */
    FAILURE_STATUS,
    /** storescu could not send it (e.g. could not convert to an accepted transfer syntax). */
    NOT_SENT,
    /** storescu did not even try: not a storable file (no SOP class/instance, unreadable). */
    SKIPPED,
    /** Sending started but no response was seen (association aborted, peer gone). */
    NO_RESPONSE
  }

  /** One file's fate; {@code fromSyntax}/{@code toSyntax} are DCMTK's names, e.g. "Little Endian Explicit". */
  record FileResult(String file, String fromSyntax, String toSyntax, Outcome outcome, String detail) {
    boolean stored() {
      return outcome == Outcome.SUCCESS || outcome == Outcome.WARNING;
    }
  }

  private static final Pattern SENDING = Pattern.compile("^I: Sending file: (.+)$");
  private static final Pattern CONVERTING = Pattern.compile("^I: Converting transfer syntax: (.+) -> (.+)$");
  private static final Pattern RESPONSE = Pattern.compile("^I: Received Store Response \\((.*)\\)\\s*$");
  private static final Pattern STORE_FAILED = Pattern.compile("^E: Store Failed, file: (.+):$");
  private static final Pattern SKIPPED = Pattern.compile(
      "^(?:E: No SOP Class or Instance UID in file: (.+)"
          + "|E: Bad DICOM file: (.+?): .*"
          + "|W: missing SOP class \\(or instance\\) in file: (.+), ignoring file"
          + "|E: No presentation context for: .*? (\\S+)$)");

  private StorescuLog() {}

  /** Results keyed by the file name as storescu printed it, in the order it sent them. */
  static Map<String, FileResult> parse(String output) {
    Map<String, FileResult> results = new LinkedHashMap<>();
    String file = null;
    String from = null;
    String to = null;
    List<String> lines = new ArrayList<>(List.of(output.split("\r?\n")));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher m;
      if ((m = SENDING.matcher(line)).matches()) {
        file = m.group(1).trim();
        from = null;
        to = null;
        results.put(file, new FileResult(file, null, null, Outcome.NO_RESPONSE, "no response seen"));
      } else if ((m = CONVERTING.matcher(line)).matches() && file != null) {
        from = m.group(1).trim();
        to = m.group(2).trim();
        results.put(file, new FileResult(file, from, to, Outcome.NO_RESPONSE, "no response seen"));
      } else if ((m = RESPONSE.matcher(line)).matches() && file != null) {
        String status = m.group(1);
        Outcome outcome = status.equals("Success") ? Outcome.SUCCESS
            : status.startsWith("Warning") ? Outcome.WARNING
            : Outcome.FAILURE_STATUS;
        results.put(file, new FileResult(file, from, to, outcome, status));
      } else if ((m = STORE_FAILED.matcher(line)).matches()) {
        String failed = m.group(1).trim();
        FileResult previous = results.get(failed);
        String why = i + 1 < lines.size() ? lines.get(i + 1).trim() : "";
        // A failure status was already recorded from the response line: keep it.
        if (previous == null || previous.outcome() == Outcome.NO_RESPONSE) {
          results.put(failed, new FileResult(failed, from, to, Outcome.NOT_SENT, why));
        }
      } else if ((m = SKIPPED.matcher(line)).matches()) {
        String skipped = null;
        for (int g = 1; g <= m.groupCount() && skipped == null; g++) {
          skipped = m.group(g);
        }
        if (skipped != null && !results.containsKey(skipped.trim())) {
          results.put(skipped.trim(), new FileResult(skipped.trim(), null, null, Outcome.SKIPPED, line));
        } else if (skipped != null && results.get(skipped.trim()).outcome() == Outcome.NO_RESPONSE) {
          results.put(skipped.trim(), new FileResult(skipped.trim(), null, null, Outcome.SKIPPED, line));
        }
      }
    }
    return results;
  }

  /** The UID of a transfer syntax from the name DCMTK prints for it. */
  static String transferSyntaxUid(String dcmtkName) {
    return switch (dcmtkName) {
      case "Little Endian Implicit" -> "1.2.840.10008.1.2";
      case "Little Endian Explicit" -> "1.2.840.10008.1.2.1";
      case "Big Endian Explicit" -> "1.2.840.10008.1.2.2";
      case "Deflated Explicit VR Little Endian" -> "1.2.840.10008.1.2.1.99";
      case "JPEG Baseline" -> "1.2.840.10008.1.2.4.50";
      case "JPEG Extended, Process 2+4" -> "1.2.840.10008.1.2.4.51";
      case "JPEG Lossless, Non-hierarchical, 1st Order Prediction" -> "1.2.840.10008.1.2.4.70";
      case "JPEG-LS Lossless" -> "1.2.840.10008.1.2.4.80";
      case "JPEG 2000 (Lossless only)" -> "1.2.840.10008.1.2.4.90";
      case "JPEG 2000 (Lossless or Lossy)" -> "1.2.840.10008.1.2.4.91";
      case "RLE Lossless" -> "1.2.840.10008.1.2.5";
      default -> throw new IllegalArgumentException("unknown DCMTK transfer syntax name: " + dcmtkName);
    };
  }

  static long count(Map<String, FileResult> results, Outcome outcome) {
    return results.values().stream().filter(r -> r.outcome() == outcome).count();
  }
}
