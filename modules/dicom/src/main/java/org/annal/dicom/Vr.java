// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

/**
 * Value Representations (PS3.5 §6.2, Table 6.2-1).
 *
 * <p>For each VR: whether its Explicit VR header uses the 4-byte length form with two reserved
 * bytes (PS3.5 §7.1.2, Table 7.1-1) or the 2-byte form (Table 7.1-2); the byte that pads values to
 * an even length (space for text, NUL for UI and binary, PS3.5 §6.2); whether the value is text;
 * and the size of the binary unit that is byte-swapped between little and big endian (PS3.5 §7.3),
 * 0 for text and byte streams.
 */
public enum Vr {
  AE(false, true, 0),
  AS(false, true, 0),
  AT(false, false, 2), // pairs of 16-bit group/element numbers, each swapped (PS3.5 §6.2)
  CS(false, true, 0),
  DA(false, true, 0),
  DS(false, true, 0),
  DT(false, true, 0),
  FL(false, false, 4),
  FD(false, false, 8),
  IS(false, true, 0),
  LO(false, true, 0),
  LT(false, true, 0),
  OB(true, false, 0),
  OD(true, false, 8),
  OF(true, false, 4),
  OL(true, false, 4),
  OV(true, false, 8),
  OW(true, false, 2),
  PN(false, true, 0),
  SH(false, true, 0),
  SL(false, false, 4),
  SQ(true, false, 0),
  SS(false, false, 2),
  ST(false, true, 0),
  SV(true, false, 8),
  TM(false, true, 0),
  UC(true, true, 0),
  UI(false, true, 0),
  UL(false, false, 4),
  UN(true, false, 0),
  UR(true, true, 0),
  US(false, false, 2),
  UT(true, true, 0),
  UV(true, false, 8);

  private final boolean longLength;
  private final boolean text;
  private final int swapUnit;
  private final int code;

  Vr(boolean longLength, boolean text, int swapUnit) {
    this.longLength = longLength;
    this.text = text;
    this.swapUnit = swapUnit;
    this.code = (name().charAt(0) << 8) | name().charAt(1);
  }

  /** The two-character code as a 16-bit number, first character in the high byte. */
  public int code() {
    return code;
  }

  /**
   * True if the Explicit VR element header has 2 reserved bytes and a 32-bit length (PS3.5 Table
   * 7.1-1); false for the 16-bit length form (Table 7.1-2).
   */
  public boolean hasLongLength() {
    return longLength;
  }

  /** True for character string VRs, whose values are decoded with a character repertoire. */
  public boolean isText() {
    return text;
  }

  /** True for VRs whose value is a sequence of binary numbers or bytes, not text. */
  public boolean isBinary() {
    return !text && this != SQ;
  }

  /** Bytes per swapped unit when changing byte order (PS3.5 §7.3); 0 if nothing is swapped. */
  public int swapUnit() {
    return swapUnit;
  }

  /** The fixed size of one value for fixed-length binary VRs (AT, FL, FD, SL, SS, UL, US, SV, UV). */
  public int valueSize() {
    return switch (this) {
      case AT, FL, SL, UL, OF, OL -> 4;
      case FD, SV, UV, OD, OV -> 8;
      case SS, US, OW -> 2;
      case OB, UN -> 1;
      default -> 0;
    };
  }

  /** The byte that pads a value to even length: NUL for UI and binary VRs, space for text. */
  public byte paddingByte() {
    return text && this != UI ? (byte) ' ' : 0;
  }

  private static final Vr[] BY_CODE = new Vr[1 << 16];

  static {
    for (Vr vr : values()) {
      BY_CODE[vr.code] = vr;
    }
  }

  /** The VR with that two-character code (first character in the high byte), or null. */
  public static Vr ofCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** The VR named by a two-letter string such as "PN", or null. */
  public static Vr of(String name) {
    return name != null && name.length() == 2 ? ofCode((name.charAt(0) << 8) | name.charAt(1)) : null;
  }
}
