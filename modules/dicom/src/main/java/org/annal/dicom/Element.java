// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.util.Arrays;
import java.util.List;

/**
 * One data element (PS3.5 §7.1): a tag, a VR, and exactly one kind of value.
 *
 * <ul>
 *   <li>Bytes: the value field as read, padding included, always held in little-endian order
 *       (big-endian input is swapped per {@link Vr#swapUnit()} on read and back on write, PS3.5
 *       §7.3), so that re-encoding in the transfer syntax it came from is byte-identical.
 *   <li>Items: a sequence (VR SQ, or UN with undefined length whose items PS3.5 §6.2.2 says are
 *       Implicit VR Little Endian).
 *   <li>Fragments: encapsulated Pixel Data (PS3.5 §A.4), the first fragment being the Basic Offset
 *       Table (possibly empty), kept as is.
 * </ul>
 *
 * <p>Immutable apart from the items, which are data sets of their own. Arrays are not copied:
 * callers that hand one in or take one out must not change it.
 */
public final class Element {
  private final int tag;
  private final Vr vr;
  private final byte[] value;
  private final List<Dataset> items;
  private final List<byte[]> fragments;
  private final boolean undefinedLength;

  private Element(int tag, Vr vr, byte[] value, List<Dataset> items, List<byte[]> fragments,
      boolean undefinedLength) {
    this.tag = tag;
    this.vr = vr;
    this.value = value;
    this.items = items;
    this.fragments = fragments;
    this.undefinedLength = undefinedLength;
  }

  /** An element with a value field (little-endian byte order for binary VRs). */
  public static Element ofBytes(int tag, Vr vr, byte[] value) {
    if (vr == null || value == null) {
      throw new IllegalArgumentException("vr and value are required");
    }
    return new Element(tag, vr, value, null, null, false);
  }

  /**
   * A sequence. {@code vr} is SQ, or UN for a sequence read from an undefined-length UN element.
   * Items that are added to a data set get that data set as their parent (for the Specific
   * Character Set they inherit, PS3.5 §7.5.2).
   */
  public static Element ofItems(int tag, Vr vr, List<Dataset> items, boolean undefinedLength) {
    if (vr != Vr.SQ && vr != Vr.UN) {
      throw new IllegalArgumentException("a sequence has VR SQ or UN, not " + vr);
    }
    return new Element(tag, vr, null, List.copyOf(items), null, undefinedLength);
  }

  /** Encapsulated pixel data: the Basic Offset Table, then the fragments (PS3.5 §A.4). */
  public static Element ofFragments(int tag, Vr vr, List<byte[]> fragments) {
    return new Element(tag, vr, null, null, List.copyOf(fragments), true);
  }

  public int tag() {
    return tag;
  }

  public Vr vr() {
    return vr;
  }

  /** The value field (little-endian), or null for sequences and encapsulated pixel data. */
  public byte[] value() {
    return value;
  }

  /** The items of a sequence, or null if this is not one. */
  public List<Dataset> items() {
    return items;
  }

  /** Basic Offset Table and fragments of encapsulated pixel data, or null. */
  public List<byte[]> fragments() {
    return fragments;
  }

  public boolean isSequence() {
    return items != null;
  }

  public boolean isEncapsulated() {
    return fragments != null;
  }

  /** Whether a sequence was (and will be) encoded with undefined length (PS3.5 §7.5.1). */
  public boolean undefinedLength() {
    return undefinedLength;
  }

  /** Length of the value field, for elements with bytes; -1 otherwise. */
  public int length() {
    return value == null ? -1 : value.length;
  }

  @Override
  public String toString() {
    String what;
    if (items != null) {
      what = items.size() + " item(s)";
    } else if (fragments != null) {
      what = fragments.size() + " fragment(s)";
    } else if (vr.isText()) {
      what = "[" + new String(value, 0, Math.min(value.length, 64),
          java.nio.charset.StandardCharsets.ISO_8859_1) + "]";
    } else {
      what = value.length + " bytes " + Arrays.toString(Arrays.copyOf(value, Math.min(8, value.length)));
    }
    return ElementDictionary.toString(tag) + " " + vr + " " + what;
  }
}
