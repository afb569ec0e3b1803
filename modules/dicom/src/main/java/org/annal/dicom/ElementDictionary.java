// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of standard data elements (PS3.6 §6, §7, §8; PS3.7 Annex E for group 0000).
 *
 * <p>Loaded from {@code dictionary.tsv}, generated from DCMTK's {@code dicom.dic} (see NOTICE).
 * Repeating groups (50xx, 60xx, 7Fxx: even groups only, PS3.5 §7.6) and element ranges such as
 * (0020,31xx) are matched after the exact entries. Rules not listed in the table: every group
 * length (gggg,0000) is UL (PS3.5 §7.2); a private creator (gggg,0010-00FF) in an odd group is LO
 * (PS3.5 §7.8.1). Other private elements are unknown: their VR is {@link Vr#UN}.
 */
public final class ElementDictionary {

  /**
   * One registry entry.
   *
   * @param tag the tag, with the lowest value of a repeating group or range
   * @param mask which bits of a tag must equal {@code tag} for it to match this entry
   * @param vrs the allowed VRs; the first is the one used for Implicit VR (PS3.5 Annex A.1)
   * @param vm value multiplicity as PS3.6 writes it ("1", "1-n", "2-2n")
   * @param keyword the PS3.6 keyword
   * @param retired whether PS3.6 lists the attribute as retired
   */
  public record Entry(int tag, int mask, List<Vr> vrs, String vm, String keyword, boolean retired) {
    public Entry {
      vrs = List.copyOf(vrs);
    }

    /** The VR for Implicit VR encodings; null for item and delimitation tags, which have none. */
    public Vr vr() {
      return vrs.isEmpty() ? null : vrs.get(0);
    }
  }

  private static final Map<Integer, Entry> EXACT = new HashMap<>();
  private static final List<Entry> MASKED = new ArrayList<>();
  private static final Map<String, Entry> BY_KEYWORD = new HashMap<>();

  static {
    try (InputStream in = ElementDictionary.class.getResourceAsStream("dictionary.tsv")) {
      if (in == null) {
        throw new IllegalStateException("dictionary.tsv missing from the class path");
      }
      load(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ElementDictionary() {}

  private static void load(BufferedReader reader) throws IOException {
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      String hex = f[0].substring(1, 5) + f[0].substring(6, 10);
      int tag = 0;
      int mask = 0;
      for (int i = 0; i < 8; i++) {
        char c = hex.charAt(i);
        tag <<= 4;
        mask <<= 4;
        if (c != 'x') {
          tag |= Character.digit(c, 16);
          mask |= 0xF;
        }
      }
      List<Vr> vrs = new ArrayList<>();
      if (!f[1].equals("NONE")) {
        for (String v : f[1].split("/")) {
          vrs.add(Vr.valueOf(v));
        }
      }
      Entry entry = new Entry(tag, mask, vrs, f[2], f[3], f[4].equals("R"));
      if (mask == -1) {
        EXACT.put(tag, entry);
      } else {
        MASKED.add(entry);
      }
      BY_KEYWORD.put(entry.keyword(), entry);
    }
  }

  /** The registry entry for a tag, or null for private and unknown elements. */
  public static Entry entryOf(int tag) {
    Entry e = EXACT.get(tag);
    if (e != null) {
      return e;
    }
    int group = tag >>> 16;
    if ((group & 1) != 0) {
      return null; // odd groups are private; repeating groups are even (PS3.5 §7.6)
    }
    for (Entry m : MASKED) {
      if ((tag & m.mask()) == m.tag()) {
        return m;
      }
    }
    return null;
  }

  /**
   * The VR to assume for a tag in an Implicit VR encoding: the registry's (its first choice where
   * PS3.6 allows several), UL for group lengths, LO for private creators, UN otherwise.
   */
  public static Vr vrOf(int tag) {
    int element = tag & 0xFFFF;
    int group = tag >>> 16;
    if (element == 0) {
      return Vr.UL;
    }
    if ((group & 1) != 0 && element >= 0x0010 && element <= 0x00FF && group > 0x0008) {
      return Vr.LO;
    }
    Entry e = entryOf(tag);
    return e == null || e.vr() == null ? Vr.UN : e.vr();
  }

  /** The PS3.6 keyword of a tag, or null if it is private or unknown. */
  public static String keywordOf(int tag) {
    Entry e = entryOf(tag);
    return e == null ? null : e.keyword();
  }

  /** The tag named by a PS3.6 keyword (lowest value for repeating groups), or -1 if unknown. */
  public static int tagOf(String keyword) {
    Entry e = BY_KEYWORD.get(keyword);
    return e == null ? -1 : e.tag();
  }

  /** True if the tag is registered and PS3.6 lists it as retired. */
  public static boolean isRetired(int tag) {
    Entry e = entryOf(tag);
    return e != null && e.retired();
  }

  /** True for tags in odd groups other than 0001-0007 and FFFF (PS3.5 §7.8). */
  public static boolean isPrivate(int tag) {
    int group = tag >>> 16;
    return (group & 1) != 0 && group > 0x0008 && group != 0xFFFF;
  }

  /** "(GGGG,EEEE)" in upper-case hex, the way PS3.6 writes tags. */
  public static String toString(int tag) {
    return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
  }
}
