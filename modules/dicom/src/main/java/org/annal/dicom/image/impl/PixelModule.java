// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image.impl;

import org.annal.dicom.Dataset;
import org.annal.dicom.Tag;

/**
 * Internal API. The Image Pixel Module attributes that describe how Pixel Data is laid out (PS3.3
 * §C.7.6.3), read once and checked, so that nothing downstream allocates or indexes from a value
 * it has not seen validated.
 *
 * @param rows Rows (0028,0010)
 * @param columns Columns (0028,0011)
 * @param samplesPerPixel Samples per Pixel (0028,0002)
 * @param bitsAllocated Bits Allocated (0028,0100): 1, 8, 16 or 32 here
 * @param bitsStored Bits Stored (0028,0101)
 * @param highBit High Bit (0028,0102)
 * @param signed Pixel Representation (0028,0103) is 1 (two's complement)
 * @param photometric Photometric Interpretation (0028,0004), trimmed, upper case
 * @param planarConfiguration Planar Configuration (0028,0006): 0 interleaved, 1 by plane
 * @param frames Number of Frames (0028,0008), 1 when absent
 */
public record PixelModule(int rows, int columns, int samplesPerPixel, int bitsAllocated,
    int bitsStored, int highBit, boolean signed, String photometric, int planarConfiguration,
    int frames) {

  /** Frames larger than this (bytes) are refused: a Java array cannot hold them. */
  private static final long MAX_FRAME_BYTES = Integer.MAX_VALUE - 8;

  /**
   * Reads and checks the attributes.
   *
   * @throws IllegalArgumentException when one is missing or out of the range PS3.3 §C.7.6.3.1
   *     allows, naming the attribute
   */
  public static PixelModule of(Dataset dataset) {
    int rows = required(dataset, Tag.Rows, "Rows (0028,0010)");
    int columns = required(dataset, Tag.Columns, "Columns (0028,0011)");
    int samples = dataset.getInt(Tag.SamplesPerPixel, 1);
    int bitsAllocated = required(dataset, Tag.BitsAllocated, "Bits Allocated (0028,0100)");
    int bitsStored = dataset.getInt(Tag.BitsStored, bitsAllocated);
    int highBit = dataset.getInt(Tag.HighBit, bitsStored - 1);
    boolean signed = dataset.getInt(Tag.PixelRepresentation, 0) == 1;
    String photometric = dataset.getString(Tag.PhotometricInterpretation);
    photometric = photometric == null ? "" : photometric.strip().toUpperCase(java.util.Locale.ROOT);
    int planar = dataset.getInt(Tag.PlanarConfiguration, 0);
    int frames = numberOfFrames(dataset);
    if (rows <= 0 || columns <= 0) {
      throw new IllegalArgumentException("Rows and Columns must be positive, not " + rows + " x "
          + columns);
    }
    if (samples != 1 && samples != 3 && samples != 4) {
      throw new IllegalArgumentException("Samples per Pixel (0028,0002) " + samples
          + " is not 1, 3 or 4");
    }
    if (bitsAllocated != 1 && bitsAllocated % 8 != 0 || bitsAllocated <= 0 || bitsAllocated > 32) {
      throw new IllegalArgumentException("Bits Allocated (0028,0100) " + bitsAllocated
          + " is not 1 or a multiple of 8 up to 32");
    }
    if (bitsStored < 1 || bitsStored > bitsAllocated) {
      throw new IllegalArgumentException("Bits Stored (0028,0101) " + bitsStored
          + " is not between 1 and Bits Allocated " + bitsAllocated);
    }
    if (highBit < bitsStored - 1 || highBit >= bitsAllocated) {
      throw new IllegalArgumentException("High Bit (0028,0102) " + highBit + " does not fit Bits "
          + "Stored " + bitsStored + " within Bits Allocated " + bitsAllocated);
    }
    if (planar != 0 && planar != 1) {
      throw new IllegalArgumentException("Planar Configuration (0028,0006) " + planar
          + " is not 0 or 1");
    }
    PixelModule m = new PixelModule(rows, columns, samples, bitsAllocated, bitsStored, highBit,
        signed, photometric, planar, frames);
    if (m.nativeFrameBits() / 8 > MAX_FRAME_BYTES
        || (long) rows * columns * samples > MAX_FRAME_BYTES) {
      throw new IllegalArgumentException("a frame of " + rows + " x " + columns + " x " + samples
          + " x " + bitsAllocated + " bits is too large");
    }
    return m;
  }

  /** Number of Frames (0028,0008), 1 when absent; PS3.3 §C.7.6.6 requires it to be positive. */
  public static int numberOfFrames(Dataset dataset) {
    String s = dataset.getString(Tag.NumberOfFrames);
    if (s == null || s.isBlank()) {
      return 1;
    }
    try {
      int n = Integer.parseInt(s.strip());
      if (n < 1) {
        throw new IllegalArgumentException("Number of Frames (0028,0008) " + n + " is not positive");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Number of Frames (0028,0008) '" + s
          + "' is not an integer", e);
    }
  }

  /** Bits of one native frame (PS3.5 §8.2); YBR_FULL_422 holds two samples per pixel (§8.2.1). */
  public long nativeFrameBits() {
    long perPixel = photometric.equals("YBR_FULL_422") && samplesPerPixel == 3
        ? 2L * bitsAllocated : (long) samplesPerPixel * bitsAllocated;
    return (long) rows * columns * perPixel;
  }

  public int pixels() {
    return rows * columns;
  }

  public boolean isMonochrome() {
    return photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2");
  }

  private static int required(Dataset dataset, int tag, String name) {
    int v = dataset.getInt(tag, Integer.MIN_VALUE);
    if (v == Integer.MIN_VALUE) {
      throw new IllegalArgumentException(name + " is missing");
    }
    return v;
  }
}
