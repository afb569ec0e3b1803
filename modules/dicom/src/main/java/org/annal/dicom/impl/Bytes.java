// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.impl;

/** Internal API. Byte-order helpers (PS3.5 §7.3). */
public final class Bytes {
  private Bytes() {}

  public static long uint32(byte[] b, int off, boolean bigEndian) {
    long v;
    if (bigEndian) {
      v = ((b[off] & 0xFFL) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8)
          | (b[off + 3] & 0xFF);
    } else {
      v = ((b[off + 3] & 0xFFL) << 24) | ((b[off + 2] & 0xFF) << 16) | ((b[off + 1] & 0xFF) << 8)
          | (b[off] & 0xFF);
    }
    return v;
  }

  public static int uint16(byte[] b, int off, boolean bigEndian) {
    return bigEndian ? ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF)
        : ((b[off + 1] & 0xFF) << 8) | (b[off] & 0xFF);
  }

  /** A tag: group then element, each 16 bits in the given order. */
  public static int tag(byte[] b, int off, boolean bigEndian) {
    return (uint16(b, off, bigEndian) << 16) | uint16(b, off + 2, bigEndian);
  }

  public static void putUInt16(byte[] b, int off, int v, boolean bigEndian) {
    if (bigEndian) {
      b[off] = (byte) (v >>> 8);
      b[off + 1] = (byte) v;
    } else {
      b[off] = (byte) v;
      b[off + 1] = (byte) (v >>> 8);
    }
  }

  public static void putUInt32(byte[] b, int off, long v, boolean bigEndian) {
    if (bigEndian) {
      putUInt16(b, off, (int) (v >>> 16), true);
      putUInt16(b, off + 2, (int) v, true);
    } else {
      putUInt16(b, off, (int) v, false);
      putUInt16(b, off + 2, (int) (v >>> 16), false);
    }
  }

  /** Reverses each complete {@code unit}-byte group in place; a trailing partial group is left. */
  public static void swap(byte[] b, int unit) {
    if (unit < 2) {
      return;
    }
    for (int i = 0; i + unit <= b.length; i += unit) {
      for (int l = i, r = i + unit - 1; l < r; l++, r--) {
        byte t = b[l];
        b[l] = b[r];
        b[r] = t;
      }
    }
  }
}
