// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb.impl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Internal API. The media ranges of an Accept header (RFC 9110 §12.5.1) or of the {@code accept}
 * query parameter (PS3.18 §8.3.3.1), with their parameters, highest quality first; what DICOMweb
 * negotiation needs (PS3.18 §8.7): {@code multipart/related; type="application/dicom";
 * transfer-syntax=...} carries its part type and transfer syntax as parameters, which pekko-http's
 * own negotiation does not look at.
 */
public final class MediaRanges {
  private MediaRanges() {}

  /**
   * One media range.
   *
   * @param type lower-case {@code type/subtype}, possibly with wildcards
   * @param parameters lower-case names, values unquoted, {@code q} left out
   */
  public record Range(String type, Map<String, String> parameters, double q) {
    public String parameter(String name) {
      return parameters.get(name);
    }

    /** Whether this range accepts {@code concrete} (a {@code type/subtype} without wildcards). */
    public boolean accepts(String concrete) {
      if (type.equals("*/*") || type.equals(concrete)) {
        return true;
      }
      return type.endsWith("/*")
          && concrete.startsWith(type.substring(0, type.length() - 1));
    }
  }

  /** Ranges of {@code header} (null or blank: one range {@code *}{@code /*}), q=0 dropped. */
  public static List<Range> parse(String header) {
    List<Range> out = new ArrayList<>();
    if (header == null || header.isBlank()) {
      out.add(new Range("*/*", Map.of(), 1));
      return out;
    }
    for (String item : splitOutsideQuotes(header, ',')) {
      List<String> bits = splitOutsideQuotes(item, ';');
      String type = bits.get(0).strip().toLowerCase(Locale.ROOT);
      if (type.isEmpty()) {
        continue;
      }
      if (type.equals("*")) {
        type = "*/*";
      }
      Map<String, String> params = new LinkedHashMap<>();
      double q = 1;
      for (int i = 1; i < bits.size(); i++) {
        String p = bits.get(i);
        int eq = p.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String name = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
        String value = unquote(p.substring(eq + 1).strip());
        if (name.equals("q")) {
          try {
            q = Double.parseDouble(value);
          } catch (NumberFormatException e) {
            q = 0;
          }
        } else {
          params.put(name, value);
        }
      }
      if (q > 0) {
        out.add(new Range(type, Map.copyOf(params), q));
      }
    }
    out.sort(Comparator.comparingDouble((Range r) -> -r.q()));
    return out;
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
        ? v.substring(1, v.length() - 1) : v;
  }

  private static List<String> splitOutsideQuotes(String s, char sep) {
    List<String> out = new ArrayList<>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == sep && !quoted) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }
}
