// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * A DICOM data set (PS3.5 §7): elements in ascending tag order, sequences holding nested data sets
 * (items, PS3.5 §7.5).
 *
 * <p>Values are kept as the bytes that were read (see {@link Element}), so that writing the data
 * set again in the same transfer syntax reproduces them byte for byte; the getters decode on
 * demand. Text is decoded with the Specific Character Set (0008,0005) of this data set or, for an
 * item without one, of the enclosing data set (PS3.5 §7.5.2). Not thread-safe.
 */
public final class Dataset {
  private final TreeMap<Integer, Element> elements = new TreeMap<>(Integer::compareUnsigned);
  private Dataset parent;
  private boolean undefinedLength;
  private SpecificCharacterSet charsetCache;

  public Dataset() {}

  Dataset(Dataset parent) {
    this.parent = parent;
  }

  // ---------------------------------------------------------------- structure

  /** The element with that tag, or null. */
  public Element get(int tag) {
    return elements.get(tag);
  }

  public boolean contains(int tag) {
    return elements.containsKey(tag);
  }

  /** The elements in ascending (unsigned) tag order; an unmodifiable view. */
  public Collection<Element> elements() {
    return Collections.unmodifiableCollection(elements.values());
  }

  public int size() {
    return elements.size();
  }

  public boolean isEmpty() {
    return elements.isEmpty();
  }

  /** Adds or replaces an element; returns the one it replaced, or null. */
  public Element put(Element element) {
    if (element.items() != null) {
      for (Dataset item : element.items()) {
        item.parent = this;
      }
    }
    if (element.tag() == Tag.SpecificCharacterSet) {
      charsetCache = null;
    }
    return elements.put(element.tag(), element);
  }

  public Element remove(int tag) {
    if (tag == Tag.SpecificCharacterSet) {
      charsetCache = null;
    }
    return elements.remove(tag);
  }

  /** The data set this one is an item of, or null at the top level. */
  public Dataset parent() {
    return parent;
  }

  /** For an item: whether it was (and will be) encoded with undefined length (PS3.5 §7.5.1). */
  public boolean undefinedLength() {
    return undefinedLength;
  }

  public void setUndefinedLength(boolean undefinedLength) {
    this.undefinedLength = undefinedLength;
  }

  /** The Specific Character Set in force here (own, else inherited, else the default repertoire). */
  public SpecificCharacterSet specificCharacterSet() {
    if (charsetCache == null) {
      Element e = elements.get(Tag.SpecificCharacterSet);
      if (e != null && e.value() != null) {
        charsetCache = SpecificCharacterSet.of(
            new String(e.value(), StandardCharsets.ISO_8859_1).trim().split("\\\\", -1));
      } else {
        charsetCache = parent != null ? parent.specificCharacterSet() : SpecificCharacterSet.DEFAULT;
      }
    }
    return charsetCache;
  }

  // ---------------------------------------------------------------- getters

  /**
   * The value of a text or UID element decoded with this data set's Specific Character Set
   * (0008,0005), trailing padding (space or NUL) removed, multiple values joined by '\'; a number
   * element's value as text. Null if the element is absent, or if it is a sequence, encapsulated
   * pixel data or an OB/UN byte stream.
   */
  public String getString(int tag) {
    Element e = elements.get(tag);
    if (e == null || e.value() == null) {
      return null;
    }
    Vr vr = e.vr();
    if (vr.isText()) {
      return stripTrailing(specificCharacterSet().decode(e.value(), vr));
    }
    List<String> numbers = binaryValuesAsText(e);
    return numbers == null ? null : String.join("\\", numbers);
  }

  /** The values of a text or number element, split at '\' (not for LT, ST, UT); empty if absent. */
  public String[] getStrings(int tag) {
    String s = getString(tag);
    if (s == null) {
      return new String[0];
    }
    Vr vr = elements.get(tag).vr();
    if (vr == Vr.LT || vr == Vr.ST || vr == Vr.UT) {
      return new String[] {s};
    }
    String[] values = s.split("\\\\", -1);
    if (vr.isText()) {
      for (int i = 0; i < values.length; i++) {
        values[i] = values[i].strip();
      }
    }
    return values;
  }

  /** The first value of an integer element (US, SS, UL, SL, IS, or SV/UV in range), else {@code dflt}. */
  public int getInt(int tag, int dflt) {
    int[] values = getInts(tag);
    return values != null && values.length > 0 ? values[0] : dflt;
  }

  /**
   * All values of a US, SS, UL, SL, SV, UV, IS or DS-as-integer element; null if the element is
   * absent or its value is not integers.
   */
  public int[] getInts(int tag) {
    Element e = elements.get(tag);
    if (e == null || e.value() == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(e.value()).order(ByteOrder.LITTLE_ENDIAN);
    int n;
    int[] out;
    switch (e.vr()) {
      case US, SS, OW -> {
        n = e.value().length / 2;
        out = new int[n];
        for (int i = 0; i < n; i++) {
          short s = b.getShort();
          out[i] = e.vr() == Vr.SS ? s : s & 0xFFFF;
        }
        return out;
      }
      case UL, SL, OL -> {
        n = e.value().length / 4;
        out = new int[n];
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt();
        }
        return out;
      }
      case SV, UV -> {
        n = e.value().length / 8;
        out = new int[n];
        for (int i = 0; i < n; i++) {
          out[i] = (int) b.getLong();
        }
        return out;
      }
      case IS, DS -> {
        String[] parts = getStrings(tag);
        out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
          try {
            out[i] = e.vr() == Vr.IS ? Integer.parseInt(parts[i].strip())
                : (int) Double.parseDouble(parts[i].strip());
          } catch (NumberFormatException ex) {
            return null;
          }
        }
        return out;
      }
      default -> {
        return null;
      }
    }
  }

  /** The raw value field (little-endian for binary VRs), or null; do not modify the array. */
  public byte[] getBytes(int tag) {
    Element e = elements.get(tag);
    return e == null ? null : e.value();
  }

  /** The items of a sequence, or an empty list if absent or not a sequence. */
  public List<Dataset> getSequence(int tag) {
    Element e = elements.get(tag);
    return e == null || e.items() == null ? List.of() : e.items();
  }

  /** The first value of a PN element split into its component groups (PS3.5 §6.2.1), or null. */
  public PersonName getPersonName(int tag) {
    String s = getString(tag);
    if (s == null) {
      return null;
    }
    int bs = s.indexOf('\\');
    return PersonName.parse(bs < 0 ? s : s.substring(0, bs));
  }

  // ---------------------------------------------------------------- setters

  /**
   * Sets a text element (VR of text type), encoding {@code value} with the Specific Character Set
   * in force and padding it to even length. Setting (0008,0005) itself changes what later values
   * are encoded with; values already set are not re-encoded.
   */
  public void putString(int tag, Vr vr, String value) {
    if (!vr.isText()) {
      throw new IllegalArgumentException(vr + " is not a text VR");
    }
    byte[] bytes = specificCharacterSet().encode(value, vr);
    put(Element.ofBytes(tag, vr, padToEven(bytes, vr.paddingByte())));
  }

  /** Sets a US, SS, UL or SL element from int values. */
  public void putInts(int tag, Vr vr, int... values) {
    int size = vr.valueSize();
    if (!(vr == Vr.US || vr == Vr.SS || vr == Vr.UL || vr == Vr.SL)) {
      throw new IllegalArgumentException(vr + " is not US, SS, UL or SL");
    }
    ByteBuffer b = ByteBuffer.allocate(values.length * size).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      if (size == 2) {
        b.putShort((short) v);
      } else {
        b.putInt(v);
      }
    }
    put(Element.ofBytes(tag, vr, b.array()));
  }

  /** Sets a binary element from little-endian bytes, padding OB/UN to even length with NUL. */
  public void putBytes(int tag, Vr vr, byte[] value) {
    put(Element.ofBytes(tag, vr, padToEven(value, (byte) 0)));
  }

  /** Sets a sequence (SQ, encoded with undefined length) holding {@code items}. */
  public void putSequence(int tag, List<Dataset> items) {
    put(Element.ofItems(tag, Vr.SQ, items, true));
  }

  /** A new empty item whose parent is this data set, to fill and then pass to {@link #putSequence}. */
  public Dataset newItem() {
    Dataset item = new Dataset(this);
    item.undefinedLength = true;
    return item;
  }

  // ---------------------------------------------------------------- helpers

  private static byte[] padToEven(byte[] bytes, byte pad) {
    if ((bytes.length & 1) == 0) {
      return bytes;
    }
    byte[] out = java.util.Arrays.copyOf(bytes, bytes.length + 1);
    out[bytes.length] = pad;
    return out;
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
      end--;
    }
    return s.substring(0, end);
  }

  /** Binary numbers as text, the way dcmdump prints them; null for byte streams (OB, UN). */
  private static List<String> binaryValuesAsText(Element e) {
    ByteBuffer b = ByteBuffer.wrap(e.value()).order(ByteOrder.LITTLE_ENDIAN);
    int size = e.vr().valueSize();
    if (e.vr() == Vr.OB || e.vr() == Vr.UN || size == 0) {
      return null;
    }
    List<String> out = new ArrayList<>();
    while (b.remaining() >= size) {
      out.add(switch (e.vr()) {
        case US, OW -> Integer.toString(b.getShort() & 0xFFFF);
        case SS -> Short.toString(b.getShort());
        case UL -> Integer.toUnsignedString(b.getInt());
        case SL, OL -> Integer.toString(b.getInt());
        case FL, OF -> Float.toString(b.getFloat());
        case FD, OD -> Double.toString(b.getDouble());
        case SV, OV -> Long.toString(b.getLong());
        case UV -> Long.toUnsignedString(b.getLong());
        case AT -> String.format("%04X%04X", b.getShort() & 0xFFFF, b.getShort() & 0xFFFF);
        default -> throw new IllegalStateException(e.vr().toString());
      });
    }
    return out;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Element e : elements.values()) {
      sb.append(e).append('\n');
    }
    return sb.toString();
  }
}
