// SPDX-License-Identifier: Apache-2.0
package org.annal.query.impl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.SpecificCharacterSet;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;

/**
 * Internal API. Builds a C-FIND response identifier (PS3.4 C.4.1.1.3.2): every key of the request
 * identifier, with the entity's value or, if the index has none (unknown or unsupported keys,
 * C.2.2.1.2), zero length; plus the Query/Retrieve Level and the Specific Character Set the values
 * need: none for ASCII, the request's ISO_IR 100 when Latin-1 suffices, else ISO_IR 192 (UTF-8).
 */
public final class ResultBuilder {
  private ResultBuilder() {}

  private record Value(int tag, Vr vr, String text) {}

  private record SequenceValue(int tag, List<Value> itemValues) {}

  /**
   * @param values the entity's attributes by keyword, computed ones (counts) included
   * @param levelName the Query/Retrieve Level value to return
   * @param alwaysReturn keywords returned even if the request does not carry them (unique keys)
   */
  public static Dataset build(Dataset request, Map<String, String> values, String levelName,
      List<String> alwaysReturn) {
    List<Value> out = new ArrayList<>();
    List<SequenceValue> sequences = new ArrayList<>();
    for (Element e : request.elements()) {
      int tag = e.tag();
      if ((tag >>> 16) <= 0x0002 || tag == Tag.SpecificCharacterSet
          || tag == Tag.QueryRetrieveLevel) {
        continue;
      }
      String keyword = ElementDictionary.keywordOf(tag);
      if (e.isSequence()) {
        List<Value> itemValues = new ArrayList<>();
        boolean any = false;
        if (e.items() != null && !e.items().isEmpty()) {
          for (Element sub : e.items().get(0).elements()) {
            String subKeyword = ElementDictionary.keywordOf(sub.tag());
            String v = keyword == null || subKeyword == null ? null
                : first(values.get(keyword + ">" + subKeyword));
            any |= v != null;
            itemValues.add(new Value(sub.tag(), sub.vr(), v));
          }
        }
        sequences.add(new SequenceValue(tag, any ? itemValues : null));
        continue;
      }
      out.add(new Value(tag, e.vr(), keyword == null ? null : values.get(keyword)));
    }
    for (String keyword : alwaysReturn) {
      int tag = ElementDictionary.tagOf(keyword);
      if (!request.contains(tag)) {
        out.add(new Value(tag, ElementDictionary.vrOf(tag), values.get(keyword)));
      }
    }
    out.add(new Value(Tag.QueryRetrieveLevel, Vr.CS, levelName));

    Dataset ds = new Dataset();
    String charset = charsetFor(request, out, sequences);
    if (charset != null) {
      ds.putString(Tag.SpecificCharacterSet, Vr.CS, charset);
    }
    for (Value v : out) {
      put(ds, v);
    }
    for (SequenceValue s : sequences) {
      List<Dataset> items = new ArrayList<>();
      if (s.itemValues() != null) {
        Dataset item = ds.newItem();
        for (Value v : s.itemValues()) {
          put(item, v);
        }
        items.add(item);
      }
      ds.putSequence(s.tag(), items);
    }
    return ds;
  }

  /**
   * The entity keywords {@link #build} may read for this request: its keys (sequence keys as
   * {@code Sequence>Keyword}) and {@code alwaysReturn}. A mutable set.
   */
  public static Set<String> keywordsOf(Dataset request, List<String> alwaysReturn) {
    Set<String> out = new HashSet<>(alwaysReturn);
    for (Element e : request.elements()) {
      String keyword = ElementDictionary.keywordOf(e.tag());
      if (keyword == null) {
        continue;
      }
      out.add(keyword);
      if (e.isSequence() && e.items() != null && !e.items().isEmpty()) {
        for (Element sub : e.items().get(0).elements()) {
          String subKeyword = ElementDictionary.keywordOf(sub.tag());
          if (subKeyword != null) {
            out.add(keyword + ">" + subKeyword);
          }
        }
      }
    }
    return out;
  }

  private static String first(String value) {
    if (value == null) {
      return null;
    }
    int bs = value.indexOf('\\');
    return bs < 0 ? value : value.substring(0, bs);
  }

  private static void put(Dataset ds, Value v) {
    Vr vr = v.vr() == Vr.UN ? ElementDictionary.vrOf(v.tag()) : v.vr();
    if (vr.isText()) {
      ds.putString(v.tag(), vr, v.text() == null ? "" : v.text());
      return;
    }
    if (v.text() != null && (vr == Vr.US || vr == Vr.SS || vr == Vr.UL || vr == Vr.SL)) {
      try {
        String[] parts = v.text().split("\\\\");
        int[] ints = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
          ints[i] = Integer.parseInt(parts[i].strip());
        }
        ds.putInts(v.tag(), vr, ints);
        return;
      } catch (NumberFormatException ignored) {
        // fall through: returned empty rather than wrong
      }
    }
    ds.put(Element.ofBytes(v.tag(), vr, new byte[0]));
  }

  private static String charsetFor(Dataset request, List<Value> values,
      List<SequenceValue> sequences) {
    boolean ascii = true;
    boolean latin1 = true;
    List<String> texts = new ArrayList<>();
    values.forEach(v -> texts.add(v.text()));
    sequences.forEach(s -> {
      if (s.itemValues() != null) {
        s.itemValues().forEach(v -> texts.add(v.text()));
      }
    });
    for (String t : texts) {
      if (t == null) {
        continue;
      }
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        if (c > 0x7F) {
          ascii = false;
        }
        if (c > 0xFF) {
          latin1 = false;
        }
      }
    }
    if (ascii) {
      return null;
    }
    SpecificCharacterSet requested = request.specificCharacterSet();
    if (latin1 && requested.terms().contains("ISO_IR 100")
        && requested.primaryCharset().equals(StandardCharsets.ISO_8859_1)) {
      return "ISO_IR 100";
    }
    return "ISO_IR 192";
  }
}
