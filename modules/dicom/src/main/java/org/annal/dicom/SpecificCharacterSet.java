// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Specific Character Set (0008,0005): how the bytes of SH, LO, ST, LT, UC, UT and PN values map to
 * characters (PS3.3 §C.12.1.1.2, PS3.5 §6.1).
 *
 * <p>Without code extensions, one Java charset decodes the whole value: the default repertoire,
 * ISO_IR 100/101/109/110/144/127/126/138/148/203/166/13, ISO_IR 192 (UTF-8), GB18030 and GBK. With
 * code extensions ("ISO 2022 IR ..." terms, PS3.5 §6.1.2.5), escape sequences switch the G0 and
 * G1 sets within a value, and the set of the first value is restored at each line end, each value
 * delimiter '\' and, in PN, at each '^' and '=' (PS3.5 §6.1.2.5.3). Single-byte G1 sets, JIS X
 * 0201, JIS X 0208/0212 (G0), KS X 1001 and GB 2312 (G1) are handled.
 *
 * <p>The default repertoire is decoded leniently as ISO 8859-1, so that undeclared Latin-1 text,
 * common in the field, reads as intended rather than as replacement characters.
 */
public final class SpecificCharacterSet {

  /** The default repertoire (no (0008,0005)); see the class comment on leniency. */
  public static final SpecificCharacterSet DEFAULT =
      new SpecificCharacterSet(List.of(""), StandardCharsets.ISO_8859_1, false);

  private static final Map<String, String> SINGLE = Map.ofEntries(
      Map.entry("ISO_IR 6", "ISO-8859-1"),
      Map.entry("ISO_IR 100", "ISO-8859-1"),
      Map.entry("ISO_IR 101", "ISO-8859-2"),
      Map.entry("ISO_IR 109", "ISO-8859-3"),
      Map.entry("ISO_IR 110", "ISO-8859-4"),
      Map.entry("ISO_IR 144", "ISO-8859-5"),
      Map.entry("ISO_IR 127", "ISO-8859-6"),
      Map.entry("ISO_IR 126", "ISO-8859-7"),
      Map.entry("ISO_IR 138", "ISO-8859-8"),
      Map.entry("ISO_IR 148", "ISO-8859-9"),
      Map.entry("ISO_IR 203", "ISO-8859-15"),
      Map.entry("ISO_IR 166", "TIS-620"),
      Map.entry("ISO_IR 13", "JIS_X0201"),
      Map.entry("ISO_IR 192", "UTF-8"),
      Map.entry("GB18030", "GB18030"),
      Map.entry("GBK", "GBK"));

  /** G1 sets designated by the code-extension defined terms (PS3.3 Table C.12-3, C.12-4). */
  private static final Map<String, String> EXTENSION_G1 = Map.ofEntries(
      Map.entry("ISO 2022 IR 6", "ISO-8859-1"),
      Map.entry("ISO 2022 IR 100", "ISO-8859-1"),
      Map.entry("ISO 2022 IR 101", "ISO-8859-2"),
      Map.entry("ISO 2022 IR 109", "ISO-8859-3"),
      Map.entry("ISO 2022 IR 110", "ISO-8859-4"),
      Map.entry("ISO 2022 IR 144", "ISO-8859-5"),
      Map.entry("ISO 2022 IR 127", "ISO-8859-6"),
      Map.entry("ISO 2022 IR 126", "ISO-8859-7"),
      Map.entry("ISO 2022 IR 138", "ISO-8859-8"),
      Map.entry("ISO 2022 IR 148", "ISO-8859-9"),
      Map.entry("ISO 2022 IR 203", "ISO-8859-15"),
      Map.entry("ISO 2022 IR 166", "TIS-620"),
      Map.entry("ISO 2022 IR 13", "JIS_X0201"),
      Map.entry("ISO 2022 IR 87", "ISO-8859-1"),
      Map.entry("ISO 2022 IR 159", "ISO-8859-1"),
      Map.entry("ISO 2022 IR 149", "EUC-KR"),
      Map.entry("ISO 2022 IR 58", "GB2312"));

  private final List<String> terms;
  private final Charset primary;
  private final boolean codeExtensions;

  private SpecificCharacterSet(List<String> terms, Charset primary, boolean codeExtensions) {
    this.terms = terms;
    this.primary = primary;
    this.codeExtensions = codeExtensions;
  }

  /**
   * The character set named by the values of (0008,0005). Unknown terms fall back to the default
   * repertoire's (lenient) decoding rather than failing: text must stay readable.
   */
  public static SpecificCharacterSet of(String... values) {
    String[] t = Arrays.stream(values).map(String::strip).toArray(String[]::new);
    if (t.length == 0 || (t.length == 1 && t[0].isEmpty())) {
      return DEFAULT;
    }
    boolean extensions = t.length > 1 || t[0].startsWith("ISO 2022");
    String first = t[0].isEmpty() ? "ISO 2022 IR 6" : t[0].toUpperCase(Locale.ROOT);
    String name = extensions
        ? EXTENSION_G1.getOrDefault(first, SINGLE.getOrDefault(first, "ISO-8859-1"))
        : SINGLE.getOrDefault(first, "ISO-8859-1");
    return new SpecificCharacterSet(List.of(t), Charset.forName(name), extensions);
  }

  /** The defined terms this was made from. */
  public List<String> terms() {
    return terms;
  }

  /** The charset of the first value (the one in force at the start of every value). */
  public Charset primaryCharset() {
    return primary;
  }

  /** Whether ISO 2022 code extensions (escape sequences) are in use. */
  public boolean usesCodeExtensions() {
    return codeExtensions;
  }

  /** True for the VRs whose values the Specific Character Set applies to (PS3.5 §6.1.2.3). */
  public static boolean appliesTo(Vr vr) {
    return switch (vr) {
      case SH, LO, ST, LT, UC, UT, PN -> true;
      default -> false;
    };
  }

  /** Decodes a value of the given VR; VRs it does not apply to are read as ISO 8859-1. */
  public String decode(byte[] value, Vr vr) {
    if (!appliesTo(vr)) {
      return new String(value, StandardCharsets.ISO_8859_1);
    }
    if (!codeExtensions) {
      return new String(value, primary);
    }
    // ISO 2022 IR 13 puts JIS X 0201 Romaji in G0 as well as Katakana in G1 (PS3.3 C.12.1.1.2)
    boolean romaji = "ISO 2022 IR 13".equals(terms.get(0));
    return new Iso2022Decoder(value, romaji, primary, vr == Vr.PN).decode();
  }

  /**
   * Encodes text for a value of the given VR with the first value's character set; characters it
   * cannot represent become '?'. No escape sequences are written.
   */
  public byte[] encode(String text, Vr vr) {
    return text.getBytes(appliesTo(vr) ? primary : StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return String.join("\\", terms);
  }

  /** ISO 2022 decoding state machine (PS3.5 §6.1.2.5, PS3.3 Table C.12-3/C.12-4). */
  private static final class Iso2022Decoder {
    private static final Charset JIS_X0208 = Charset.forName("x-JIS0208");
    private static final Charset JIS_X0212 = Charset.forName("JIS_X0212-1990");
    private static final Charset JIS_X0201 = Charset.forName("JIS_X0201");

    private final byte[] in;
    private final Charset initialG0;
    private final Charset initialG1;
    private final boolean personName;
    private final StringBuilder out = new StringBuilder();
    private Charset g0; // null: ASCII; JIS X 0201 romaji; or a two-byte JIS set
    private Charset g1;

    Iso2022Decoder(byte[] in, boolean romaji, Charset initialG1, boolean personName) {
      this.in = in;
      this.initialG0 = romaji ? JIS_X0201 : null;
      this.initialG1 = initialG1;
      this.personName = personName;
      this.g0 = initialG0;
      this.g1 = initialG1;
    }

    String decode() {
      int i = 0;
      while (i < in.length) {
        int b = in[i] & 0xFF;
        if (b == 0x1B) {
          int consumed = escape(i);
          if (consumed == 0) {
            out.append('\u001B');
            i++;
          } else {
            i += consumed;
          }
          continue;
        }
        boolean twoByteG0 = g0 == JIS_X0208 || g0 == JIS_X0212;
        if (b < 0x80 && twoByteG0) {
          int j = i;
          while (j + 1 < in.length && in[j] != 0x1B && (in[j] & 0x80) == 0 && in[j] >= 0x21) {
            j += 2;
          }
          if (j == i) { // control character or stray byte: emit as ASCII
            out.append((char) b);
            reset(b);
            i++;
          } else {
            out.append(new String(in, i, j - i, g0));
            i = j;
          }
          continue;
        }
        int j = i;
        boolean high = b >= 0x80;
        while (j < in.length && in[j] != 0x1B && ((in[j] & 0xFF) >= 0x80) == high
            && (high || !isDelimiter(in[j] & 0xFF))) {
          j++;
        }
        if (j == i) { // a delimiter: write it, then restore the initial sets
          out.append((char) b);
          reset(b);
          i++;
          continue;
        }
        Charset cs = high ? g1 : (g0 == null ? StandardCharsets.ISO_8859_1 : g0);
        out.append(new String(in, i, j - i, cs));
        i = j;
      }
      return out.toString();
    }

    private boolean isDelimiter(int b) {
      return b == '\r' || b == '\n' || b == '\f' || b == '\t' || b == '\\'
          || (personName && (b == '^' || b == '='));
    }

    private void reset(int delimiter) {
      if (isDelimiter(delimiter)) {
        g0 = initialG0;
        g1 = initialG1;
      }
    }

    /** Applies the escape sequence at {@code i}; returns its length, 0 if not recognised. */
    private int escape(int i) {
      int n = in.length - i;
      int b1 = n > 1 ? in[i + 1] & 0xFF : -1;
      int b2 = n > 2 ? in[i + 2] & 0xFF : -1;
      int b3 = n > 3 ? in[i + 3] & 0xFF : -1;
      if (b1 == '(' && b2 == 'B') {
        g0 = null;
        return 3;
      }
      if (b1 == '(' && b2 == 'J') {
        g0 = JIS_X0201;
        return 3;
      }
      if (b1 == '$' && b2 == 'B') {
        g0 = JIS_X0208;
        return 3;
      }
      if (b1 == '$' && b2 == '(' && b3 == 'D') {
        g0 = JIS_X0212;
        return 4;
      }
      if (b1 == ')' && b2 == 'I') {
        g1 = JIS_X0201;
        return 3;
      }
      if (b1 == '$' && b2 == ')' && b3 == 'C') {
        g1 = Charset.forName("EUC-KR");
        return 4;
      }
      if (b1 == '$' && b2 == ')' && b3 == 'A') {
        g1 = Charset.forName("GB2312");
        return 4;
      }
      if (b1 == '-') {
        String name = switch (b2) {
          case 'A' -> "ISO-8859-1";
          case 'B' -> "ISO-8859-2";
          case 'C' -> "ISO-8859-3";
          case 'D' -> "ISO-8859-4";
          case 'L' -> "ISO-8859-5";
          case 'G' -> "ISO-8859-6";
          case 'F' -> "ISO-8859-7";
          case 'H' -> "ISO-8859-8";
          case 'M' -> "ISO-8859-9";
          case 'b' -> "ISO-8859-15";
          case 'T' -> "TIS-620";
          default -> null;
        };
        if (name != null) {
          g1 = Charset.forName(name);
          return 3;
        }
      }
      return 0;
    }
  }
}
