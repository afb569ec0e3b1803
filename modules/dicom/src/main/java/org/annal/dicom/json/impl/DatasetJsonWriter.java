// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json.impl;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.SpecificCharacterSet;
import org.annal.dicom.Vr;
import org.annal.dicom.json.DicomJson;

/**
 * Writes data sets in the DICOM JSON Model (PS3.18 §F.2); the rules are in {@link DicomJson}'s
 * class comment. Internal API.
 */
public final class DatasetJsonWriter {
  /** Largest magnitude a JSON number keeps exactly in an IEEE double (Table F.2.3-1 note). */
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final JsonWriter json;
  private final DicomJson.Options options;

  public DatasetJsonWriter(JsonWriter json, DicomJson.Options options) {
    this.json = json;
    this.options = java.util.Objects.requireNonNull(options, "options (use Options.INLINE_ALL)");
  }

  /** Writes {@code dataset} as one JSON object. */
  public void write(Dataset dataset) throws IOException {
    writeObject(dataset, "");
  }

  private void writeObject(Dataset dataset, String pathPrefix) throws IOException {
    json.beginObject();
    for (Element e : dataset.elements()) { // ascending tag order = ascending hex names (§F.2.2)
      int tag = e.tag();
      if ((tag >>> 16) == 0x0002 || (tag & 0xFFFF) == 0) {
        continue; // File Meta Information and group lengths are not part of the model
      }
      String key = tagHex(tag);
      json.name(key).beginObject();
      writeElement(dataset, e, pathPrefix + key);
      json.endObject();
    }
    json.endObject();
  }

  private void writeElement(Dataset dataset, Element e, String path) throws IOException {
    if (e.isSequence()) {
      json.name("vr").value("SQ"); // also for an undefined-length UN sequence (PS3.5 §6.2.2)
      if (!e.items().isEmpty()) {
        json.name("Value").beginArray();
        int i = 0;
        for (Dataset item : e.items()) {
          writeObject(item, path + "." + i++ + ".");
        }
        json.endArray();
      }
      return;
    }
    Vr vr = e.vr();
    json.name("vr").value(vr.name());
    if (e.isEncapsulated()) {
      String uri = options.bulkData() == null ? null : options.bulkData().uriFor(path);
      if (uri != null) {
        json.name("BulkDataURI").value(uri);
      }
      return; // without a URI the value is left out (see DicomJson)
    }
    byte[] value = e.value();
    if (value.length == 0) {
      return;
    }
    switch (vr) {
      case OB, OD, OF, OL, OV, OW, UN -> writeBinary(value, path);
      case US, SS, UL, SL, FL, FD, SV, UV, AT -> writeNumbers(vr, value);
      case PN -> writePersonNames(dataset, value);
      case IS, DS -> writeDecimals(dataset, value, vr);
      default -> writeStrings(dataset, value, vr);
    }
  }

  private void writeBinary(byte[] value, String path) throws IOException {
    if (options.bulkData() != null && value.length > options.inlineBinaryLimit()) {
      String uri = options.bulkData().uriFor(path);
      if (uri != null) {
        json.name("BulkDataURI").value(uri);
        return;
      }
    }
    if ((value.length & 1) != 0) { // malformed odd length: pad as PS3.5 §7.1.1 wants (and DCMTK)
      json.name("InlineBinary").base64(value, new byte[1]);
    } else {
      json.name("InlineBinary").base64(value);
    }
  }

  private void writeNumbers(Vr vr, byte[] value) throws IOException {
    int size = vr.valueSize();
    int count = value.length / size;
    if (count == 0) {
      return; // only a partial value: nothing to write
    }
    ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
    json.name("Value").beginArray();
    for (int i = 0; i < count; i++) {
      switch (vr) {
        case US -> json.number(b.getShort() & 0xFFFF);
        case SS -> json.number(b.getShort());
        case UL -> json.number(b.getInt() & 0xFFFFFFFFL);
        case SL -> json.number(b.getInt());
        case FL -> floating(b.getFloat());
        case FD -> floating(b.getDouble());
        case SV -> {
          long v = b.getLong();
          if (v >= -MAX_SAFE_INTEGER && v <= MAX_SAFE_INTEGER) { // not Math.abs: MIN_VALUE
            json.number(v);
          } else {
            json.value(Long.toString(v));
          }
        }
        case UV -> {
          long v = b.getLong();
          if (v >= 0 && v <= MAX_SAFE_INTEGER) {
            json.number(v);
          } else {
            json.value(Long.toUnsignedString(v));
          }
        }
        case AT -> {
          int group = b.getShort() & 0xFFFF;
          int element = b.getShort() & 0xFFFF;
          json.value(tagHex((group << 16) | element));
        }
        default -> throw new IllegalStateException(vr.name());
      }
    }
    json.endArray();
  }

  private void floating(float f) throws IOException {
    // Float.toString gives the shortest text that reads back as the same float (0.1f is "0.1",
    // not the 0.10000000149... that widening to double would print)
    if (Float.isFinite(f)) {
      json.number(Float.toString(f));
    } else {
      json.value(Float.isNaN(f) ? "NaN" : f > 0 ? "Infinity" : "-Infinity");
    }
  }

  private void floating(double d) throws IOException {
    if (Double.isFinite(d)) {
      json.number(Double.toString(d));
    } else {
      json.value(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    }
  }

  private void writeDecimals(Dataset dataset, byte[] value, Vr vr) throws IOException {
    List<String> values = values(dataset, value, vr);
    if (values.isEmpty()) {
      return;
    }
    json.name("Value").beginArray();
    for (String v : values) {
      if (v.isEmpty()) {
        json.nullValue();
      } else if (JsonWriter.isJsonNumber(v)) {
        json.number(v);
      } else {
        String normalized = normalizedDecimal(v);
        if (normalized != null) {
          json.number(normalized);
        } else {
          json.value(v); // not a number at all: keep the text (Table F.2.3-1 note)
        }
      }
    }
    json.endArray();
  }

  /** A decimal string in valid JSON number form, or null if it is not a decimal number. */
  static String normalizedDecimal(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E') {
        return null; // BigDecimal would also take other digits (Arabic-Indic, ...): not DICOM
      }
    }
    try {
      String s = new BigDecimal(v).toString();
      return JsonWriter.isJsonNumber(s) ? s : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private void writeStrings(Dataset dataset, byte[] value, Vr vr) throws IOException {
    List<String> values = values(dataset, value, vr);
    if (values.isEmpty()) {
      return;
    }
    json.name("Value").beginArray();
    for (String v : values) {
      json.value(v.isEmpty() ? null : v);
    }
    json.endArray();
  }

  private void writePersonNames(Dataset dataset, byte[] value) throws IOException {
    List<String[]> names = new ArrayList<>();
    boolean any = false;
    for (String v : values(dataset, value, Vr.PN)) {
      String[] groups = personName(v);
      any |= groups != null;
      names.add(groups);
    }
    if (!any) {
      return; // e.g. "^^^^": components all empty, an empty name (as dcm2json reads it too)
    }
    json.name("Value").beginArray();
    for (String[] groups : names) {
      if (groups == null) {
        json.nullValue();
        continue;
      }
      json.beginObject();
      for (int i = 0; i < 3; i++) {
        if (groups[i] != null) {
          json.name(PN_GROUPS[i]).value(groups[i]);
        }
      }
      json.endObject();
    }
    json.endArray();
  }

  private static final String[] PN_GROUPS = {"Alphabetic", "Ideographic", "Phonetic"};

  /**
   * The three component groups of one PN value (PS3.5 §6.2.1.1), null where a group is empty or
   * only delimiters; null instead of the array if all three are. Non-empty groups are kept as
   * written, spaces around them removed.
   */
  static String[] personName(String value) {
    String[] parts = value.split("=", -1);
    String[] groups = new String[3];
    boolean any = false;
    for (int i = 0; i < Math.min(3, parts.length); i++) {
      String g = trimSpaces(parts[i]);
      if (!g.replace("^", "").replace(" ", "").isEmpty()) {
        groups[i] = g;
        any = true;
      }
    }
    return any ? groups : null;
  }

  /**
   * The values of a text element: decoded, split at the delimiter when the VR is multi-valued,
   * padding removed; empty if the whole value is empty or padding only.
   */
  static List<String> values(Dataset dataset, byte[] value, Vr vr) {
    SpecificCharacterSet cs = dataset.specificCharacterSet();
    String text = cs.decode(value, vr);
    boolean single = vr == Vr.LT || vr == Vr.ST || vr == Vr.UT || vr == Vr.UR;
    boolean keepLeading = vr == Vr.LT || vr == Vr.ST || vr == Vr.UT;
    List<String> out = new ArrayList<>();
    if (single) {
      String v = stripTrailing(text);
      if (!v.isEmpty()) {
        out.add(keepLeading ? v : trimSpaces(v));
      }
      return out;
    }
    if (SpecificCharacterSet.appliesTo(vr) && !cs.usesCodeExtensions()
        && cs.terms().get(0).equalsIgnoreCase("ISO_IR 13")) {
      text = text.replace('\u00A5', '\\'); // JIS X 0201 puts YEN SIGN at 05/12 (§F.2.4)
    }
    if (trimSpaces(stripTrailing(text)).isEmpty()) {
      return out; // padding only: an empty element (§F.2.5)
    }
    for (String p : text.split("\\\\", -1)) {
      out.add(trimSpaces(stripTrailing(p)));
    }
    return out;
  }

  /** Removes leading and trailing spaces (U+0020 only: other characters may be content). */
  static String trimSpaces(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == ' ') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(start, end);
  }

  /** Removes trailing spaces and NULs (UI pads with NUL, PS3.5 §6.2). */
  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
      end--;
    }
    return s.substring(0, end);
  }

  /** The tag as 8 upper-case hex digits, the member name §F.2.2 prescribes. */
  public static String tagHex(int tag) {
    char[] c = new char[8];
    for (int i = 7; i >= 0; i--) {
      c[i] = HEX[tag & 0xF];
      tag >>>= 4;
    }
    return new String(c);
  }
}
