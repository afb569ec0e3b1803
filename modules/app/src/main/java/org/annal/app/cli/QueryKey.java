// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.util.Locale;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.Vr;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * One attribute of a C-FIND / C-MOVE / C-GET identifier given on the command line: {@code -k
 * PatientName=Doe*} (a matching key; {@code -k PatientName=} is a return key) or {@code -r
 * PatientName} (a return key, empty value: PS3.4 C.2.2.1.1 universal matching). The attribute is
 * a PS3.6 keyword or a tag ({@code 00100010}, {@code 0010,0010}, {@code (0010,0010)}); its VR is
 * the data dictionary's.
 *
 * @param tag the attribute's tag
 * @param keyword its PS3.6 keyword (the dictionary's, whatever form was typed)
 * @param vr the VR it is encoded with
 * @param value the value, empty for a return key (never null)
 */
record QueryKey(int tag, String keyword, Vr vr, String value) {

  QueryKey {
    if (value == null) {
      value = "";
    }
  }

  boolean isReturnKey() {
    return value.isEmpty();
  }

  /** Parses {@code KEY=VALUE} (a value is required but may be empty). */
  static QueryKey parseMatching(String text) {
    int eq = text.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException("expected KEY=VALUE (e.g. PatientName=Doe*), got '"
          + text + "'; a return key alone is -r KEY");
    }
    return of(text.substring(0, eq), text.substring(eq + 1));
  }

  /** Parses {@code KEY} as a return key. */
  static QueryKey parseReturn(String text) {
    if (text.indexOf('=') >= 0) {
      throw new IllegalArgumentException("-r takes a key without a value, got '" + text
          + "'; a matching key is -k KEY=VALUE");
    }
    return of(text, "");
  }

  /** The key for an attribute (keyword or tag) and a value; checks the VR can carry it. */
  static QueryKey of(String attribute, String value) {
    String name = attribute.strip();
    int tag = parseTag(name);
    if (tag == -1) {
      tag = ElementDictionary.tagOf(name);
    }
    if (tag == -1) {
      throw new IllegalArgumentException("unknown attribute '" + name
          + "': use a PS3.6 keyword (case-sensitive, e.g. PatientName) or a tag (e.g. 00100010)");
    }
    ElementDictionary.Entry entry = ElementDictionary.entryOf(tag);
    if (entry == null || entry.vr() == null || (tag >>> 16) == 0x0000 || (tag >>> 16) == 0x0002) {
      throw new IllegalArgumentException("attribute " + name + " " + ElementDictionary.toString(tag)
          + " cannot be a query key (private, unknown, command or meta element)");
    }
    Vr vr = entry.vr();
    boolean text = vr.isText();
    boolean integer = vr == Vr.US || vr == Vr.SS || vr == Vr.UL || vr == Vr.SL;
    if (vr == Vr.SQ) {
      if (!value.isEmpty()) {
        throw new IllegalArgumentException(entry.keyword()
            + " is a sequence: only as a return key (-r " + entry.keyword() + ")");
      }
    } else if (!text && !integer) {
      throw new IllegalArgumentException(entry.keyword() + " has VR " + vr
          + ": not usable as a query key here");
    } else if (integer && !value.isEmpty()) {
      for (String v : value.split("\\\\", -1)) {
        try {
          Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(entry.keyword() + " (VR " + vr
              + ") needs integer values, got '" + value + "'");
        }
      }
    }
    return new QueryKey(tag, entry.keyword(), vr, value);
  }

  /** {@code GGGGEEEE}, {@code GGGG,EEEE} or {@code (GGGG,EEEE)} in hex; -1 if it is none. */
  static int parseTag(String s) {
    String hex = s.toUpperCase(Locale.ROOT);
    if (hex.startsWith("(") && hex.endsWith(")")) {
      hex = hex.substring(1, hex.length() - 1);
    }
    if (hex.length() == 9 && hex.charAt(4) == ',') {
      hex = hex.substring(0, 4) + hex.substring(5);
    }
    if (!hex.matches("[0-9A-F]{8}")) {
      return -1;
    }
    return (int) Long.parseLong(hex, 16);
  }

  /** {@code -k KEY=VALUE}: a bad key is a usage error (exit 2). */
  static final class MatchingConverter implements ITypeConverter<QueryKey> {
    @Override
    public QueryKey convert(String value) {
      try {
        return parseMatching(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@code -r KEY}: a bad key is a usage error (exit 2). */
  static final class ReturnConverter implements ITypeConverter<QueryKey> {
    @Override
    public QueryKey convert(String value) {
      try {
        return parseReturn(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
