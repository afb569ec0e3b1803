// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json.impl;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.SpecificCharacterSet;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.annal.dicom.json.DicomJson;

/**
 * Builds data sets from DICOM JSON Model objects (PS3.18 §F.2); the rules are in
 * {@link DicomJson#read(InputStream, DicomJson.BulkDataResolver)}. Internal API.
 */
public final class JsonDatasetReader {
  private static final Set<String> MEMBERS = Set.of("vr", "Value", "InlineBinary", "BulkDataURI");
  private static final Set<String> PN_GROUPS = Set.of("Alphabetic", "Ideographic", "Phonetic");
  private static final Pattern HEX8 = Pattern.compile("[0-9A-Fa-f]{8}");
  private static final Pattern LONG_TEXT = Pattern.compile("-?[0-9]{1,20}");
  private static final BigInteger MAX_UV = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final DicomJson.BulkDataResolver bulkData;
  /** Write every text value in UTF-8 (ISO_IR 192), because the declared set could not hold one. */
  private final boolean utf8;
  /** Set when a text value could not be represented in the character set in force. */
  private boolean lossy;

  private JsonDatasetReader(DicomJson.BulkDataResolver bulkData, boolean utf8) {
    this.bulkData = bulkData;
    this.utf8 = utf8;
  }

  public static Dataset readObject(InputStream in, DicomJson.BulkDataResolver bulkData)
      throws IOException {
    Object tree = JsonReader.parse(in);
    if (!(tree instanceof Map<?, ?> map)) {
      throw new IOException("Not a DICOM JSON object: the JSON value is " + typeOf(tree));
    }
    return build(map, bulkData);
  }

  public static List<Dataset> readArray(InputStream in, DicomJson.BulkDataResolver bulkData)
      throws IOException {
    Object tree = JsonReader.parse(in);
    if (!(tree instanceof List<?> list)) {
      throw new IOException("Not an array of DICOM JSON objects: the JSON value is "
          + typeOf(tree));
    }
    List<Dataset> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> map)) {
        throw new IOException("Array element " + i + " is " + typeOf(list.get(i))
            + ", not a DICOM JSON object");
      }
      try {
        out.add(build(map, bulkData));
      } catch (IOException e) {
        throw new IOException("Array element " + i + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static Dataset build(Map<?, ?> object, DicomJson.BulkDataResolver bulkData)
      throws IOException {
    JsonDatasetReader first = new JsonDatasetReader(bulkData, false);
    Dataset d = new Dataset();
    first.fill(d, object, "");
    if (!first.lossy) {
      return d;
    }
    JsonDatasetReader second = new JsonDatasetReader(bulkData, true);
    d = new Dataset();
    d.put(Element.ofBytes(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192".getBytes(
        StandardCharsets.US_ASCII)));
    second.fill(d, object, "");
    return d;
  }

  private void fill(Dataset target, Map<?, ?> object, String pathPrefix) throws IOException {
    // tag order, whatever order the JSON had
    TreeMap<Integer, Map<?, ?>> byTag = new TreeMap<>(Integer::compareUnsigned);
    for (Map.Entry<?, ?> m : object.entrySet()) {
      String key = (String) m.getKey();
      int tag = parseTag(key, pathPrefix);
      if (!(m.getValue() instanceof Map<?, ?> attribute)) {
        throw new IOException(pathPrefix + key + ": expected an attribute object, found "
            + typeOf(m.getValue()));
      }
      if (byTag.put(tag, attribute) != null) {
        throw new IOException(pathPrefix + key + ": the tag occurs twice");
      }
    }
    Map<?, ?> charset = byTag.remove(Tag.SpecificCharacterSet);
    if (charset != null) { // first: it governs text in odd groups below 0008 too
      target.put(element(target, Tag.SpecificCharacterSet, charset, pathPrefix + "00080005"));
    }
    for (Map.Entry<Integer, Map<?, ?>> m : byTag.entrySet()) {
      String path = pathPrefix + DatasetJsonWriter.tagHex(m.getKey());
      target.put(element(target, m.getKey(), m.getValue(), path));
    }
  }

  private Element element(Dataset target, int tag, Map<?, ?> attribute, String path)
      throws IOException {
    for (Object k : attribute.keySet()) {
      if (!MEMBERS.contains(k)) {
        throw new IOException(path + ": unknown member \"" + k + "\" (expected vr, Value, "
            + "InlineBinary or BulkDataURI)");
      }
    }
    if (!(attribute.get("vr") instanceof String vrName) || Vr.of(vrName) == null) {
      throw new IOException(path + ": \"vr\" must be a DICOM VR, found "
          + (attribute.containsKey("vr") ? describe(attribute.get("vr")) : "none"));
    }
    Vr vr = Vr.of(vrName);
    int present = (attribute.containsKey("Value") ? 1 : 0)
        + (attribute.containsKey("InlineBinary") ? 1 : 0)
        + (attribute.containsKey("BulkDataURI") ? 1 : 0);
    if (present > 1) {
      throw new IOException(path + ": at most one of Value, InlineBinary, BulkDataURI (§F.2.2)");
    }
    if (tag == Tag.SpecificCharacterSet && utf8) {
      return Element.ofBytes(tag, Vr.CS, "ISO_IR 192".getBytes(StandardCharsets.US_ASCII));
    }
    if (attribute.containsKey("BulkDataURI")) {
      if (!(attribute.get("BulkDataURI") instanceof String uri) || vr == Vr.SQ) {
        throw new IOException(path + ": BulkDataURI must be a string, and not on an SQ");
      }
      byte[] bytes = bulkData.resolve(path, uri);
      if (bytes == null) {
        throw new IOException(path + ": no bulk data for BulkDataURI " + uri);
      }
      return Element.ofBytes(tag, vr, padded(bytes, vr));
    }
    boolean binary = switch (vr) {
      case OB, OD, OF, OL, OV, OW, UN -> true;
      default -> false;
    };
    if (attribute.containsKey("InlineBinary")) {
      if (!binary) {
        throw new IOException(path + ": InlineBinary is only for OB, OD, OF, OL, OV, OW, UN, not "
            + vr + " (§F.2.7)");
      }
      if (!(attribute.get("InlineBinary") instanceof String base64)) {
        throw new IOException(path + ": InlineBinary must be a string");
      }
      try {
        return Element.ofBytes(tag, vr, padded(Base64.getDecoder().decode(base64), vr));
      } catch (IllegalArgumentException e) {
        throw new IOException(path + ": InlineBinary is not valid base64: " + e.getMessage());
      }
    }
    Object v = attribute.get("Value");
    if (v == null) { // absent (or null): an empty element (§F.2.5)
      return vr == Vr.SQ ? Element.ofItems(tag, vr, List.of(), true)
          : Element.ofBytes(tag, vr, new byte[0]);
    }
    if (binary) {
      throw new IOException(path + ": " + vr + " takes InlineBinary or BulkDataURI, not Value");
    }
    if (!(v instanceof List<?> values)) {
      throw new IOException(path + ": Value must be an array, found " + typeOf(v));
    }
    if (vr == Vr.SQ) {
      List<Dataset> items = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        if (!(values.get(i) instanceof Map<?, ?> itemObject)) {
          throw new IOException(path + ": sequence item " + i + " must be an object, found "
              + typeOf(values.get(i)));
        }
        Dataset item = target.newItem();
        fill(item, itemObject, path + "." + i + ".");
        items.add(item);
      }
      return Element.ofItems(tag, vr, items, true);
    }
    return switch (vr) {
      case US, SS, UL, SL, FL, FD, SV, UV, AT ->
          Element.ofBytes(tag, vr, numbers(vr, values, path));
      default -> Element.ofBytes(tag, vr, text(target, vr, values, path));
    };
  }

  private byte[] text(Dataset target, Vr vr, List<?> values, String path) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sb.append('\\');
      }
      Object v = values.get(i);
      if (v == null) {
        continue; // an empty value among several (§F.2.5)
      }
      if (vr == Vr.PN) {
        sb.append(personName(v, path));
      } else if (v instanceof String s) {
        sb.append(s);
      } else if ((vr == Vr.IS || vr == Vr.DS) && v instanceof JsonReader.Number n) {
        sb.append(n.text());
      } else {
        throw new IOException(path + ": value " + i + " of a " + vr + " must be a "
            + (vr == Vr.IS || vr == Vr.DS ? "number or string" : "string") + ", found "
            + typeOf(v));
      }
    }
    String text = sb.toString();
    byte[] bytes;
    if (SpecificCharacterSet.appliesTo(vr)) {
      SpecificCharacterSet cs = target.specificCharacterSet();
      Charset charset = cs.primaryCharset();
      boolean declared = !cs.terms().get(0).isEmpty() || cs.terms().size() > 1;
      boolean ascii = StandardCharsets.US_ASCII.newEncoder().canEncode(text);
      if (!ascii && !(declared && charset.newEncoder().canEncode(text))) {
        lossy = true; // the caller retries in UTF-8
      }
      bytes = text.getBytes(charset);
    } else {
      bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    }
    return padded(bytes, vr);
  }

  private static String personName(Object v, String path) throws IOException {
    if (!(v instanceof Map<?, ?> groups)) {
      throw new IOException(path + ": a PN value must be an object with Alphabetic, Ideographic, "
          + "Phonetic (§F.2.2), found " + typeOf(v));
    }
    for (Map.Entry<?, ?> g : groups.entrySet()) {
      if (!PN_GROUPS.contains(g.getKey()) || !(g.getValue() instanceof String)) {
        throw new IOException(path + ": a PN value has only the string members Alphabetic, "
            + "Ideographic, Phonetic; found \"" + g.getKey() + "\": " + typeOf(g.getValue()));
      }
    }
    String s = orEmpty(groups.get("Alphabetic")) + "=" + orEmpty(groups.get("Ideographic")) + "="
        + orEmpty(groups.get("Phonetic"));
    return s.replaceAll("=+$", "");
  }

  private static String orEmpty(Object o) {
    return o == null ? "" : (String) o;
  }

  private static byte[] numbers(Vr vr, List<?> values, String path) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(values.size() * vr.valueSize())
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < values.size(); i++) {
      Object v = values.get(i);
      String where = path + ": value " + i + " of a " + vr;
      if (vr == Vr.AT) {
        if (!(v instanceof String s) || !HEX8.matcher(s).matches()) {
          throw new IOException(where + " must be a string of 8 hex digits, found " + describe(v));
        }
        int tag = Integer.parseUnsignedInt(s, 16);
        b.putShort((short) (tag >>> 16)).putShort((short) tag);
        continue;
      }
      String text;
      if (v instanceof JsonReader.Number n) {
        text = n.text();
      } else if (v instanceof String s && (vr == Vr.FL || vr == Vr.FD)
          && (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity"))) {
        text = s;
      } else if (v instanceof String s && (vr == Vr.SV || vr == Vr.UV)
          && LONG_TEXT.matcher(s).matches()) {
        text = s; // the string form of a 64-bit value beyond 2^53 (Table F.2.3-1 note)
      } else {
        throw new IOException(where + " must be a number, found " + describe(v));
      }
      switch (vr) {
        case FL -> b.putFloat(Float.parseFloat(text));
        case FD -> b.putDouble(Double.parseDouble(text));
        default -> {
          BigInteger n = integer(text, where);
          BigInteger min = switch (vr) {
            case SS -> BigInteger.valueOf(Short.MIN_VALUE);
            case SL -> BigInteger.valueOf(Integer.MIN_VALUE);
            case SV -> BigInteger.valueOf(Long.MIN_VALUE);
            default -> BigInteger.ZERO;
          };
          BigInteger max = switch (vr) {
            case US -> BigInteger.valueOf(0xFFFF);
            case SS -> BigInteger.valueOf(Short.MAX_VALUE);
            case UL -> BigInteger.valueOf(0xFFFFFFFFL);
            case SL -> BigInteger.valueOf(Integer.MAX_VALUE);
            case SV -> BigInteger.valueOf(Long.MAX_VALUE);
            default -> MAX_UV;
          };
          if (n.compareTo(min) < 0 || n.compareTo(max) > 0) {
            throw new IOException(where + " is out of range [" + min + ", " + max + "]: " + n);
          }
          switch (vr.valueSize()) {
            case 2 -> b.putShort(n.shortValue());
            case 4 -> b.putInt(n.intValue());
            default -> b.putLong(n.longValue());
          }
        }
      }
    }
    return b.array();
  }

  private static BigInteger integer(String text, String where) throws IOException {
    try {
      return new BigDecimal(text).toBigIntegerExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IOException(where + " must be an integer, found " + text);
    }
  }

  /** Pads to even length as PS3.5 §7.1.1 requires (space for text, NUL for UI and binary). */
  private static byte[] padded(byte[] bytes, Vr vr) {
    if ((bytes.length & 1) == 0) {
      return bytes;
    }
    byte[] out = java.util.Arrays.copyOf(bytes, bytes.length + 1);
    out[bytes.length] = vr.paddingByte();
    return out;
  }

  private static int parseTag(String key, String pathPrefix) throws IOException {
    if (!HEX8.matcher(key).matches()) {
      throw new IOException(pathPrefix + "\"" + key
          + "\": a member name must be a tag as 8 hex digits (§F.2.2)");
    }
    return Integer.parseUnsignedInt(key, 16);
  }

  private static String typeOf(Object o) {
    if (o == null) {
      return "null";
    }
    if (o instanceof Map) {
      return "an object";
    }
    if (o instanceof List) {
      return "an array";
    }
    if (o instanceof String) {
      return "a string";
    }
    if (o instanceof JsonReader.Number) {
      return "a number";
    }
    return "a boolean";
  }

  private static String describe(Object o) {
    if (o instanceof String s) {
      return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
    return o instanceof JsonReader.Number n ? n.text() : typeOf(o);
  }
}
