// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image.impl;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Internal API. Color frames to 8-bit RGB: RGB as is, YBR_FULL and YBR_FULL_422 through the
 * conversion of PS3.3 §C.7.6.3.1.2 (ITU-R BT.601 full range). Samples wider than 8 bits keep their
 * 8 most significant stored bits. The window applies to grayscale only
 * (PS3.4 Annex N: color images have no VOI LUT stage).
 */
public final class Color {
  private Color() {}

  /**
   * Renders interleaved samples (three per pixel) of an RGB or YBR_FULL frame; YBR_FULL_422 frames
   * must have been expanded with {@link #expand422} or come from a decoder that did.
   */
  public static BufferedImage render(int[] samples, PixelModule module, boolean ybr) {
    int pixels = module.pixels();
    BufferedImage image = new BufferedImage(module.columns(), module.rows(),
        BufferedImage.TYPE_INT_RGB);
    int[] out = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    int shift = module.bitsStored() - 8;
    for (int i = 0; i < pixels; i++) {
      int a = to8(samples[3 * i], shift);
      int b = to8(samples[3 * i + 1], shift);
      int c = to8(samples[3 * i + 2], shift);
      if (ybr) {
        double y = a;
        double cb = b - 128;
        double cr = c - 128;
        a = clamp(y + 1.402 * cr);
        b = clamp(y - 0.344136 * cb - 0.714136 * cr);
        c = clamp(y + 1.772 * cb);
      }
      out[i] = a << 16 | b << 8 | c;
    }
    return image;
  }

  /**
   * A native YBR_FULL_422 frame (8 bits: Y1 Y2 Cb Cr for each pair of pixels on a row, PS3.3
   * §C.7.6.3.1.2) as interleaved Y Cb Cr samples, each pair sharing its chroma.
   *
   * @throws IllegalArgumentException if the frame is short or the image is not 8-bit
   */
  public static int[] expand422(byte[] frame, PixelModule module) {
    if (module.bitsAllocated() != 8) {
      throw new IllegalArgumentException("YBR_FULL_422 with Bits Allocated "
          + module.bitsAllocated() + " is not handled (8 only)");
    }
    int rows = module.rows();
    int columns = module.columns();
    int pairsPerRow = (columns + 1) / 2;
    long needed = 4L * pairsPerRow * rows;
    if (frame.length < needed) {
      throw new IllegalArgumentException("the YBR_FULL_422 frame holds " + frame.length
          + " bytes, " + rows + " x " + columns + " needs " + needed);
    }
    int[] out = new int[rows * columns * 3];
    int in = 0;
    for (int r = 0; r < rows; r++) {
      for (int p = 0; p < pairsPerRow; p++, in += 4) {
        int cb = frame[in + 2] & 0xFF;
        int cr = frame[in + 3] & 0xFF;
        for (int k = 0; k < 2; k++) {
          int column = 2 * p + k;
          if (column < columns) {
            int o = 3 * (r * columns + column);
            out[o] = frame[in + k] & 0xFF;
            out[o + 1] = cb;
            out[o + 2] = cr;
          }
        }
      }
    }
    return out;
  }

  private static int to8(int v, int shift) {
    int x = shift >= 0 ? v >>> shift : v << -shift;
    return Math.max(0, Math.min(255, x));
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
