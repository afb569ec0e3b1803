// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image.impl;

/**
 * Internal API. Stored pixel values of one native frame (PS3.5 §8.1.1, §8.2) as ints, one per
 * sample, interleaved (pixel by pixel, its samples in order).
 *
 * <p>Each sample's cell is Bits Allocated wide, little endian; its value is the Bits Stored bits
 * ending at High Bit, two's complement when Pixel Representation is 1 (PS3.5 §8.1.1, PS3.3
 * §C.7.6.3.1). Unsigned 32-bit values above 2^31-1 come out negative: {@link #value} reads them
 * back correctly.
 */
public final class Samples {
  private Samples() {}

  /**
   * Extracts the samples.
   *
   * @param planar whether the frame is by plane (Planar Configuration 1): all first samples, then
   *     all second samples, ...
   * @throws IllegalArgumentException if {@code frame} is shorter than the image
   */
  public static int[] of(byte[] frame, PixelModule module, boolean planar) {
    int samples = module.samplesPerPixel();
    int pixels = module.pixels();
    int count = pixels * samples;
    int bits = module.bitsAllocated();
    long needed = ((long) count * bits + 7) / 8;
    if (frame.length < needed) {
      throw new IllegalArgumentException("the frame holds " + frame.length + " bytes, "
          + module.rows() + " x " + module.columns() + " x " + samples + " samples of " + bits
          + " bits need " + needed);
    }
    int shift = module.highBit() + 1 - module.bitsStored();
    int stored = module.bitsStored();
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      // i is the position in the stream; planar streams are re-ordered to interleaved here
      int target = planar ? (i % pixels) * samples + i / pixels : i;
      long cell = switch (bits) {
        case 1 -> (frame[i >>> 3] >>> (i & 7)) & 1;
        case 8 -> frame[i] & 0xFF;
        case 16 -> (frame[2 * i] & 0xFF) | (frame[2 * i + 1] & 0xFF) << 8;
        default -> cell(frame, i, bits / 8);
      };
      long v = (cell >>> shift) & ((1L << stored) - 1);
      if (module.signed() && stored < 64 && (v & (1L << (stored - 1))) != 0) {
        v -= 1L << stored;
      }
      out[target] = (int) v;
    }
    return out;
  }

  /** A sample's value as a number, undoing the int wrap of unsigned 32-bit values. */
  public static double value(int sample, PixelModule module) {
    return !module.signed() && module.bitsStored() == 32 ? Integer.toUnsignedLong(sample) : sample;
  }

  private static long cell(byte[] frame, int index, int size) {
    long v = 0;
    int base = index * size;
    for (int b = size - 1; b >= 0; b--) {
      v = (v << 8) | (frame[base + b] & 0xFF);
    }
    return v;
  }
}
