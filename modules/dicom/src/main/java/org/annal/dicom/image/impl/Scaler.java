// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image.impl;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Internal API. Resizes a rendered image band by band on its raster, so that no color-space
 * conversion touches gray values: box averaging when shrinking (every source pixel counts, no
 * aliasing), bilinear interpolation between pixel centres when enlarging.
 */
public final class Scaler {
  private Scaler() {}

  /**
   * The size that fits inside {@code rows} x {@code columns} (either may be null: no limit) with
   * the image's aspect ratio kept, at least 1 x 1; {width, height}.
   */
  public static int[] fit(int width, int height, Integer rows, Integer columns) {
    if (rows == null && columns == null) {
      return new int[] {width, height};
    }
    double factor = Double.POSITIVE_INFINITY;
    if (columns != null) {
      factor = Math.min(factor, columns / (double) width);
    }
    if (rows != null) {
      factor = Math.min(factor, rows / (double) height);
    }
    int w = (int) Math.max(1, Math.min(columns != null ? columns : Integer.MAX_VALUE,
        Math.round(width * factor)));
    int h = (int) Math.max(1, Math.min(rows != null ? rows : Integer.MAX_VALUE,
        Math.round(height * factor)));
    return new int[] {w, h};
  }

  /** {@code image} resized to {@code width} x {@code height}, the same image type. */
  public static BufferedImage scale(BufferedImage image, int width, int height) {
    int sw = image.getWidth();
    int sh = image.getHeight();
    if (sw == width && sh == height) {
      return image;
    }
    Raster src = image.getRaster();
    BufferedImage out = new BufferedImage(width, height, image.getType());
    WritableRaster dst = out.getRaster();
    int bands = src.getNumBands();
    int[] pixels = src.getPixels(0, 0, sw, sh, (int[]) null);
    int[] result = new int[width * height * bands];
    double fx = sw / (double) width;
    double fy = sh / (double) height;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int b = 0; b < bands; b++) {
          double v = fx > 1 || fy > 1 ? box(pixels, sw, sh, bands, b, x * fx, (x + 1) * fx,
              y * fy, (y + 1) * fy) : bilinear(pixels, sw, sh, bands, b, (x + 0.5) * fx - 0.5,
              (y + 0.5) * fy - 0.5);
          result[(y * width + x) * bands + b] = (int) Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    dst.setPixels(0, 0, width, height, result);
    return out;
  }

  private static double box(int[] p, int w, int h, int bands, int b, double x0, double x1,
      double y0, double y1) {
    int xa = (int) Math.floor(x0);
    int xb = Math.min(w, Math.max(xa + 1, (int) Math.ceil(x1)));
    int ya = (int) Math.floor(y0);
    int yb = Math.min(h, Math.max(ya + 1, (int) Math.ceil(y1)));
    long sum = 0;
    for (int y = ya; y < yb; y++) {
      for (int x = xa; x < xb; x++) {
        sum += p[(y * w + x) * bands + b];
      }
    }
    return sum / (double) ((xb - xa) * (yb - ya));
  }

  private static double bilinear(int[] p, int w, int h, int bands, int b, double x, double y) {
    x = Math.max(0, Math.min(w - 1, x));
    y = Math.max(0, Math.min(h - 1, y));
    int x0 = (int) x;
    int y0 = (int) y;
    int x1 = Math.min(w - 1, x0 + 1);
    int y1 = Math.min(h - 1, y0 + 1);
    double ax = x - x0;
    double ay = y - y0;
    double top = p[(y0 * w + x0) * bands + b] * (1 - ax) + p[(y0 * w + x1) * bands + b] * ax;
    double bottom = p[(y1 * w + x0) * bands + b] * (1 - ax) + p[(y1 * w + x1) * bands + b] * ax;
    return top * (1 - ay) + bottom * ay;
  }
}
